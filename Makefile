# Samverkan: `make run` serves the app, `make test` runs the whole suite, `make lint` runs ruff,
# mypy and import-linter. Each sets up what it needs.
#
# Two pinned lock files: requirements.txt is the runtime (all that `make run` and production
# install); requirements-test.txt adds the test, browser and lint tools (`make test`, `make lint`).
# A stamp file per lock records that it is installed, so a second run reinstalls nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi
# The local witness (docs/witness.md): its state under the instance folder, served by `make run`.
WITNESS_PORT ?= 8470
WITNESS_DIR ?= $(or $(AUDIT_LOCAL_WITNESS_DIR),$(or $(SAMVERKAN_INSTANCE),instance)/witness)
run demo: export AUDIT_LOCAL_WITNESS_DIR := $(abspath $(WITNESS_DIR))
run demo: export AUDIT_LOCAL_WITNESS_URL := http://127.0.0.1:$(WITNESS_PORT)

.PHONY: run test lint install install-test migrate demo translations messages bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# After the runtime lock (a changed runtime pin reinstalls this one too).
$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

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

# The local witness and the checkpointer (which signs a quiet log's head within the interval) run as
# their own processes next to the app, and stop with it.
run: migrate
	$(BIN)/flask audit witness-setup
	@$(BIN)/python -m tracker.witness_program --dir "$(AUDIT_LOCAL_WITNESS_DIR)" serve --port $(WITNESS_PORT) & \
	witness=$$!; trap 'kill $$witness $$checkpointer 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask demo --if-empty && \
	{ $(BIN)/flask audit checkpointer & checkpointer=$$!; } && \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# All three run even when one fails (so one run shows everything); the target fails if any did.
# Their settings are in pyproject.toml.
lint: $(VENV)/.installed-test
	@status=0; \
	echo "lint: ruff"; $(BIN)/ruff check . || status=1; \
	echo "lint: mypy"; $(BIN)/mypy || status=1; \
	echo "lint: import-linter"; $(BIN)/lint-imports || status=1; \
	exit $$status

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
