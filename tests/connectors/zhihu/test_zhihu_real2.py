"""The Zhihu parser on real detail bodies from ``shared/fixtures/real2`` (see its PROVENANCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from connectors.zhihu.parse import parse_detail
from tracker.normalize.tags import tag_key
from tracker.records import PostRecord

from ...helpers.real import real2_path

CAPTURED = datetime(2026, 12, 4, tzinfo=UTC)


def _body(name: str) -> dict[str, Any]:
    return json.loads(real2_path(name).read_text(encoding="utf-8"))


def _work(body: dict[str, Any]) -> PostRecord:
    (work,) = parse_detail(body, captured_at=CAPTURED, source="import").posts
    return work


def test_article_topics_are_its_tags() -> None:
    work = _work(_body("zhihu-api-v4-article-detail.json"))
    assert work.platform_post_id == "584852445" and work.content_type == "article"
    assert work.hashtags == ["链接", "链接分析"]  # topics[].name
    m = work.metrics
    assert (m.likes, m.comments, m.favorites) == (62, 41, 138)
    assert work.published_at == datetime(2022, 11, 19, 5, 7, 50, tzinfo=UTC)
    assert work.account_uid == "wo-ya-97-41"


def test_answer_detail() -> None:
    work = _work(_body("zhihu-api-v4-answer-detail.json"))
    assert work.platform_post_id == "2047878874239963146"
    assert work.context == {"question_id": "661955118"}
    assert (work.metrics.likes, work.metrics.comments) == (16472, 1170)
    assert work.published_at == datetime(2026, 6, 9, 19, 12, 51, tzinfo=UTC)
    assert work.account_uid == "fa9fffd14407fc804c4b4955f84a6853"
    assert work.hashtags == []  # the question's topics are not the answer's


def test_a_topic_running_into_text_is_one_tag() -> None:
    """The real answer with a ``#话题#`` that runs straight into more text, then again closed."""
    body = _body("zhihu-api-v4-answer-detail.json")
    body["content"] = "<p>#高考加油#冲刺最后一周！#高考加油#</p>"
    assert _work(body).hashtags == ["#高考加油"]


def test_one_tag_in_title_and_text_is_one_tag() -> None:
    body = _body("zhihu-api-v4-article-detail.json")
    body["title"] = "#高考加油# 倒计时"
    body["content"] = "<p>#高考加油 冲刺</p>"
    keys = [tag_key(t) for t in _work(body).hashtags]
    assert keys == ["链接", "链接分析", "高考加油"]
