"""The Xiaohongshu simulator module: search cards and note details parse back to the world's notes."""

from __future__ import annotations

import json

import pytest
from xhs_world import NOW, FakeContext, make_posts

from connectors.xiaohongshu.parse import parse_feed, parse_search_notes
from connectors.xiaohongshu.signals import check_body
from tracker.errors import Blocked, LoginRequired, RateLimited
from tracker.signing.dev import dev_sign
from tracker.sim.model import SimRequest, SimResponse
from tracker.sim.platforms.xiaohongshu import SIM, XiaohongshuSim, display_count, xsec_token

SEARCH = "/api/sns/web/v1/search/notes"
FEED = "/api/sns/web/v1/feed"


def signed(path: str, payload: dict, *, sign: bool = True) -> SimRequest:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"content-type": "application/json"}
    if sign:
        headers.update(dev_sign("xiaohongshu", {}, body)["headers"])
    return SimRequest("POST", path, {}, headers, body)


def search(keyword: str, page: int = 1, **extra) -> SimRequest:
    payload = {
        "keyword": keyword,
        "page": page,
        "page_size": 20,
        "search_id": "2e5x",
        "sort": "general",
        "note_type": 0,
    }
    payload.update(extra)
    return signed(SEARCH, payload)


def feed(note_id: str, token: str) -> SimRequest:
    return signed(
        FEED, {"source_note_id": note_id, "xsec_source": "pc_search", "xsec_token": token}
    )


def handler(sim: XiaohongshuSim, path: str):
    (h,) = [r.handler for r in sim.routes() if r.pattern.match(path)]
    return h


def test_search_then_detail_reads_back_the_world_exactly():
    ctx = FakeContext(make_posts())
    world = {p.post_id: p for p in ctx.posts}
    seen: list[str] = []
    page_no = 1
    while True:
        response = handler(SIM, SEARCH)(search("千万IP创科普", page_no), ctx)
        check_body(response.body)
        cards = parse_search_notes(response.body, captured_at=NOW)
        assert cards.rejects == []  # the rec_query item on page 1 is skipped
        for card in cards.posts:
            sim = world[card.platform_post_id]
            assert card.metrics.likes == sim.metrics.likes
            assert card.account_uid == sim.account.uid
            assert card.context["xsec_token"] == xsec_token(sim)
            detail_response = handler(SIM, FEED)(feed(sim.post_id, card.context["xsec_token"]), ctx)
            check_body(detail_response.body)
            (post,) = parse_feed(detail_response.body, captured_at=NOW).posts
            assert post.platform_post_id == sim.post_id
            assert post.published_at == sim.published_at
            assert post.metrics.likes == sim.metrics.likes
            assert post.metrics.favorites == sim.metrics.favorites
            assert post.metrics.comments == sim.metrics.comments
            assert post.metrics.shares == sim.metrics.shares
            assert post.metrics.views is None
            assert post.title == (sim.title or None)
            assert post.text == sim.text
            assert post.content_type == sim.content_type
            assert post.duration_s == sim.duration_s
            assert post.hashtags[0] == "千万IP创科普" and "科普" in post.hashtags
        seen += [p.platform_post_id for p in cards.posts]
        if not cards.has_more:
            break
        page_no += 1
    assert page_no == 3
    campaign = {p.post_id for p in ctx.posts if p.matches_campaign and not p.deleted}
    assert len(seen) == len(set(seen)) == 45 and set(seen) == campaign


def test_counts_as_strings_and_abbreviated_mode():
    ctx = FakeContext(make_posts())
    sim = make_posts()[44]  # likes 31*45**3+44 = 2_824_919
    body = handler(SIM, FEED)(feed(sim.post_id, xsec_token(sim)), ctx).body
    interact = body["data"]["items"][0]["note_card"]["interact_info"]
    assert interact["liked_count"] == "2824919"
    assert isinstance(interact["comment_count"], str)
    assert len(str(body["data"]["items"][0]["note_card"]["time"])) == 13
    short = XiaohongshuSim(abbreviate_counts=True)
    body = handler(short, FEED)(feed(sim.post_id, xsec_token(sim)), ctx).body
    interact = body["data"]["items"][0]["note_card"]["interact_info"]
    assert interact["liked_count"] == "10万+"
    (post,) = parse_feed(body, captured_at=NOW).posts
    assert post.metrics.likes == 100_000


@pytest.mark.parametrize(
    "n, shown", [(9_999, "9999"), (12_345, "1.2万"), (10_000, "1万"), (100_000, "10万+")]
)
def test_display_count(n, shown):
    assert display_count(n) == shown


def test_deleted_and_wrong_token_details():
    ctx = FakeContext(make_posts())
    gone = handler(SIM, FEED)(feed("66ffffff000000001b0dead0", "x"), ctx).body
    assert gone["code"] == -510000
    check_body(gone, allow_not_found=True)
    assert parse_feed(gone, captured_at=NOW).posts == []
    sim = make_posts()[1]
    wrong = handler(SIM, FEED)(feed(sim.post_id, "ABwrong="), ctx).body
    assert wrong["code"] == -510001
    assert xsec_token(sim) == "ABtok0001xyz="  # the world's own token is used when it sets one
    derived = xsec_token(make_posts()[0])
    assert derived.startswith("AB") and len(derived) == 42


def test_deleted_notes_are_not_served_by_search():
    ctx = FakeContext(make_posts())
    ids = []
    for page in (1, 2, 3):
        ids += [
            i["id"]
            for i in handler(SIM, SEARCH)(search("千万ip创科普", page), ctx).body["data"]["items"]
        ]
    assert "66ffffff000000001b0dead0" not in ids


def test_note_type_filter():
    ctx = FakeContext(make_posts())
    body = handler(SIM, SEARCH)(search("千万IP创科普", note_type=1), ctx).body
    types = {i["note_card"]["type"] for i in body["data"]["items"] if i["model_type"] == "note"}
    assert types == {"video"}


def test_signature_missing_or_wrong_is_rejected_as_blocked():
    ctx = FakeContext(make_posts())
    payload = {"keyword": "千万IP创科普", "page": 1}
    unsigned = handler(SIM, SEARCH)(signed(SEARCH, payload, sign=False), ctx)
    assert unsigned.status == 406 and unsigned.body == {"code": -1, "success": False}

    class Response:
        status_code = 406
        headers: dict = {}

    with pytest.raises(Blocked, match="signature"):
        check_body(unsigned.body, Response())
    good = signed(SEARCH, payload)
    forged = SimRequest(
        "POST", SEARCH, {}, good.headers, good.body.replace(b'"page":1', b'"page":2')
    )
    assert handler(SIM, SEARCH)(forged, ctx).status == 406
    assert ctx.search_calls == 0


def test_failure_signals_map_to_typed_errors():
    with pytest.raises(RateLimited):
        check_body(SIM.throttle_response().body)
    with pytest.raises(LoginRequired) as info:
        check_body(SIM.login_wall_response().body, cookie_variable="TRACKER_XIAOHONGSHU_COOKIE")
    assert info.value.variable == "TRACKER_XIAOHONGSHU_COOKIE"
    block: SimResponse = SIM.block_response()
    assert block.status == 461 and block.body["success"] is True  # looks like success

    class Response:
        status_code = block.status
        headers = block.headers

    with pytest.raises(Blocked, match="461"):
        check_body(block.body, Response())
    with pytest.raises(Blocked, match="300012"):
        check_body(block.body)  # the body alone is enough too
