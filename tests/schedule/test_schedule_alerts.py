"""Alert payloads as 企业微信 / 钉钉 robots expect them, checked against a receiver on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tracker.schedule.alerts import (
    WECOM_MAX_BYTES,
    Alert,
    AlertSender,
    blocked_alert,
    digest_alert,
    failing_alert,
)

SENT_AT = datetime(2024, 9, 10, 0, 5, tzinfo=UTC)


class Receiver:
    """A loopback HTTP server that records every POST and answers what the test tells it."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: dict[str, tuple[int, Any]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                receiver.requests.append(
                    {
                        "path": parts.path,
                        "query": parse_qs(parts.query),
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(raw.decode("utf-8")),
                    }
                )
                status, answer = receiver.answers.get(
                    parts.path, (200, {"errcode": 0, "errmsg": "ok"})
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        )

    def by_path(self, path: str) -> dict[str, Any]:
        matches = [r for r in self.requests if r["path"] == path]
        assert len(matches) == 1, self.requests
        return matches[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()
    r.thread.join(5)


def env_for(receiver: Receiver, **extra: str) -> dict[str, str]:
    return {
        "TRACKER_WECOM_WEBHOOK": f"{receiver.url}/cgi-bin/webhook/send?key=WECOM-KEY-123",
        "TRACKER_DINGTALK_WEBHOOK": f"{receiver.url}/robot/send?access_token=DING-TOKEN-456",
        "TRACKER_ALERT_WEBHOOK": f"{receiver.url}/hooks/tracker",
        **extra,
    }


def sender(env: dict[str, str]) -> AlertSender:
    return AlertSender(env, clock=lambda: SENT_AT, sleep=lambda _s: None, timeout_s=5)


COOKIE_MESSAGE = "微博需要重新登录：请更新环境变量 TRACKER_WEIBO_COOKIE 中的 Cookie"


def test_blocked_alert_reaches_every_robot_in_its_format(receiver: Receiver) -> None:
    alert = blocked_alert("weibo", "login_required", COOKIE_MESSAGE, job="collect:weibo")
    deliveries = sender(env_for(receiver)).send(alert)
    assert [(d.channel, d.ok) for d in deliveries] == [
        ("wecom", True),
        ("dingtalk", True),
        ("generic", True),
    ]
    expected_text = (
        "### 【kepu-tracker】微博需要更新 Cookie\n"
        "- 任务：collect:weibo\n"
        "- 状态：login_required\n"
        f"- 说明：{COOKIE_MESSAGE}\n"
        "- 处理后该平台将在下一次定时任务时自动继续（或运行 `tracker schedule --once`）。"
    )
    wecom = receiver.by_path("/cgi-bin/webhook/send")
    assert wecom["query"] == {"key": ["WECOM-KEY-123"]}
    assert wecom["content_type"] == "application/json"
    assert wecom["body"] == {"msgtype": "markdown", "markdown": {"content": expected_text}}

    ding = receiver.by_path("/robot/send")
    assert ding["query"] == {"access_token": ["DING-TOKEN-456"]}
    assert ding["body"] == {
        "msgtype": "markdown",
        "markdown": {"title": "【kepu-tracker】微博需要更新 Cookie", "text": expected_text},
    }

    generic = receiver.by_path("/hooks/tracker")["body"]
    assert generic == {
        "source": "kepu-tracker",
        "kind": "blocked",
        "title": "【kepu-tracker】微博需要更新 Cookie",
        "text": expected_text,
        "data": {
            "platform": "weibo",
            "status": "login_required",
            "message": COOKIE_MESSAGE,
            "job": "collect:weibo",
        },
        "sent_at": "2024-09-10T00:05:00+00:00",
    }


def test_dingtalk_signed_robot_gets_timestamp_and_sign(receiver: Receiver) -> None:
    env = {
        "TRACKER_DINGTALK_WEBHOOK": f"{receiver.url}/robot/send?access_token=T",
        "TRACKER_DINGTALK_SECRET": "SECabc",
    }
    sender(env).send(failing_alert("refresh", "刷新指标", ["e1", "e2"]))
    query = receiver.by_path("/robot/send")["query"]
    stamp = int(SENT_AT.timestamp() * 1000)
    assert query["timestamp"] == [str(stamp)]
    digest = hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(digest).decode()]
    assert query["access_token"] == ["T"]


