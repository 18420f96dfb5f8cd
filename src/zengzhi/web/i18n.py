"""Translations: Babel catalogs (.po) read at start and compiled in memory.

Keeping only the .po files in the repository means no compiled binaries to forget; the
catalogs are small, so compiling them once per process costs milliseconds.
Extract new strings with `make messages` (pybabel extract/update).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    po = resources.files("zengzhi.web").joinpath("locale", locale, "LC_MESSAGES", "messages.po")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def negotiate(requested: str | None, cookie: str | None, accept_language: str | None) -> str:
    """An explicit ?lang= wins, then the saved choice, then the browser's; Chinese by default."""
    for choice in (requested, cookie):
        if choice in LOCALES:
            return choice
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh_CN"
    return DEFAULT_LOCALE
