"""The Kuaishou parser on real bodies from ``shared/fixtures/real2`` (see its PROVENANCE.md).

``kuaishou-rest-ugh5app-photo-info.json`` is a dict of two h5 REST responses keyed by their
request path: ``/rest/zt/share/w/web`` (a share token, no work) and
``/rest/wd/ugH5App/photo/simple/info`` (the work, its counts and its author's fan count).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.kuaishou.parse import parse_any, parse_h5_photo_info
from tracker.errors import ParseError
from tracker.imports.routing import find_endpoint

from ...helpers.real import real2_path

CAPTURED = datetime(2026, 12, 4, tzinfo=UTC)
PHOTO_INFO = "/rest/wd/ugH5App/photo/simple/info"
SHARE = "/rest/zt/share/w/web"


def _body(name: str) -> Any:
    return json.loads(real2_path(name).read_text(encoding="utf-8"))


def test_h5_photo_info_response() -> None:
    responses = _body("kuaishou-rest-ugh5app-photo-info.json")
    page = parse_h5_photo_info(responses[PHOTO_INFO], captured_at=CAPTURED, source="import")
    (work,) = page.posts
    assert work.platform_post_id == "3xburnkmj3auazc"  # share_info photoId = clientCacheKey
    assert work.context == {"photo_id": "5239938275131911888"}
    assert work.account_uid == "3xuw52inejca9tm"  # userEid, the web id of the author
    m = work.metrics
    assert (m.views, m.likes, m.comments, m.shares, m.favorites) == (
        679835,
        34728,
        2420,
        2404,
        None,
    )
    assert work.published_at == datetime(2023, 8, 9, 8, 49, 22, 433000, tzinfo=UTC)
    assert work.published_at_source == "field"
    assert work.duration_s == 93 and work.content_type == "video"
    assert work.text == "杰哥竟是我自己😂😂 #清夏乐园大秘境 #原神 #COS"
    assert work.followers_at_capture == 124589
    (author,) = page.accounts
    assert (author.platform_uid, author.name, author.followers) == (
        "3xuw52inejca9tm",
        "冰心汤圆",
        124589,
    )


def test_saved_dict_of_responses_reads_the_work_and_passes_over_the_share_token() -> None:
    page = parse_any(
        _body("kuaishou-rest-ugh5app-photo-info.json"), captured_at=CAPTURED, source="import"
    )
    assert [p.platform_post_id for p in page.posts] == ["3xburnkmj3auazc"]
    assert not page.rejects


def test_a_body_of_no_known_shape_is_refused_with_its_shape_named() -> None:
    share_only = {SHARE: _body("kuaishou-rest-ugh5app-photo-info.json")[SHARE]}
    with pytest.raises(ParseError, match=r"/rest/zt/share/w/web") as caught:
        parse_any(share_only, captured_at=CAPTURED, source="import")
    assert "ugH5App/photo/simple/info" in str(caught.value)  # says what it does read
    with pytest.raises(ParseError, match=r"keys: \['host-name', 'hostName', 'result', 'share'\]"):
        parse_any(share_only[SHARE], captured_at=CAPTURED, source="import")


def test_graphql_video_detail_prefers_the_exact_like_count() -> None:
    page = parse_any(
        _body("kuaishou-graphql-vision-video-detail.json"), captured_at=CAPTURED, source="import"
    )
    (work,) = page.posts
    assert work.platform_post_id == "3xfg9g3udsuzi7e"
    assert work.metrics.likes == 695508  # realLikeCount, not likeCount "69.6万"
    assert work.metrics.views == 57833000  # viewCount "5783.3万"
    assert work.metrics.comments is None
    assert work.published_at == datetime(2025, 4, 12, 4, 9, 0, 621000, tzinfo=UTC)
    assert work.hashtags == ["速跑斯克追光Pro", "小弹簧"]


@pytest.mark.parametrize(
    "url",
    [
        "https://v.m.chenzhongtech.com/rest/wd/ugH5App/photo/simple/info?kpn=KUAISHOU",
        "https://www.kuaishou.com/rest/wd/ugH5App/photo/simple/info",
    ],
)
def test_captured_h5_photo_info_is_routed_by_url(url: str) -> None:
    endpoint = find_endpoint(url)
    assert endpoint is not None and endpoint.parse is parse_h5_photo_info
