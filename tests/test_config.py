"""Production refuses unsafe secrets; development generates what it needs under instance/."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import config as config_module
from config import DEFAULT_SECRET, DevelopmentConfig, ProductionConfig
from tests.conftest import make_test_config
from tracker import create_app

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 48


def _production(**settings) -> type[ProductionConfig]:
    values = {"SECRET_KEY": GOOD_SECRET, "AUDIT_SIGNING_KEY_PATH": "/etc/samverkan/audit.pem",
              "DOCUMENT_KEYS": "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    values.update(settings)
    return type("TestProduction", (ProductionConfig,), values)


@pytest.mark.parametrize("secret", ["", DEFAULT_SECRET, "too-short-secret"])
def test_production_refuses_missing_or_default_secret(secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(SECRET_KEY=secret))


def test_production_refuses_missing_audit_key_and_document_keys(tmp_path):
    with pytest.raises(RuntimeError, match="AUDIT_SIGNING_KEY_PATH"):
        create_app(_production(AUDIT_SIGNING_KEY_PATH=""))
    with pytest.raises(RuntimeError, match="DOCUMENT_KEYS"):
        create_app(_production(DOCUMENT_KEYS="", AUDIT_SIGNING_KEY_PATH=_signing_key(tmp_path)))


def _signing_key(tmp_path: Path) -> str:
    from tracker.audit.checkpoints import generate_keypair

    path = tmp_path / "keys" / "audit.pem"
    generate_keypair(path)
    return str(path)


def test_production_starts_with_every_secret_given(tmp_path):
    app = create_app(_production(INSTANCE_DIR=str(tmp_path / "instance"), AUDIT_SIGNING_KEY_PATH=_signing_key(tmp_path)))
    assert app.config["SECRET_KEY"] == GOOD_SECRET
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_from_the_environment_refuses_to_start_without_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(SAMVERKAN_ENV="production", SAMVERKAN_INSTANCE=str(tmp_path), DATABASE_URL="sqlite://")
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("SAMVERKAN_ENV", "staging")
    with pytest.raises(RuntimeError, match="SAMVERKAN_ENV"):
        config_module.config_from_env()


def test_development_generates_and_keeps_its_secret_under_instance(tmp_path):
    instance = tmp_path / "instance"
    dev = type("TestDevelopment", (DevelopmentConfig,), {
        "SECRET_KEY": "", "INSTANCE_DIR": str(instance), "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "AUDIT_SIGNING_KEY_PATH": "", "DOCUMENT_STORE_PATH": ""})
    first = create_app(dev)
    secret_file = instance / "secret_key"
    assert secret_file.exists()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == secret_file.read_text().strip()
    # The same key on the next start, so sessions survive a restart.
    assert create_app(dev).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert first.config["AUDIT_SIGNING_KEY_PATH"].startswith(str(instance))
    assert first.config["DOCUMENT_STORE_PATH"].startswith(str(instance))


def test_postgres_urls_use_psycopg3():
    assert config_module._normalise_db_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config_module._normalise_db_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config_module._normalise_db_url("sqlite:///x.db") == "sqlite:///x.db"


def test_instance_directory_is_git_ignored():
    assert "instance/" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.parametrize("count, address", [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_proxy_count_makes_the_client_address_come_from_the_proxy(tmp_path, count, address):
    from flask import request

    from tracker.web.access import public

    app = create_app(dict(make_test_config("sqlite://", tmp_path), PROXY_COUNT=count))
    app.add_url_rule("/__addr", "addr", public(lambda: f"{request.remote_addr} {request.scheme}"))
    response = app.test_client().get("/__addr", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                                     headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == f"{address} {'https' if count else 'http'}"


def test_proxy_count_is_read_from_the_environment():
    env = dict(os.environ, PROXY_COUNT="2")
    script = "import config; print(config.config_from_env().PROXY_COUNT)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


def test_production_refuses_a_missing_or_unreadable_signing_key(tmp_path):
    with pytest.raises(RuntimeError, match="not a readable PEM private key"):
        create_app(_production(AUDIT_SIGNING_KEY_PATH=str(tmp_path / "missing.pem")))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(RuntimeError, match="not a readable PEM private key"):
        create_app(_production(AUDIT_SIGNING_KEY_PATH=str(garbage)))
    unreadable = Path(_signing_key(tmp_path))
    if os.geteuid() != 0:  # root reads any file
        unreadable.chmod(0)
        with pytest.raises(RuntimeError, match="AUDIT_SIGNING_KEY_PATH"):
            create_app(_production(AUDIT_SIGNING_KEY_PATH=str(unreadable)))


@pytest.mark.parametrize("keys", [
    "k1", "k1:", "k1:not-base64!", "k1:AAAA", ":AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
])
def test_production_refuses_malformed_document_keys(tmp_path, keys):
    with pytest.raises(RuntimeError, match="DOCUMENT_KEYS"):
        create_app(_production(DOCUMENT_KEYS=keys, AUDIT_SIGNING_KEY_PATH=_signing_key(tmp_path)))


def test_a_malformed_witness_setting_is_refused_at_start(tmp_path):
    with pytest.raises(RuntimeError, match="AUDIT_WITNESSES"):
        create_app(_production(AUDIT_WITNESSES="https://w.example/ not-a-key",
                               AUDIT_SIGNING_KEY_PATH=_signing_key(tmp_path)))
