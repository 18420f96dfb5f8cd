"""The console SMS provider shows codes to the developer (and the demo)."""

from __future__ import annotations

import io

from zengzhi.sms import ConsoleSmsProvider


def test_console_provider_prints_and_remembers_the_code() -> None:
    stream = io.StringIO()
    provider = ConsoleSmsProvider(stream)
    provider.send_code("13800138000", "123456")
    assert "13800138000: 123456" in stream.getvalue()
    assert provider.last_code["13800138000"] == "123456"
