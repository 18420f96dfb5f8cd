"""Translations: Babel catalogs (.po) read at start and compiled in memory.

Keeping only the .po files in the repository means no compiled binaries to forget; the
catalogs are small, so compiling them once per process costs milliseconds.
Extract new strings with `make messages` (pybabel extract/update of messages.po); an app
may instead keep its strings in its own catalog (e.g. member.po) beside messages.po.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from io import BytesIO

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}


def catalog_files(locale: str) -> list[Traversable]:
    """A locale's catalogs: messages.po first, then one per app (member.po, console.po...).

    Each app keeps its own catalog so parallel work never edits one shared file; later
    files win where two translate the same string.
    """
    folder = resources.files("zengzhi.web").joinpath("locale", locale, "LC_MESSAGES")
    files = [f for f in folder.iterdir() if f.name.endswith(".po")]
    return sorted(files, key=lambda f: (f.name != "messages.po", f.name))


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    merged = Catalog(locale=locale)
    for po in catalog_files(locale):
        with po.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if message.id and message.string and not message.fuzzy:
                    if message.id in merged:  # Catalog keeps the old string on re-insert
                        del merged[message.id]
                    merged[message.id] = message
    compiled = BytesIO()
    write_mo(compiled, merged)
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
