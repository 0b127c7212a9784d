"""The signer plug-in: specs, the three signers, the dev signer server, signed requests."""

from __future__ import annotations

import io
import json
import socket
import sys
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from tracker.errors import ConfigError, SignerMissing
from tracker.http import (
    CommandSigner,
    HttpClient,
    HttpSettings,
    HttpSigner,
    Signer,
    SignerError,
    make_signer,
    parse_cookie_header,
)
from tracker.services.signers import choose_signer
from tracker.signing.dev import DevSigner, dev_sign, verify
from tracker.signing.server import answer, main_command_mode, serve_dev_signer

from ..helpers.ports import free_port

STDIN_SIGNER = [sys.executable, "-m", "tracker.signing.server", "--stdin"]

REQUEST: dict[str, Any] = {
    "platform": "douyin",
    "method": "GET",
    "url": "https://www.douyin.test/aweme/v1/web/challenge/aweme/?ch_id=1&cursor=0",
    "params": {"ch_id": "1", "cursor": "0"},
    "body": None,
    "cookies": {"ttwid": "tt-cookie-value"},
}


class RecordingSigner:
    """Wraps a signer and keeps the requests it was asked to sign."""

    def __init__(self, inner: Signer) -> None:
        self.inner = inner
        self.requests: list[dict[str, Any]] = []

    def sign(self, request: dict[str, Any]) -> dict[str, dict[str, str]]:
        self.requests.append(json.loads(json.dumps(request)))
        return self.inner.sign(request)


# ---------------------------------------------------------------- specs and helpers


def test_make_signer_specs() -> None:
    assert make_signer(None) is None
    assert make_signer("  ") is None
    with pytest.raises(ConfigError, match="开发签名"):
        make_signer("dev")  # the production HTTP layer never builds the stand-in itself
    cmd = make_signer("cmd:node sign.js --platform 'zhi hu'")
    assert isinstance(cmd, CommandSigner) and cmd.argv == [
        "node",
        "sign.js",
        "--platform",
        "zhi hu",
    ]
    http = make_signer("http://127.0.0.1:8765/sign")
    assert isinstance(http, HttpSigner) and http.url == "http://127.0.0.1:8765/sign"
    with pytest.raises(ConfigError):
        make_signer("cmd:")
    with pytest.raises(ConfigError):
        make_signer("ftp://x")


def test_the_collect_service_chooses_the_dev_signer() -> None:
    assert choose_signer(None) is None and choose_signer(" ") is None
    assert isinstance(choose_signer("dev"), DevSigner)
    assert isinstance(choose_signer("http://127.0.0.1:8765/sign"), HttpSigner)
    assert isinstance(choose_signer("cmd:node sign.js"), CommandSigner)
    with pytest.raises(ConfigError, match="TRACKER_ZHIHU_SIGNER"):
        choose_signer("ftp://x", where="TRACKER_ZHIHU_SIGNER")


def test_parse_cookie_header() -> None:
    assert parse_cookie_header('a=1; b = two ; c="q v"; broken; =x; d=e=f') == {
        "a": "1",
        "b": "two",
        "c": "q v",
        "d": "e=f",
    }
    assert parse_cookie_header(None) == {} and parse_cookie_header("") == {}


def test_dev_signer_matches_dev_scheme() -> None:
    assert DevSigner().sign(REQUEST) == dev_sign("douyin", REQUEST["params"], None)


# ---------------------------------------------------------------- command signer


def test_command_signer_real_subprocess() -> None:
    got = CommandSigner(STDIN_SIGNER).sign(REQUEST)
    assert got == dev_sign("douyin", {"ch_id": "1", "cursor": "0"}, None)
    assert set(got["params"]) == {"a_bogus"} and got["headers"] == {}


def test_command_signer_from_spec_string() -> None:
    signer = make_signer("cmd:" + " ".join(STDIN_SIGNER))
    zhihu = {**REQUEST, "platform": "zhihu"}
    got = signer.sign(zhihu)
    assert got["headers"]["x-zse-96"].startswith("2.0_")
    assert got["headers"]["x-zse-93"] == "101_3_3.0"


