"""Alerts to staff group chats: 企业微信 and 钉钉 group robots, and a generic JSON webhook.

The webhook addresses come from the environment (never from ``campaign.toml``, which is shared
and versioned): ``TRACKER_WECOM_WEBHOOK``, ``TRACKER_DINGTALK_WEBHOOK`` (plus
``TRACKER_DINGTALK_SECRET`` when the robot uses 加签) and ``TRACKER_ALERT_WEBHOOK``. The robot URLs
carry their access key in the query string, so a URL is never logged: failures name the channel
and what went wrong, nothing more.

An alert often quotes a platform's error message, which may echo the request's cookie, so
every alert is scrubbed of every configured secret (``tracker.redaction``) just before it goes
out: the last line of defence, whatever built the text.

Sending is best effort by design: an alert that cannot be delivered is logged and dropped, and
never fails or delays the job that raised it beyond one short timeout per channel.

Robot formats (the documented group-robot APIs)::

    企业微信  {"msgtype": "markdown", "markdown": {"content": "..."}}          (content <= 4096 bytes)
    钉钉      {"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}
    generic   {"source": "kepu-tracker", "kind": ..., "title": ..., "text": ..., "data": {...}, "sent_at": ...}

Both robots answer ``{"errcode": 0, "errmsg": "ok"}``; any other ``errcode`` is a failed send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.errors import ConnectorError
from tracker.redaction import scrub, secrets_in_env

log = logging.getLogger("tracker.schedule.alerts")

WECOM_ENV = "TRACKER_WECOM_WEBHOOK"
DINGTALK_ENV = "TRACKER_DINGTALK_WEBHOOK"
DINGTALK_SECRET_ENV = "TRACKER_DINGTALK_SECRET"
GENERIC_ENV = "TRACKER_ALERT_WEBHOOK"

CHANNEL_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "generic": "通用 Webhook"}
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 18000
TITLE_PREFIX = "【kepu-tracker】"
"""Every title starts with this, so a 钉钉 robot with a 自定义关键词 rule can use ``kepu-tracker``."""


@dataclass(frozen=True, slots=True)
class Alert:
    """One message: a title, markdown body lines, and the same facts as data for machines."""

    kind: str
    title: str
    lines: tuple[str, ...]
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def full_title(self) -> str:
        return f"{TITLE_PREFIX}{self.title}"

    def markdown(self) -> str:
        return "\n".join((f"### {self.full_title}", *self.lines))


def _clip(text: str, max_bytes: int) -> str:
    """Cut at a line boundary so the robot's byte limit is never exceeded mid-character."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    marker = "\n……（内容过长，已截断）"
    budget = max_bytes - len(marker.encode("utf-8"))
    out: list[str] = []
    used = 0
    for line in text.split("\n"):
        size = len(line.encode("utf-8")) + 1
        if used + size > budget:
            break
        out.append(line)
        used += size
    return "\n".join(out) + marker


def wecom_payload(alert: Alert) -> dict[str, Any]:
    return {
        "msgtype": "markdown",
        "markdown": {"content": _clip(alert.markdown(), WECOM_MAX_BYTES)},
    }


def dingtalk_payload(alert: Alert) -> dict[str, Any]:
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": alert.full_title,
            "text": _clip(alert.markdown(), DINGTALK_MAX_BYTES),
        },
    }


def generic_payload(alert: Alert, sent_at: datetime) -> dict[str, Any]:
    return {
        "source": "kepu-tracker",
        "kind": alert.kind,
        "title": alert.full_title,
        "text": alert.markdown(),
        "data": dict(alert.data),
        "sent_at": sent_at.astimezone(UTC).isoformat(),
    }


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with 钉钉's 加签 parameters: HMAC-SHA256 of ``"{timestamp}\\n{secret}"``."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    sign = quote(base64.b64encode(digest).decode("ascii"), safe="")
    sep = "&" if urlsplit(url).query else "?"
    return f"{url}{sep}timestamp={timestamp_ms}&sign={sign}"


def scrubbed_alert(alert: Alert, secrets: set[str]) -> Alert:
    """``alert`` with every configured secret taken out of its title, lines and data."""
    return replace(
        alert,
        title=scrub(alert.title, secrets),
        lines=tuple(scrub(line, secrets) for line in alert.lines),
        data=_scrubbed_data(alert.data, secrets),
    )


