"""The Aliyun SMS adapter over real HTTP against a local stub that checks the signature.

The stub re-derives the signature with its own implementation of Aliyun's documented
RPC signature (percent-encoding written out character by character), so the adapter is
not checked against itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl

import httpx
import pytest

from zengzhi.sms import SmsError
from zengzhi.sms.aliyun import AliyunSmsProvider, rpc_signature

KEY_ID, KEY_SECRET = "LTAI-test-id", "test-secret-value"
UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def _encode(text: str) -> str:
    return "".join(chr(b) if chr(b) in UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def _expected_signature(method: str, params: dict[str, str]) -> str:
    query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_encode('/')}&{_encode(query)}"
    mac = hmac.new(f"{KEY_SECRET}&".encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


class _Stub(BaseHTTPRequestHandler):
    received: list[dict[str, str]] = []  # noqa: RUF012 - shared with the test on purpose
    answer: dict[str, str] = {"Code": "OK", "Message": "OK"}  # noqa: RUF012

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        signature = params.pop("Signature", "")
        ok = params.get("AccessKeyId") == KEY_ID and signature == _expected_signature(
            "POST", params
        )
        _Stub.received.append(params)
        body = _Stub.answer if ok else {"Code": "SignatureDoesNotMatch", "Message": "bad sig"}
        payload = json.dumps(body).encode()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.received = []
    _Stub.answer = {"Code": "OK", "Message": "OK"}
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def _provider(endpoint: str, secret: str = KEY_SECRET) -> AliyunSmsProvider:
    return AliyunSmsProvider(
        access_key_id=KEY_ID,
        access_key_secret=secret,
        sign_name="增值",
        template_code="SMS_000001",
        endpoint=endpoint,
        client=httpx.Client(timeout=5.0),
        clock=lambda: datetime(2026, 11, 22, 2, 42, 19, tzinfo=UTC),
    )


def test_signature_matches_aliyuns_documented_example() -> None:
    """The worked example of Alibaba Cloud's RPC signature documentation (ECS)."""
    params = {
        "Timestamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }
    assert rpc_signature("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_a_code_is_sent_with_a_signature_the_stub_accepts(stub: str) -> None:
    _provider(stub).send_code("13800138000", "482913")
    (params,) = _Stub.received
    assert params["Action"] == "SendSms"
    assert params["PhoneNumbers"] == "13800138000"
    assert params["SignName"] == "增值"
    assert json.loads(params["TemplateParam"]) == {"code": "482913"}
    assert params["Timestamp"] == "2026-11-22T02:42:19Z"


def test_a_wrong_secret_is_refused_by_the_stub_and_reported(stub: str) -> None:
    with pytest.raises(SmsError) as error:
        _provider(stub, secret="wrong").send_code("13800138000", "482913")
    assert error.value.code == "SignatureDoesNotMatch"


def test_a_provider_refusal_is_reported_with_its_reason(stub: str) -> None:
    _Stub.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控"}
    with pytest.raises(SmsError, match="触发小时级流控"):
        _provider(stub).send_code("13800138000", "482913")


def test_an_unreachable_service_is_a_clear_error() -> None:
    with pytest.raises(SmsError) as error:
        _provider("http://127.0.0.1:9/").send_code("13800138000", "1")
    assert error.value.code == "sms_unreachable"
