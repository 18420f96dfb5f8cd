"""Every mechanism module that registers commands, imported so stored events can be read.

A mechanism adds its module here (one line); `commands.command_from_payload` then knows
its kinds. Nothing else in this module: it exists for the imports' side effect.
"""

from __future__ import annotations

from zengzhi.domain import brand_commands, commands

__all__ = ["brand_commands", "commands"]