def _scrubbed_data(value: Any, secrets: set[str]) -> Any:
    """Strings anywhere inside the alert's data (nested dicts and lists) scrubbed."""
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, Mapping):
        return {k: _scrubbed_data(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed_data(v, secrets) for v in value]
    return value


def _robot_check(body: Any, _response: Any) -> None:
    if isinstance(body, dict) and body.get("errcode", 0) not in (0, "0"):
        raise ConnectorError(
            f"机器人返回错误 errcode={body.get('errcode')} {body.get('errmsg', '')}"
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    channel: str
    ok: bool
    error: str | None = None


class AlertSender:
    """Sends an alert to every configured channel; never raises (see the module doc)."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        timeout_s: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        environ = os.environ if env is None else env
        self._urls = {
            channel: (environ.get(var) or "").strip()
            for channel, var in (
                ("wecom", WECOM_ENV),
                ("dingtalk", DINGTALK_ENV),
                ("generic", GENERIC_ENV),
            )
        }
        self._dingtalk_secret = (environ.get(DINGTALK_SECRET_ENV) or "").strip()
        self._secrets = secrets_in_env(environ)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._timeout_s = timeout_s
        self._sleep = sleep

    @property
    def channels(self) -> list[str]:
        return [c for c, url in self._urls.items() if url]

    def send(self, alert: Alert) -> list[Delivery]:
        results = []
        alert = scrubbed_alert(alert, self._secrets)
        for channel in self.channels:
            try:
                url, body = self._request(channel, alert)
                self._post(channel, url, body)
            except Exception as exc:  # noqa: BLE001 - an alert must never stop a job
                error = self._describe(channel, exc)
                log.warning("告警发送失败（%s）：%s", CHANNEL_NAMES[channel], error)
                results.append(Delivery(channel, False, error))
            else:
                log.info("告警已发送（%s）：%s", CHANNEL_NAMES[channel], alert.title)
                results.append(Delivery(channel, True))
        return results

    def _request(self, channel: str, alert: Alert) -> tuple[str, dict[str, Any]]:
        url = self._urls[channel]
        if channel == "wecom":
            return url, wecom_payload(alert)
        if channel == "dingtalk":
            if self._dingtalk_secret:
                stamp = int(self._clock().timestamp() * 1000)
                url = dingtalk_signed_url(url, self._dingtalk_secret, stamp)
            return url, dingtalk_payload(alert)
        return url, generic_payload(alert, self._clock())

    def _describe(self, channel: str, exc: Exception) -> str:
        """The error with every part of the webhook URL that could be a secret taken out."""
        text = f"{type(exc).__name__}: {exc}"
        parts = urlsplit(self._urls[channel])
        for secret in (parts.path, parts.query, self._dingtalk_secret):
            if secret and len(secret) > 1:
                text = text.replace(secret, "…")
        return text

    def _post(self, channel: str, url: str, body: Any) -> Any:
        """One POST through the shared HTTP layer (timeouts, typed errors, retry on 5xx/429).

        The generic webhook gets a single attempt: its secret may sit in the URL path, which the
        HTTP layer's retry log line would show.
        """
        from tracker.http import HttpClient, HttpSettings

        robot = channel != "generic"
        settings = HttpSettings(
            timeout_s=self._timeout_s,
            connect_timeout_s=min(5.0, self._timeout_s),
            max_attempts=2 if robot else 1,
            max_wait_s=5.0,
            backoff_initial_s=1.0,
            backoff_max_s=2.0,
        )
        with HttpClient("alert", url, settings=settings, env={}, sleep=self._sleep) as client:
            return client.post_json(url, body, check=_robot_check if robot else None)


# --------------------------------------------------------------------------- message builders


def _zh(platform: str) -> str:
    return PLATFORM_NAMES_ZH.get(platform, platform)


def blocked_alert(platform: str, status: str, message: str | None, *, job: str) -> Alert:
    """A platform stopped: cookie expired, signer missing or a block. The message names the setting."""
    heading = {
        "login_required": "需要更新 Cookie",
        "signer_missing": "缺少签名插件",
        "blocked": "被平台拦截",
    }.get(status, "采集失败")
    return Alert(
        kind="blocked",
        title=f"{_zh(platform)}{heading}",
        lines=(
            f"- 任务：{job}",
            f"- 状态：{status}",
            f"- 说明：{message or '（无）'}",
            "- 处理后该平台将在下一次定时任务时自动继续（或运行 `tracker schedule --once`）。",
        ),
        data={"platform": platform, "status": status, "message": message, "job": job},
    )


def failing_alert(job: str, description: str, errors: Sequence[str | None]) -> Alert:
    """A job failed on its last two runs in a row."""
    shown = [e or "（无错误信息）" for e in errors]
    return Alert(
        kind="failing",
        title=f"任务连续 {len(shown)} 次失败：{description}",
        lines=(f"- 任务：{job}", *(f"- 第 {i} 次：{e}" for i, e in enumerate(reversed(shown), 1))),
        data={"job": job, "errors": list(errors)},
    )


def _work_line(rank: int, work: Mapping[str, Any]) -> str:
    title = (work.get("title") or work.get("text") or work["platform_post_id"]).replace("\n", " ")
    title = title[:40] + ("…" if len(title) > 40 else "")
    title = title.replace("[", "［").replace("]", "］")
    name = f"[{title}]({work['url']})" if work.get("url") else title
    who = f"（{work['account_name']}）" if work.get("account_name") else ""
    return (
        f"{rank}. {_zh(work['platform'])} {name}{who} "
        f"赞 {work.get('likes') or 0} · 评 {work.get('comments') or 0} · 转 {work.get('shares') or 0}"
    )


def digest_alert(summary: Mapping[str, Any], *, weekly: bool = False) -> Alert:
    """The daily (or weekly) digest: new works, top works, per-platform counts."""
    platforms: Mapping[str, Mapping[str, int]] = summary.get("platforms", {})
    period = f"{summary['start']} 至 {summary['end']}" if weekly else f"{summary['day']}"
    lines = [
        f"**{period}**（北京时间）",
        f"- 新发布活动作品：**{summary['new_works']}** 件；累计 {summary['total_works']} 件",
    ]
    for platform, counts in platforms.items():
        lines.append(
            f"- {_zh(platform)}：新增 {counts.get('new_works', 0)}，累计 {counts.get('total_works', 0)}"
        )
    top = summary.get("top_works", [])
    if top:
        lines.append(
            f"**{'本周' if weekly else '当日'}作品前 {len(top)} 名**（互动量（原始）：点赞+评论+转发+收藏）"
        )
        lines.extend(_work_line(i, w) for i, w in enumerate(top, 1))
    else:
        lines.append("（本期没有新发布的活动作品）")
    if summary.get("report_dir"):
        lines.append(f"报告目录：`{summary['report_dir']}`")
    return Alert(
        kind="weekly" if weekly else "digest",
        title=f"{'周报' if weekly else '日报'} {period}",
        lines=tuple(lines),
        data=dict(summary),
    )
