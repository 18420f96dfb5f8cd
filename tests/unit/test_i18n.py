"""Translations: Chinese first and complete, English on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from zengzhi.web.i18n import DEFAULT_LOCALE, catalog_files, negotiate, translations


def _strings_in_the_sources() -> set[str]:
    """Every translatable string in the templates and web code, extracted as Babel does."""
    root = Path(__file__).resolve().parents[2]
    method_map = [("src/zengzhi/**.py", "python"), ("src/zengzhi/web/templates/**.html", "jinja2")]
    options = {"src/zengzhi/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(str(root), method_map, options)
    strings: set[str] = set()
    for _, _, message, _, _ in found:
        strings.update([message] if isinstance(message, str) else [m for m in message if m])
    return strings


def _chinese_catalog() -> dict[str, Message]:
    messages: dict[str, Message] = {}
    for po in catalog_files("zh_CN"):
        with po.open("rb") as handle:
            messages.update({m.id: m for m in read_po(handle, locale="zh_CN") if m.id})
    return messages


def test_every_string_in_the_pages_has_a_chinese_translation() -> None:
    catalog = _chinese_catalog()
    untranslated = {
        s for s in _strings_in_the_sources() if not getattr(catalog.get(s), "string", "")
    }
    assert untranslated == set()


def test_no_chinese_translation_is_a_fuzzy_guess() -> None:
    fuzzy = [m.id for m in _chinese_catalog().values() if m.fuzzy]
    assert fuzzy == []  # gettext drops fuzzy entries: the page would fall back to English


def test_apps_translate_a_shared_string_the_same_way() -> None:
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in catalog_files("zh_CN"):
        with po.open("rb") as handle:
            for m in read_po(handle, locale="zh_CN"):
                if m.id and m.string:
                    first = seen.setdefault(m.id, (po.name, m.string))
                    if first[1] != m.string:
                        clashes.append(f"{m.id!r}: {first} vs {(po.name, m.string)}")
    assert clashes == []


def test_a_string_translated_in_an_app_catalog_is_used() -> None:
    # every catalog file is loaded; the result covers all of them
    catalog = _chinese_catalog()
    translated = translations("zh_CN")
    assert all(
        translated.gettext(i) == m.string
        for i, m in catalog.items()
        if isinstance(i, str) and m.string and not m.fuzzy
    )


def test_the_risk_notice_reads_in_chinese() -> None:
    assert translations("zh_CN").gettext("Risk notice") == "风险提示"
    assert translations("en").gettext("Risk notice") == "Risk notice"


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, None, DEFAULT_LOCALE),
        ("en", "zh_CN", "zh", "en"),
        (None, "en", "zh-CN", "en"),
        (None, None, "en-US,en;q=0.9", "en"),
        (None, None, "zh-TW,zh;q=0.9", "zh_CN"),
        ("fr", "xx", "fr-FR", DEFAULT_LOCALE),
    ],
)
def test_language_is_chosen_explicitly_then_saved_then_from_the_browser(
    query: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(query, cookie, accept) == expected
