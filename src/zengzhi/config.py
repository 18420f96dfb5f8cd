"""One settings object for the whole product, read from ZENGZHI_* environment variables.

Validated once at start. Outside development it refuses the unsafe defaults that make a
local demo convenient: the placeholder secret, the console SMS provider, insecure cookies.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-insecure-secret-change-me"


class Settings(BaseSettings):
    """Everything configurable, with development defaults."""

    model_config = SettingsConfigDict(env_prefix="ZENGZHI_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./zengzhi.sqlite3"
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    # SMS: "console" prints codes (development and the demo); "aliyun" sends them
    sms_provider: Literal["console", "aliyun"] = "console"
    aliyun_access_key_id: str = ""
    aliyun_access_key_secret: SecretStr = SecretStr("")
    aliyun_sms_sign_name: str = ""
    aliyun_sms_template_code: str = ""
    aliyun_sms_endpoint: str = "https://dysmsapi.aliyuncs.com/"

    sms_code_ttl_seconds: int = Field(300, ge=60)
    sms_per_phone_per_hour: int = Field(5, ge=1)
    sms_per_ip_per_hour: int = Field(20, ge=1)
    sms_wrong_codes_before_lock: int = Field(5, ge=1)
    sms_lock_seconds: int = Field(900, ge=60)

    merchant_signature_window_seconds: int = Field(300, ge=30)
    session_cookie_secure: bool = False
    session_ttl_seconds: int = Field(7 * 24 * 3600, ge=300)
    # issue 4: how often `serve` settles orders past their return window
    auto_settle_seconds: int = Field(60, ge=1)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "development":
            return self
        problems = []
        secret = self.secret_key.get_secret_value()
        if secret == DEV_SECRET or len(secret) < 32:
            problems.append("ZENGZHI_SECRET_KEY must be set to a random value of 32+ characters")
        if self.environment == "production":
            if self.sms_provider == "console":
                problems.append("ZENGZHI_SMS_PROVIDER=console only prints codes; use aliyun")
            if not self.session_cookie_secure:
                problems.append("ZENGZHI_SESSION_COOKIE_SECURE must be true (HTTPS only)")
            if self.sms_provider == "aliyun" and not (
                self.aliyun_access_key_id and self.aliyun_access_key_secret.get_secret_value()
            ):
                problems.append("Aliyun SMS needs ZENGZHI_ALIYUN_ACCESS_KEY_ID and _SECRET")
        if problems:
            raise ValueError("unsafe settings for " + self.environment + ": " + "; ".join(problems))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated on first use."""
    return Settings()
