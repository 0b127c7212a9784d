"""A saved Douyin error body is refused as a whole, with the platform's own message.

The live client classifies ``{"ok": 0, "msg": …}`` and non-zero ``status_code`` bodies
(``connectors.douyin.signals.check_body``); a body saved from the same answer and imported must
not be read as data either (an "empty page" would import nothing and say "ok"). The parsers'
``_body`` reuses that classification, so the import refuses the file and names the message.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from connectors.douyin.parse import parse_any, parse_aweme_list, parse_general_search
from tests.helpers.cli import cli_json
from tests.helpers.database import count
from tests.imports.har_builder import entry, write_har
from tracker.errors import ParseError

CAPTURED = "2024-09-15T02:00:00Z"
AT = datetime(2024, 9, 15, tzinfo=UTC)


def _saved(tmp_path: Path, body: dict[str, Any], name: str = "douyin.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ok": 0, "msg": "请完成验证后继续"}, "请完成验证后继续"),
        ({"ok": 0, "msg": "用户未登录"}, "用户未登录"),
        ({"status_code": 2483, "status_msg": "请先登录，再继续搜索吧"}, "请先登录，再继续搜索吧"),
        ({"status_code": 2190, "status_msg": "参数错误", "data": []}, "参数错误"),
    ],
)
def test_saved_error_body_is_a_refused_file_naming_the_message(
    tmp_path: Path, db_url: str, engine: Engine, body: dict[str, Any], message: str
) -> None:
    report = cli_json(db_url, "--platform", "douyin", str(_saved(tmp_path, body)))
    assert report["status"] == "failed", report
    assert report["counts"]["new"] == 0 and report["counts"]["rejected"] == 1
    (reject,) = report["rejects"]
    assert message in reject["reason"] and reject["reason"].startswith("douyin")
    assert count(engine, "post") == 0


def test_captured_ok_zero_answer_is_refused_not_an_empty_page(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """A HAR whose challenge/aweme answer was the gateway's refusal."""
    har = write_har(
        tmp_path / "capture.har",
        [
            entry(
                "https://www.douyin.com/aweme/v1/web/challenge/aweme/?ch_id=1",
                {"ok": 0, "msg": "访问被拒绝"},
                started=CAPTURED,
            )
        ],
    )
    report = cli_json(db_url, str(har))
    assert report["counts"]["rejected"] == 1 and report["counts"]["new"] == 0
    (reject,) = report["rejects"]
    assert "访问被拒绝" in reject["reason"] and "Blocked" in reject["reason"]
    assert count(engine, "post") == 0


@pytest.mark.parametrize("parse", [parse_aweme_list, parse_general_search, parse_any])
def test_parsers_refuse_the_refusal(parse: Any) -> None:
    """Before, ``parse_general_search`` read this body as an empty search page."""
    with pytest.raises(ParseError, match="请完成验证后继续"):
        parse({"ok": 0, "msg": "请完成验证后继续"}, captured_at=AT)


def test_a_string_zero_status_code_is_still_data() -> None:
    """The classification reads ``"0"`` as 0 (a proxy may send codes as strings)."""
    page = parse_aweme_list({"status_code": "0", "aweme_list": [], "has_more": 0}, captured_at=AT)
    assert page.posts == [] and page.has_more is False
