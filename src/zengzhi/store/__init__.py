"""Storage: SQLAlchemy 2 tables, repositories and Alembic migrations (all SQL lives here)."""

from zengzhi.store.database import DEFAULT_URL, Database, normalise_url
from zengzhi.store.unit_of_work import SqlUnitOfWork

__all__ = ["DEFAULT_URL", "Database", "SqlUnitOfWork", "normalise_url"]
