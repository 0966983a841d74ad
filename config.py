"""Configuration classes, read from the environment.

`SAMVERKAN_ENV` picks the class: `development` (default), `production` or `testing`.
Development generates its secrets under `instance/`; production refuses to start without them.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SAMVERKAN_INSTANCE", BASE_DIR / "instance"))

DEFAULT_SECRET = "change-me"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _normalise_db_url(url: str) -> str:
    # psycopg 3 is the driver; accept the common spellings of a PostgreSQL URL.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'samverkan.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL role separation (README, "Production"): `flask db upgrade` connects with this URL
    # (the tables' owner) and then grants DATABASE_APP_ROLE, the role in DATABASE_URL, its rights.
    MIGRATION_DATABASE_URL = _normalise_db_url(os.environ.get("MIGRATION_DATABASE_URL", ""))
    DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
    INSTANCE_DIR = str(INSTANCE_DIR)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    # Strict-Transport-Security on every response (production, which is served over HTTPS).
    HSTS_ENABLED = os.environ.get("HSTS_ENABLED", "0") == "1"
    WTF_CSRF_TIME_LIMIT = None

    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Every language with a catalogue (sv is the source text; sv_FI overrides only Finland-Swedish terms).
    LANGUAGES = ("sv", "sv_FI", "fi", "en")
    # The languages this organisation offers its users (comma-separated in the environment), and the
    # default: new cases' language and the interface for a visitor whose browser asks for none of them.
    ORGANISATION_LANGUAGES = tuple(
        c.strip() for c in os.environ.get("ORGANISATION_LANGUAGES", "sv,sv_FI,fi,en").split(",") if c.strip())
    ORGANISATION_DEFAULT_LANGUAGE = os.environ.get("ORGANISATION_DEFAULT_LANGUAGE", "")
    # The organisation's time zone: calendar days and displayed times.
    ORG_TIMEZONE = os.environ.get("ORG_TIMEZONE", "Europe/Stockholm")
    # Extra directories of procedure-profile JSON files (os.pathsep-separated in the environment).
    PROCEDURE_PROFILE_DIRS = [p for p in os.environ.get("PROCEDURE_PROFILE_DIRS", "").split(os.pathsep) if p]

    # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto headers are then
    # trusted, so login throttling sees each client's own address. 0 = no proxy: headers ignored.
    PROXY_COUNT = _int("PROXY_COUNT", 0)

    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_FAILURE_WINDOW_SECONDS = _int("LOGIN_FAILURE_WINDOW_SECONDS", 60)
    # Server-side session timeouts: idle (no request) and absolute (since the login).
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)
    # The cookie itself expires with the absolute limit too (the server check is what counts).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_MAX_HOURS)
    # The session cookie is sent only when the session changes (login, language, the last-seen time
    # once a minute), not on every response: a static file's answer carries none (shared caches may
    # keep it), and a late answer cannot put back a cookie the browser has since replaced.
    SESSION_REFRESH_EACH_REQUEST = False

    AUDIT_SIGNING_KEY_PATH = os.environ.get("AUDIT_SIGNING_KEY_PATH", "")
    AUDIT_CHECKPOINT_EVERY = _int("AUDIT_CHECKPOINT_EVERY", 1000)
    AUDIT_VERIFY_PROCESSES = _int("AUDIT_VERIFY_PROCESSES", 0)  # verify in N processes (0: the CPUs, at most 4; 1: one)
    # No event stays without a signed checkpoint longer than this (the log's maximum merge delay).
    AUDIT_CHECKPOINT_INTERVAL_SECONDS = _int("AUDIT_CHECKPOINT_INTERVAL_SECONDS", 60)
    # The checkpoint notes' origin line and key name (default: "<PUBLIC_BASE_URL host>/audit").
    AUDIT_LOG_ORIGIN = os.environ.get("AUDIT_LOG_ORIGIN", "")
    # Checkpoint notes kept outside the database (e.g. a local witness's state file), comma-separated:
    # `flask audit verify` checks the database against each one that exists.
    AUDIT_WITNESS_STATE_FILES = [p for p in os.environ.get("AUDIT_WITNESS_STATE_FILES", "").split(",") if p.strip()]
    # Witnesses that cosign every checkpoint: JSON [{"name", "url", "key"}] or "URL VKEY" entries
    # separated by ';' or newlines (docs/witness.md). Empty: none (development adds the local one).
    AUDIT_WITNESSES = os.environ.get("AUDIT_WITNESSES", "")
    AUDIT_WITNESS_TIMEOUT_SECONDS = _int("AUDIT_WITNESS_TIMEOUT_SECONDS", 5)
    # Submit to the witnesses in a background thread after the commit (tests: in the committing thread).
    AUDIT_WITNESS_BACKGROUND = True
    # Optional RFC 3161 time-stamps on checkpoints: the TSA's URL and its root certificate(s) (PEM).
    AUDIT_TSA_URL = os.environ.get("AUDIT_TSA_URL", "")
    AUDIT_TSA_ROOTS = os.environ.get("AUDIT_TSA_ROOTS", "")
    # The local witness of `make run` and the demo (state outside the database); development only.
    AUDIT_LOCAL_WITNESS_DIR = os.environ.get("AUDIT_LOCAL_WITNESS_DIR", "")
    AUDIT_LOCAL_WITNESS_URL = os.environ.get("AUDIT_LOCAL_WITNESS_URL", "http://127.0.0.1:8470")
    # At most one `<kind>.access_denied` per user, kind and case in this many seconds.
    AUDIT_DENIAL_WINDOW_SECONDS = _int("AUDIT_DENIAL_WINDOW_SECONDS", 60)

    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 250) * 1024 * 1024
    DOCUMENT_STORE_PATH = os.environ.get("DOCUMENT_STORE_PATH", "")
    # "id1:base64key,id2:base64key"; the last one encrypts new data keys.
    DOCUMENT_KEYS = os.environ.get("DOCUMENT_KEYS", "")
    DOCUMENT_STORE_BACKEND = os.environ.get("DOCUMENT_STORE_BACKEND", "directory")
    DOCUMENT_MAX_BYTES = _int("DOCUMENT_MAX_MB", 200) * 1024 * 1024
    DOCUMENT_CHUNK_SIZE = _int("DOCUMENT_CHUNK_KB", 128) * 1024
    # Plaintext a download authenticates before its response starts (a damaged file up to this size
    # gets an error page; beyond it each chunk is authenticated before it is sent).
    DOCUMENT_DOWNLOAD_MEMORY = _int("DOCUMENT_DOWNLOAD_MEMORY_KB", 256) * 1024
    # "1": authenticate the whole file before the first byte (a second pass over the blob).
    DOCUMENT_VERIFY_BEFORE_SENDING = os.environ.get("DOCUMENT_VERIFY_BEFORE_SENDING", "0") == "1"

    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "0") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "samverkan@localhost")
    # Absolute address of the app, for links in e-mail (e.g. https://samverkan.example.org).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

    def validate(self) -> None:
        """Refuse settings that are unsafe for this environment."""


def _require_readable_signing_key(path: str) -> None:
    """Production never creates a signing key: the configured file must be a readable Ed25519 key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise RuntimeError(f"AUDIT_SIGNING_KEY_PATH {path} is not a readable PEM private key ({error}); "
                           "create it with `flask audit keygen`") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"AUDIT_SIGNING_KEY_PATH {path} is not an Ed25519 private key")


