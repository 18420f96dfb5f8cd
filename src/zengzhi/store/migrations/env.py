"""Alembic environment: migrations run on the connection `zengzhi db upgrade` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from zengzhi.store import (
    brand_tables,  # noqa: F401  (issue 6 §7: brand membership)
    daily_tables,  # noqa: F401  (issue 5: periodic settlement)
    grant_tables,  # noqa: F401  (issue 5: locked grants and shared purchase)
    local_life_tables,  # noqa: F401  (issue 6: local life's stores and agents)
    service_tables,  # noqa: F401  (registers the service tables)
)
from zengzhi.store.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` run by hand with sqlalchemy.url set
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _migrate(conn)
        return
    _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