def test_command_signer_non_zero_exit_hides_cookies() -> None:
    echo_and_fail = [
        sys.executable,
        "-c",
        "import sys; sys.stderr.write('got: ' + sys.stdin.read()); sys.exit(3)",
    ]
    with pytest.raises(SignerError) as info:
        CommandSigner(echo_and_fail).sign(REQUEST)
    message = str(info.value)
    assert "exited with code 3" in message
    assert "got:" in message  # stderr is shown ...
    assert "tt-cookie-value" not in message  # ... with the cookie value blanked


def test_command_signer_bad_json() -> None:
    with pytest.raises(SignerError, match="did not print a JSON answer"):
        CommandSigner([sys.executable, "-c", "print('nope')"]).sign(REQUEST)


def test_command_signer_wrong_shape() -> None:
    with pytest.raises(SignerError, match='"params" as list'):
        CommandSigner([sys.executable, "-c", "print('{\"params\": []}')"]).sign(REQUEST)


def test_command_signer_missing_program() -> None:
    with pytest.raises(SignerError, match="not found"):
        CommandSigner(["/nonexistent/kepu-signer"]).sign(REQUEST)


def test_command_signer_timeout() -> None:
    slow = [sys.executable, "-c", "import time; time.sleep(10)"]
    with pytest.raises(SignerError, match="did not answer within 0.3 s"):
        CommandSigner(slow, timeout_s=0.3).sign(REQUEST)


def test_stdin_mode_in_process() -> None:
    out = io.StringIO()
    assert main_command_mode(io.StringIO(json.dumps(REQUEST)), out) == 0
    assert json.loads(out.getvalue()) == dev_sign("douyin", REQUEST["params"], None)
    assert main_command_mode(io.StringIO('{"params": {}}'), io.StringIO()) == 2


def test_answer_validates_the_contract() -> None:
    with pytest.raises(ValueError, match="platform"):
        answer({"params": {}})
    with pytest.raises(ValueError, match="body"):
        answer({"platform": "zhihu", "body": 3})


# ---------------------------------------------------------------- http signer and server


def test_http_signer_against_dev_signer_server() -> None:
    with serve_dev_signer() as server:
        assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/sign")
        got = HttpSigner(server.url).sign(REQUEST)
        post = {**REQUEST, "platform": "xiaohongshu", "method": "POST", "body": '{"a":1}'}
        got_post = HttpSigner(server.url).sign(post)
    assert got == dev_sign("douyin", REQUEST["params"], None)
    assert got_post == dev_sign("xiaohongshu", REQUEST["params"], '{"a":1}')
    assert got_post["headers"]["x-s"].startswith("XYW_")


def test_http_signer_bad_request_and_wrong_path() -> None:
    with serve_dev_signer() as server:
        with pytest.raises(SignerError, match="HTTP 400"):
            HttpSigner(server.url).sign({"method": "GET", "cookies": {"a": "cookie-secret"}})
        with pytest.raises(SignerError, match="HTTP 404"):
            HttpSigner(server.url.replace("/sign", "/other")).sign(REQUEST)


def test_http_signer_unreachable() -> None:
    with pytest.raises(SignerError, match="unreachable"):
        HttpSigner(f"http://127.0.0.1:{free_port()}/sign", timeout_s=2).sign(REQUEST)


def test_server_stops() -> None:
    server = serve_dev_signer()
    port = server.port
    server.stop()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


# ---------------------------------------------------------------- signed requests end to end


def make(platform: str, plugin: Signer | None = None, **settings: Any) -> HttpClient:
    return HttpClient(
        platform,
        f"https://www.{platform}.test",
        settings=HttpSettings(**settings),
        signer=plugin,
        sleep=lambda s: None,
        env={},
    )


def sent_params(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))


