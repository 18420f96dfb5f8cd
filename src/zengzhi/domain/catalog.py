from zengzhi.domain import (
    commands,
    grant_commands,  # §4/§5 grants, releases, payments and tips
    local_life_commands,  # §6 commission split
    stable_points,  # §2 two tokens
)

__all__ = ["commands", "grant_commands", "local_life_commands", "stable_points"]
