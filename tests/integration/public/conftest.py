"""The public API's databases: the ledger tests' SQLite file and scratch PostgreSQL."""

from tests.integration.ledger.conftest import db_url, pg_url

__all__ = ["db_url", "pg_url"]
