"""Economy presets: one TOML file per system of the source documents, in `presets/`."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from zengzhi.domain.economy import EconomyConfig, config_from_mapping
from zengzhi.domain.errors import InvalidRule


def presets_dir() -> Path:
    """`ZENGZHI_PRESETS_DIR`, else the repository's `presets/` folder."""
    configured = os.environ.get("ZENGZHI_PRESETS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "presets"


def preset_names() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.toml"))


def load_config_file(path: Path) -> EconomyConfig:
    """Read and validate an economy configuration file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InvalidRule(f"{path.name} is not valid TOML: {error}") from None
    return config_from_mapping(data)


def load_preset(name: str) -> EconomyConfig:
    """A preset by name (file stem), e.g. 'appreciating-pool'."""
    path = presets_dir() / f"{name}.toml"
    if not path.is_file():
        raise InvalidRule(f"no preset {name!r}; available: {', '.join(preset_names())}")
    return load_config_file(path)
