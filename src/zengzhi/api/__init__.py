"""The HTTP API: members, merchants, operators and the public. Errors are mapped here, once."""

from zengzhi.api.app import create_app

__all__ = ["create_app"]
