"""Aliyun (Alibaba Cloud) SMS: the SendSms action of the Dysmsapi 2017-05-25 RPC API.

Requests are signed as Aliyun's RPC signature (version 1.0, HMAC-SHA1) documents it:
1. every parameter (common and action ones, without Signature) is percent-encoded as
   RFC 3986 (UTF-8; space as %20, '*' as %2A, '~' kept);
2. pairs are sorted by encoded key and joined as k=v with '&': the canonicalized query;
3. StringToSign = METHOD + '&' + encode('/') + '&' + encode(canonicalized query);
4. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + '&', StringToSign)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from zengzhi.sms.provider import SmsError

API_VERSION = "2017-05-25"


def percent_encode(value: str) -> str:
    return quote(value, safe="~")


def canonicalized_query(params: Mapping[str, str]) -> str:
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def rpc_signature(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonicalized_query(params))}"
    digest = hmac.new(f"{access_key_secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsProvider:
    """Sends codes with a template whose variable is `code` (e.g. 您的验证码为${code})."""

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        endpoint: str = "https://dysmsapi.aliyuncs.com/",
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        nonce: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._key_id = access_key_id
        self._secret = access_key_secret
        self._sign_name = sign_name
        self._template = template_code
        self._endpoint = endpoint
        self._client = client or httpx.Client(timeout=10.0)
        self._clock = clock
        self._nonce = nonce

    def signed_params(self, phone: str, code: str) -> dict[str, str]:
        params = {
            "AccessKeyId": self._key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self._nonce(),
            "SignatureVersion": "1.0",
            "Timestamp": self._clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            "PhoneNumbers": phone,
            "SignName": self._sign_name,
            "TemplateCode": self._template,
            "TemplateParam": json.dumps({"code": code}, separators=(",", ":")),
        }
        params["Signature"] = rpc_signature("POST", params, self._secret)
        return params

    def send_code(self, phone: str, code: str) -> None:
        try:
            response = self._client.post(self._endpoint, data=self.signed_params(phone, code))
        except httpx.HTTPError as error:
            raise SmsError(
                "sms_unreachable", f"the SMS service could not be reached: {error}"
            ) from error
        try:
            reply = response.json()
        except ValueError:
            raise SmsError(
                "sms_bad_reply", f"the SMS service answered {response.status_code}"
            ) from None
        if reply.get("Code") != "OK":
            raise SmsError(
                str(reply.get("Code", "sms_failed")),
                f"the SMS service refused: {reply.get('Message', 'no reason given')}",
            )
