"""The migrations build exactly the schema the models describe."""
import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from webapp import create_app
from webapp.extensions import db


def test_migrations_produce_the_models_schema(tmp_path, database_url):
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    else:  # a schema of its own in the PostgreSQL test database
        url = database_url
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        if not url.startswith("sqlite"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS migrated CASCADE; CREATE SCHEMA migrated"))
            db.engine.dispose()
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
        _upgrade_in(app, url)
        engine = create_engine(url, connect_args=_search_path(url))
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        assert "stock_moves" in inspect(engine).get_table_names()
        engine.dispose()


def _search_path(url):
    return {} if url.startswith("sqlite") else {"options": "-c search_path=migrated"}


def _upgrade_in(app, url):
    if url.startswith("sqlite"):
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
        return
    os.environ["PGOPTIONS"] = "-c search_path=migrated"
    try:
        db.engine.dispose()
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    finally:
        del os.environ["PGOPTIONS"]
        db.engine.dispose()
