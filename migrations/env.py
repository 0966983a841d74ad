import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
# Keep the app's loggers: fileConfig would otherwise disable every logger that already exists.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


_migration_engine = None


def get_engine():
    # MIGRATION_DATABASE_URL: migrate as the tables' owner while the app connects as a role with
    # fewer rights (PostgreSQL role separation, tracker/db_roles.py). Otherwise the app's engine.
    global _migration_engine
    url = current_app.config.get("MIGRATION_DATABASE_URL")
    if not url:
        # Flask-SQLAlchemy 3: `db.engine` (get_engine() is deprecated).
        return current_app.extensions['migrate'].db.engine
    if _migration_engine is None:
        from sqlalchemy import create_engine

        _migration_engine = create_engine(url)
    return _migration_engine


def grant_app_role(connection):
    """After migrating on PostgreSQL: give DATABASE_APP_ROLE its (append-only on audit tables) rights."""
    role = current_app.config.get("DATABASE_APP_ROLE")
    if not role or connection.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    from tracker.db_roles import TABLES_SQL, grant_statements

    tables = [row[0] for row in connection.execute(text(TABLES_SQL))]
    for statement in grant_statements(role, tables):
        connection.execute(text(statement))


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def render_item(type_, obj, autogen_context):
    """Render our UTC TypeDecorator as the plain column type it stores, so migrations
    do not import application code."""
    # env.py (unlike a revision) runs inside the application (`flask db ...`) and compares the
    # live models with the database, so it may import the app; imported here, at use, because
    # the app is already loaded by then. Revisions never import `tracker`: they are frozen history.
    from tracker.timeutil import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        conf_args.setdefault("render_item", render_item)
        # Indexes that live outside the models (PostgreSQL trigram indexes): autogenerate must
        # not propose dropping them. Importing the app is fine in env.py (see render_item).
        from tracker.cases.search_indexes import include_object

        conf_args.setdefault("include_object", include_object)
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()
            grant_app_role(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
