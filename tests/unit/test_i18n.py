"""Translations: Chinese first and complete, English on request."""

from __future__ import annotations

from importlib import resources

import pytest
from babel.messages.pofile import read_po

from zengzhi.web.i18n import DEFAULT_LOCALE, negotiate, translations


def test_every_string_in_the_pages_has_a_chinese_translation() -> None:
    locale_dir = resources.files("zengzhi.web").joinpath("locale")
    with locale_dir.joinpath("messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with locale_dir.joinpath("zh_CN", "LC_MESSAGES", "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    translated = {m.id for m in catalog if m.id and m.string}
    assert wanted - translated == set()


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
