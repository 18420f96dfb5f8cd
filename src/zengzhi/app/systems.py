"""Every system's use-case module, imported once so their order effects are registered.

A system with effects on settled orders (`order_effects.register_order_effects`) adds
its module here, one line each. Imported at the end of `zengzhi.app`.
"""

from __future__ import annotations

from zengzhi.app import brand, local_life, order_effects, releases

__all__ = ["brand", "local_life", "order_effects", "releases"]