def test_failed_sends_are_logged_without_secrets_and_never_raise(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.answers["/cgi-bin/webhook/send"] = (500, {"error": "down"})
    receiver.answers["/robot/send"] = (
        200,
        {"errcode": 310000, "errmsg": "keywords not in content"},
    )
    env = env_for(receiver)
    env["TRACKER_ALERT_WEBHOOK"] = "http://127.0.0.1:9/hooks/SECRET-PATH"  # nothing listens
    caplog.set_level(logging.DEBUG)
    deliveries = sender(env).send(failing_alert("collect:weibo", "采集微博", ["a", "b"]))
    assert [(d.channel, d.ok) for d in deliveries] == [
        ("wecom", False),
        ("dingtalk", False),
        ("generic", False),
    ]
    assert "HTTP 500" in (deliveries[0].error or "")
    assert "310000" in (deliveries[1].error or "")
    assert (
        len([r for r in receiver.requests if r["path"] == "/cgi-bin/webhook/send"]) == 2
    )  # one retry
    assert "告警发送失败（企业微信）" in caplog.text
    for secret in ("WECOM-KEY-123", "DING-TOKEN-456", "SECRET-PATH"):
        assert secret not in caplog.text
        assert all(secret not in (d.error or "") for d in deliveries)


def test_no_webhook_configured_sends_nothing() -> None:
    s = AlertSender({})
    assert s.channels == []
    assert s.send(failing_alert("refresh", "刷新", ["x", "y"])) == []


def test_wecom_content_is_clipped_to_the_robot_limit(receiver: Receiver) -> None:
    lines = tuple(f"- 第 {i} 行：千万IP创科普活动作品标题很长很长很长" for i in range(400))
    alert = Alert(kind="digest", title="日报", lines=lines)
    sender({"TRACKER_WECOM_WEBHOOK": f"{receiver.url}/cgi-bin/webhook/send?key=K"}).send(alert)
    content = receiver.by_path("/cgi-bin/webhook/send")["body"]["markdown"]["content"]
    assert len(content.encode("utf-8")) <= WECOM_MAX_BYTES
    assert content.startswith("### 【kepu-tracker】日报\n- 第 0 行")
    assert content.endswith("……（内容过长，已截断）")


def test_digest_lists_new_works_top_works_and_platform_counts() -> None:
    summary = {
        "day": "2024-09-09",
        "new_works": 3,
        "total_works": 40,
        "platforms": {
            "weibo": {"new_works": 2, "total_works": 30},
            "bilibili": {"new_works": 1, "total_works": 10},
        },
        "top_works": [
            {
                "platform": "weibo",
                "platform_post_id": "1",
                "title": "为什么天是蓝的 [图]",
                "url": "https://m.weibo.cn/detail/1",
                "account_name": "科普博主",
                "likes": 120,
                "comments": 30,
                "shares": None,
            },
            {
                "platform": "bilibili",
                "platform_post_id": "BV1",
                "title": None,
                "text": "无标题视频",
            },
        ],
        "report_dir": "reports/2024-09-09",
    }
    alert = digest_alert(summary)
    assert alert.kind == "digest"
    assert alert.title == "日报 2024-09-09"
    assert alert.lines == (
        "**2024-09-09**（北京时间）",
        "- 新发布活动作品：**3** 件；累计 40 件",
        "- 微博：新增 2，累计 30",
        "- 哔哩哔哩：新增 1，累计 10",
        "**当日作品前 2 名**（互动量（原始）：点赞+评论+转发+收藏）",
        "1. 微博 [为什么天是蓝的 ［图］](https://m.weibo.cn/detail/1)（科普博主） 赞 120 · 评 30 · 转 0",
        "2. 哔哩哔哩 无标题视频 赞 0 · 评 0 · 转 0",
        "报告目录：`reports/2024-09-09`",
    )