def _require_document_keys(value: str) -> None:
    """DOCUMENT_KEYS is "id:base64key,..." with unique ids and 32-byte keys (the keyring's own parser)."""
    from tracker.documents.keys import Keyring

    Keyring.parse(value)  # KeyConfigError (a RuntimeError) names what is wrong


class DevelopmentConfig(Config):
    """Local use: generates missing secrets under instance/."""

    ENV_NAME = "development"
    # Unset: `<INSTANCE_DIR>/witness` (see tracker/__init__.py).
    AUDIT_LOCAL_WITNESS_DIR = os.environ.get("AUDIT_LOCAL_WITNESS_DIR", "")


class ProductionConfig(Config):
    """Production: every secret must be given."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    # The __Host- prefix: the browser keeps the cookie only if Secure, with Path=/ and no Domain,
    # so a sibling host or an HTTP page cannot set or shadow it.
    SESSION_COOKIE_NAME = "__Host-samverkan" if SESSION_COOKIE_SECURE else "samverkan"
    HSTS_ENABLED = os.environ.get("HSTS_ENABLED", "1") == "1"

    def validate(self) -> None:
        if not self.SECRET_KEY or self.SECRET_KEY == DEFAULT_SECRET or len(self.SECRET_KEY) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        if not self.AUDIT_SIGNING_KEY_PATH:
            raise RuntimeError("AUDIT_SIGNING_KEY_PATH must be set in production")
        _require_readable_signing_key(self.AUDIT_SIGNING_KEY_PATH)
        if not self.DOCUMENT_KEYS:
            raise RuntimeError("DOCUMENT_KEYS must be set in production")
        _require_document_keys(self.DOCUMENT_KEYS)


class TestConfig(Config):
    """The test suite: fast hashing, no CSRF shortcuts (tests send real tokens)."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-use-0123456789"
    AUDIT_CHECKPOINT_EVERY = 0
    AUDIT_WITNESS_BACKGROUND = False
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("TEST_DATABASE_URL", os.environ.get("DATABASE_URL", "sqlite://"))
    )


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}


def config_from_env() -> type[Config]:
    """The config class that SAMVERKAN_ENV names."""
    name = os.environ.get("SAMVERKAN_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"SAMVERKAN_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
