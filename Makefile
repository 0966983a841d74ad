# Samverkan: `make run` serves the app, `make test` runs the whole suite. Both set up everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install migrate demo translations messages bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@if [ -d translations ]; then $(BIN)/pybabel -q compile -d translations; fi

# Extract every msgid (Swedish) from the code and templates and merge them into the catalogues.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --ignore-obsolete --width 100 --no-fuzzy-matching

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo --if-empty

run: demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
