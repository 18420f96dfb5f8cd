"""Sending SMS codes through a provider interface: a console provider and Aliyun's."""

from zengzhi.sms.provider import ConsoleSmsProvider, SmsError, SmsProvider

__all__ = ["ConsoleSmsProvider", "SmsError", "SmsProvider"]
