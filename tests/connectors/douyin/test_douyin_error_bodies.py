"""Douyin's error bodies are errors, never a successful empty page.

Besides its ``status_code`` bodies, Douyin's gateway answers some refusals as
``{"ok": 0, "msg": "..."}`` (no ``status_code``, no data). Read as success, a challenge search
finds no challenge and the run "completes" with nothing collected. Each such body must raise the
error its message means: ``LoginRequired`` for a login wall, ``Blocked`` for a verification or
refusal, ``RateLimited`` for "too frequent", ``ParseError`` for anything else.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.douyin.signals import check_body
from tracker.errors import Blocked, ConnectorError, LoginRequired, ParseError, RateLimited

VARIABLE = "TRACKER_DOUYIN_COOKIE"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"ok": 0, "msg": "用户未登录"}, LoginRequired),
        ({"ok": 0, "msg": "请先登录，再继续搜索吧"}, LoginRequired),
        ({"ok": "0", "msg": "login required"}, LoginRequired),
        ({"ok": 0, "msg": "请完成验证后继续"}, Blocked),
        ({"ok": 0, "msg": "访问被拒绝"}, Blocked),
        ({"ok": False, "msg": "captcha required"}, Blocked),
        ({"ok": 0, "msg": "请求太频繁，请稍后再试"}, RateLimited),
        ({"ok": 0, "msg": "系统繁忙"}, ParseError),
        ({"ok": 0}, ParseError),
        ({"status_code": 2190, "status_msg": "参数错误"}, ParseError),
        ({"status_code": 4, "status_msg": "请完成安全验证"}, Blocked),
        ({"status_code": "8", "status_msg": "用户未登录"}, LoginRequired),
        ({"status_code": 10, "status_msg": "请先登录"}, LoginRequired),
        ({"status_code": -1, "msg": "服务器开小差了"}, ParseError),
    ],
)
def test_an_error_body_raises_what_it_means(body: dict[str, Any], expected: type) -> None:
    with pytest.raises(expected) as info:
        check_body(body, cookie_variable=VARIABLE)
    assert type(info.value) is expected or issubclass(type(info.value), expected)
    assert info.value.platform == "douyin"
    if expected is LoginRequired:
        assert info.value.variable == VARIABLE and VARIABLE in str(info.value)


def test_success_bodies_still_pass() -> None:
    check_body({"status_code": 0, "challenge_list": [], "has_more": 0})
    check_body({"status_code": 0, "aweme_list": [], "has_more": 0, "cursor": 0})
    check_body({"status_code": 5, "status_msg": "用户不存在"}, allow_codes={5})


_codes = st.one_of(
    st.integers(min_value=-10_000, max_value=10_000).filter(lambda c: c != 0),
    st.integers(min_value=1, max_value=99_999).map(str),
)
_messages = st.one_of(st.none(), st.text(max_size=30))


@settings(max_examples=200, deadline=None)
@given(
    code=_codes,
    message=_messages,
    message_key=st.sampled_from(["status_msg", "msg", "message"]),
    extra=st.dictionaries(
        st.sampled_from(["aweme_list", "challenge_list", "has_more", "cursor", "data"]),
        st.one_of(st.just([]), st.just(0), st.just({})),
        max_size=3,
    ),
)
def test_no_failing_status_code_is_ever_success(
    code: int | str, message: str | None, message_key: str, extra: dict[str, Any]
) -> None:
    """Whatever else the body holds, a non-zero ``status_code`` is an error of the tree."""
    body: dict[str, Any] = {**extra, "status_code": code, message_key: message}
    with pytest.raises(ConnectorError) as info:
        check_body(body, cookie_variable=VARIABLE)
    assert type(info.value) is not ConnectorError  # always classified, never the bare base


@settings(max_examples=100, deadline=None)
@given(
    ok=st.sampled_from([0, "0", False]),
    message=_messages,
    message_key=st.sampled_from(["msg", "message", "status_msg"]),
)
def test_no_ok_zero_body_is_ever_success(ok: Any, message: str | None, message_key: str) -> None:
    with pytest.raises(ConnectorError) as info:
        check_body({"ok": ok, message_key: message}, cookie_variable=VARIABLE)
    assert type(info.value) is not ConnectorError
