"""Samverkan: a case tracker for the cooperation procedure between employer and personnel."""
from __future__ import annotations

import secrets
from pathlib import Path
from types import ModuleType

from flask import Flask, has_request_context, session
from flask_login import current_user

from config import Config, config_from_env
from tracker.audit.canonical import storage_dumps
from tracker.extensions import babel, csrf, db, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def _instance_secret(app: Flask, name: str) -> str:
    """A secret generated once under instance/ (development only)."""
    path = Path(app.config["INSTANCE_DIR"]) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _configure(app: Flask, config: type[Config] | Config | dict | None) -> None:
    if config is None:
        config = config_from_env()
    if isinstance(config, dict):
        base = config_from_env()
        app.config.from_object(base)
        app.config.update(config)
        validate = base().validate
    else:
        app.config.from_object(config)
        instance = config() if isinstance(config, type) else config
        validate = instance.validate
    validate()
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app, "secret_key")
    if not app.config.get("AUDIT_SIGNING_KEY_PATH"):
        app.config["AUDIT_SIGNING_KEY_PATH"] = str(Path(app.config["INSTANCE_DIR"]) / "audit_signing_key.pem")
    if not app.config.get("DOCUMENT_STORE_PATH"):
        app.config["DOCUMENT_STORE_PATH"] = str(Path(app.config["INSTANCE_DIR"]) / "documents")
    _configure_witnesses(app)
    # JSON columns are stored in the audit trail's canonical spelling (see audit/canonical.py).
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("json_serializer", storage_dumps)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        # Writers queue for SQLite's write lock (the audit chain serialises appends) instead of failing fast.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _configure_witnesses(app: Flask) -> None:
    """Refuse a malformed AUDIT_WITNESSES at start; in development add the local witness once set up."""
    from tracker.audit.witness_config import local_witness_entry, local_witness_state_file, parse_witnesses

    try:
        parse_witnesses(app.config.get("AUDIT_WITNESSES"))
    except ValueError as error:
        raise RuntimeError(f"AUDIT_WITNESSES: {error}") from error
    if app.config.get("ENV_NAME") == "development" and not app.config.get("AUDIT_LOCAL_WITNESS_DIR"):
        app.config["AUDIT_LOCAL_WITNESS_DIR"] = str(Path(app.config["INSTANCE_DIR"]) / "witness")
    local = local_witness_entry(app.config)
    if local is not None and not app.config.get("AUDIT_WITNESSES"):
        app.config["AUDIT_WITNESSES"] = [local]
    state_file = local_witness_state_file(app.config)
    if state_file is not None and not app.config.get("AUDIT_WITNESS_STATE_FILES"):
        app.config["AUDIT_WITNESS_STATE_FILES"] = [str(state_file)]


def _select_locale() -> str:
    """The user's own language (among the organisation's), else the one chosen in this session,
    else the browser's Accept-Language, else the organisation's default."""
    from flask import request

    from tracker import i18n

    if not has_request_context():  # CLI, demo, services in tests: the organisation's default
        return i18n.default_language()
    if current_user and current_user.is_authenticated and i18n.offered(current_user.locale):
        return str(i18n.offered(current_user.locale))
    chosen = i18n.offered(session.get("locale"))
    if chosen:
        return chosen
    return i18n.best_accepted(request.accept_languages) or i18n.default_language()


def _features() -> tuple[ModuleType, ...]:
    """Every feature package, in the order their blueprints register. Each has `init_app(app)`."""
    from tracker import (
        admin,
        audit,
        auth,
        cases,
        discussion,
        documents,
        exports,
        home,
        meetings,
        notifications,
        procedure,
        risk,
        steering,
        units,
    )

    return (auth, admin, home, audit, cases, procedure, steering, discussion, risk, meetings, documents,
            notifications, exports, units)


def create_app(config: type[Config] | Config | dict | None = None) -> Flask:
    """The application factory."""
    from tracker.web.transaction import TransactionalFlask

    root = Path(__file__).resolve().parent.parent
    app = TransactionalFlask(
        __name__,
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
        instance_path=str(root / "instance"),
    )
    _configure(app, config)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(root / "translations"))
    login_manager.init_app(app)

    from tracker import auth_loader, demo, models, web

    models.import_all()
    auth_loader.init_app(app)
    web.init_app(app)
    for feature in _features():
        feature.init_app(app)
    demo.init_app(app)

    from tracker.web.access import public

    @app.get("/healthz")
    @public
    def healthz() -> tuple[str, int]:
        return "ok", 200

    return app