def test_signer_missing_is_a_clear_error_before_any_request() -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.get("https://www.zhihu.test/api/v4/search_v3").mock(
            return_value=httpx.Response(200, json={})
        )
        with make("zhihu") as http, pytest.raises(SignerMissing) as info:
            http.get_json("/api/v4/search_v3", params={"q": "x"}, sign=True)
    message = str(info.value)
    assert "[platforms.zhihu] signer" in message and "TRACKER_ZHIHU_SIGNER" in message
    assert "签名插件" in message and "config/campaign.toml" in message
    assert info.value.platform == "zhihu"
    assert not route.called


def test_signer_from_environment_when_config_names_none() -> None:
    http = HttpClient(
        "douyin",
        "https://www.douyin.test",
        settings=HttpSettings(signer=None),
        env={"TRACKER_DOUYIN_SIGNER": "http://127.0.0.1:9/sign"},
    )
    with http:
        assert isinstance(http.signer, HttpSigner)


def test_a_dev_spec_the_client_was_not_given_a_signer_for_is_refused() -> None:
    with pytest.raises(ConfigError, match="开发签名"):
        HttpClient(
            "douyin",
            "https://www.douyin.test",
            settings=HttpSettings(signer=None),
            env={"TRACKER_DOUYIN_SIGNER": "dev"},
        )


def test_configured_signer_wins_over_environment() -> None:
    http = HttpClient(
        "douyin",
        "https://www.douyin.test",
        settings=HttpSettings(signer="http://127.0.0.1:9/sign"),
        env={"TRACKER_DOUYIN_SIGNER": "dev"},
    )
    with http:
        assert isinstance(http.signer, HttpSigner)


def test_signed_get_params_equal_what_was_sent() -> None:
    recorder = RecordingSigner(DevSigner())
    with respx.mock() as router:
        route = router.get("https://www.douyin.test/aweme/v1/web/challenge/aweme/").mock(
            return_value=httpx.Response(200, json={"status_code": 0})
        )
        with make("douyin", recorder) as http:
            http.get_json(
                "/aweme/v1/web/challenge/aweme/?device_platform=webapp&aid=6383",
                params={
                    "ch_id": "1653447426925574",
                    "cursor": 0,
                    "count": 20,
                    "keyword": "千万 IP",
                },
                sign=True,
            )
    request = route.calls.last.request
    sent = sent_params(request)
    assert "a_bogus" in sent
    signed = recorder.requests[0]
    assert signed["params"] == {k: v for k, v in sent.items() if k != "a_bogus"}
    assert signed["method"] == "GET" and signed["body"] is None and signed["platform"] == "douyin"
    # the URL the signer saw is the wire URL minus the appended signature
    assert str(request.url).startswith(signed["url"] + "&a_bogus=")
    assert verify("douyin", sent, dict(request.headers), None)


def test_signed_header_platform_verifies() -> None:
    with respx.mock() as router:
        route = router.get("https://www.zhihu.test/api/v4/search_v3").mock(
            return_value=httpx.Response(200, json={"data": []})
        )
        with make("zhihu", DevSigner()) as http:
            http.get_json(
                "/api/v4/search_v3", params={"t": "general", "q": "#千万IP创科普#"}, sign=True
            )
    request = route.calls.last.request
    assert request.headers["x-zse-96"].startswith("2.0_")
    assert verify("zhihu", sent_params(request), dict(request.headers), None)
    assert not verify("zhihu", {**sent_params(request), "q": "other"}, dict(request.headers), None)


def test_signed_post_signs_the_exact_body_sent() -> None:
    recorder = RecordingSigner(DevSigner())
    body = {"keyword": "千万IP创科普", "page": 1, "page_size": 20, "sort": "time_descending"}
    with respx.mock() as router:
        route = router.post("https://www.xiaohongshu.test/api/sns/web/v1/search/notes").mock(
            return_value=httpx.Response(200, json={"success": True, "data": {"items": []}})
        )
        with make("xiaohongshu", recorder) as http:
            http.post_json("/api/sns/web/v1/search/notes", body, sign=True)
    request = route.calls.last.request
    assert request.content.decode("utf-8") == recorder.requests[0]["body"]
    assert request.content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert verify("xiaohongshu", sent_params(request), dict(request.headers), request.content)


def test_signer_gets_the_cookies_that_are_sent() -> None:
    recorder = RecordingSigner(DevSigner())
    env = {"ZHIHU_COOKIE": "d_c0=AbC; z_c0=zz"}
    with respx.mock() as router:
        route = router.get("https://www.zhihu.test/api/v4/search_v3").mock(
            return_value=httpx.Response(200, json={})
        )
        http = HttpClient(
            "zhihu",
            "https://www.zhihu.test",
            settings=HttpSettings(cookie_env="ZHIHU_COOKIE"),
            signer=recorder,
            env=env,
        )
        with http:
            http.get_json("/api/v4/search_v3", params={"q": "x"}, sign=True)
    assert recorder.requests[0]["cookies"] == {"d_c0": "AbC", "z_c0": "zz"}
    assert route.calls.last.request.headers["cookie"] == "d_c0=AbC; z_c0=zz"


def test_signed_request_through_command_signer_from_settings() -> None:
    spec = "cmd:" + " ".join(STDIN_SIGNER)
    with respx.mock() as router:
        route = router.get("https://www.kuaishou.test/rest/v/search/feed").mock(
            return_value=httpx.Response(200, json={"result": 1})
        )
        with make("kuaishou", signer=spec) as http:
            assert isinstance(http.signer, CommandSigner)
            http.get_json("/rest/v/search/feed", params={"keyword": "千万IP创科普"}, sign=True)
    request = route.calls.last.request
    assert "__NS_hxfalcon" in sent_params(request)
    assert verify("kuaishou", sent_params(request), dict(request.headers), None)


def test_signed_request_through_http_signer_and_server() -> None:
    with serve_dev_signer() as server, respx.mock() as router:
        route = router.get("https://www.douyin.test/aweme/v1/web/aweme/detail/").mock(
            return_value=httpx.Response(200, json={"aweme_detail": {}})
        )
        with make("douyin", signer=server.url) as http:
            assert isinstance(http.signer, HttpSigner)
            http.get_json("/aweme/v1/web/aweme/detail/", params={"aweme_id": "7"}, sign=True)
    request = route.calls.last.request
    assert verify("douyin", sent_params(request), dict(request.headers), None)


def test_signer_is_called_again_for_each_attempt() -> None:
    recorder = RecordingSigner(DevSigner())
    with respx.mock() as router:
        router.get("https://www.douyin.test/x").mock(
            side_effect=[httpx.Response(503), httpx.Response(200, json={})]
        )
        with make("douyin", recorder) as http:
            http.get_json("/x", params={"a": "1"}, sign=True)
    assert len(recorder.requests) == 2


def test_a_crashing_custom_signer_becomes_signer_error() -> None:
    class Broken:
        def sign(self, request: dict[str, Any]) -> dict[str, dict[str, str]]:
            raise KeyError("oops")

    with respx.mock(assert_all_called=False), make("douyin", Broken()) as http:
        with pytest.raises(SignerError, match="KeyError"):
            http.get_json("/x", sign=True)


def test_signer_headers_replace_defaults_case_insensitively() -> None:
    class Fixed:
        def sign(self, request: dict[str, Any]) -> dict[str, Any]:
            return {"headers": {"user-agent": "SignerUA/1", "X-T": 1700000000}, "params": {}}

    with respx.mock() as router:
        route = router.get("https://www.xiaohongshu.test/x").mock(
            return_value=httpx.Response(200, json={})
        )
        with make("xiaohongshu", Fixed()) as http:
            http.get_json("/x", sign=True)
    request = route.calls.last.request
    assert request.headers.get_list("user-agent") == ["SignerUA/1"]
    assert request.headers["x-t"] == "1700000000"
