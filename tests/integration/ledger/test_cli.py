"""The schema: `zengzhi db upgrade` builds it from the migrations shipped in the package."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from zengzhi.cli import app
from zengzhi.store import Database
from zengzhi.store.tables import metadata


def test_db_upgrade_creates_every_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = CliRunner().invoke(app, ["db", "upgrade", "--url", url])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_verify_of_an_unknown_economy_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade", "--url", url])
    result = runner.invoke(app, ["verify", "nowhere", "--url", url])
    assert result.exit_code == 1
    assert "no economy 'nowhere'" in result.output


def test_the_migrations_build_the_declared_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []
