"""The Bilibili parser on real ``view`` bodies from ``shared/fixtures/real2`` (see PROVENANCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from connectors.bilibili.parse import parse_any
from tracker.records import ParsedPage

from ...helpers.real import real2_path

CAPTURED = datetime(2026, 12, 4, tzinfo=UTC)


def _parse(name: str) -> ParsedPage:
    body = json.loads(real2_path(name).read_text(encoding="utf-8"))
    return parse_any(body, captured_at=CAPTURED, source="import")


def test_view() -> None:
    (work,) = _parse("bilibili-web-interface-view-b.json").posts
    assert (work.platform_post_id, work.context["aid"]) == ("BV1BQwyzVEcE", "116255470197715")
    assert work.published_at == datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
    m = work.metrics
    assert (m.views, m.likes, m.comments, m.shares, m.favorites) == (
        2043738,
        145789,
        8190,
        8402,
        27387,
    )
    assert work.account_uid == "1636034895"


def test_view_detail_is_the_one_video_not_its_related_list() -> None:
    page = _parse("bilibili-web-interface-view-detail-av170001.json")
    (work,) = page.posts  # data.Related holds 40 recommendations: not results
    assert (work.platform_post_id, work.context["aid"]) == ("BV17x411w7KC", "170001")
    assert work.published_at == datetime(2011, 11, 9, 14, 55, 33, tzinfo=UTC)
    assert work.hashtags == ["发现《Hop》", "保加利亚妖王", "保加利亚", "Азис", "azis", "mv"]
    (owner,) = page.accounts
    assert (owner.platform_uid, owner.name, owner.followers) == ("122541", "冰封.虾子", 64052)
