"""Settings refuse unsafe defaults outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from zengzhi.config import Settings

STRONG = "x" * 40


def test_development_runs_on_defaults() -> None:
    settings = Settings()
    assert settings.database_url.startswith("sqlite")
    assert settings.sms_provider == "console"


def test_production_refuses_the_placeholder_secret_console_sms_and_insecure_cookies() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(environment="production")
    text = str(error.value)
    assert "ZENGZHI_SECRET_KEY" in text
    assert "ZENGZHI_SMS_PROVIDER=console" in text
    assert "ZENGZHI_SESSION_COOKIE_SECURE" in text


def test_production_with_aliyun_needs_its_keys() -> None:
    with pytest.raises(ValidationError, match="ZENGZHI_ALIYUN_ACCESS_KEY_ID"):
        Settings(
            environment="production",
            secret_key=STRONG,
            sms_provider="aliyun",
            session_cookie_secure=True,
        )


def test_production_with_safe_settings_starts() -> None:
    settings = Settings(
        environment="production",
        secret_key=STRONG,
        sms_provider="aliyun",
        session_cookie_secure=True,
        aliyun_access_key_id="id",
        aliyun_access_key_secret="secret",
    )
    assert settings.environment == "production"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENGZHI_DATABASE_URL", "postgresql+psycopg://db/zz")
    monkeypatch.setenv("ZENGZHI_PORT", "9000")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://db/zz"
    assert settings.port == 9000


def test_a_test_environment_still_needs_a_real_secret() -> None:
    with pytest.raises(ValidationError, match="32\\+ characters"):
        Settings(environment="test", secret_key="short")
