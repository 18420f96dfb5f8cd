"""The service (issue 4): members, merchants and operators over the ledger's use cases.

Each module holds one feature's operations. They run inside a unit of work that the edge
(the HTTP request, the CLI command, the auto-settle task) commits through `Database.run`;
nothing here commits by itself. Ledger writes go through the app's use cases only.
"""

from zengzhi.service.context import Service

__all__ = ["Service"]
