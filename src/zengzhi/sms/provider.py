"""The SMS provider interface and the console provider used in development and the demo."""

from __future__ import annotations

import sys
from typing import Protocol, TextIO


class SmsError(RuntimeError):
    """The provider refused or failed to send; `code` is the provider's reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SmsProvider(Protocol):
    def send_code(self, phone: str, code: str) -> None:
        """Send a one-time code to `phone` (E.164 or mainland 11-digit)."""


class ConsoleSmsProvider:
    """Prints codes instead of sending them, and remembers the last one per phone."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self.last_code: dict[str, str] = {}

    def send_code(self, phone: str, code: str) -> None:
        self.last_code[phone] = code
        stream = self._stream or sys.stderr
        print(f"[sms:console] code for {phone}: {code}", file=stream, flush=True)
