"""Comments in the simulated world: determinism, consistency with the counts, and the endpoints.

The endpoint tests page every comment endpoint to its end with plain httpx (signing where the
platform checks a signature) and compare what came back with :func:`comment_truth`, field by
field, the way a later collection test compares the store.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.helpers.simulator import LIVE
from tracker.signing.dev import dev_sign
from tracker.sim.api import SimServer
from tracker.sim.comments import CommentConfig, CommentIds
from tracker.sim.engagement import counts_at
from tracker.sim.truth import comment_truth, iter_comment_truth
from tracker.sim.units import unit_rows
from tracker.sim.world import DEFAULT_NOW, World

SEED, SCALE = 5, 60
CONFIG = CommentConfig(cap=60)  # still several pages on the busiest works, a third of the work


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=SEED, scale=SCALE, comments=CONFIG)


@pytest.fixture(scope="module")
def truth(world: World) -> dict[str, list[dict[str, Any]]]:
    """Every visible work's comment truth at the default instant, per platform."""
    out: dict[str, list[dict[str, Any]]] = {p: [] for p in LIVE}
    for record in iter_comment_truth(world, DEFAULT_NOW, platforms=LIVE):
        out[record["platform"]].append(record)
    return out


# --- the world --------------------------------------------------------------------------------


def test_same_seed_same_comments_other_seed_other_comments(truth) -> None:
    again = World(seed=SEED, scale=SCALE, comments=CONFIG)
    other = World(seed=SEED + 1, scale=SCALE, comments=CONFIG)
    for platform in LIVE:
        busiest = max(truth[platform], key=lambda r: r["readable"])
        assert busiest["readable"] > 0, platform
        assert comment_truth(again, platform, busiest["post_id"]) == busiest
        index = again.platform(platform).post_index(busiest["post_id"])
        assert index is not None
        mine = again.comments.work(platform, index)
        theirs = other.comments.work(platform, index)
        assert [s.comment_id for s in mine.seeds] != [s.comment_id for s in theirs.seeds]


def test_readable_never_exceeds_the_claimed_count(world: World, truth) -> None:
    below = 0
    for platform in LIVE:
        pw = world.platform(platform)
        for record in truth[platform]:
            assert record["claimed"] is not None
            assert record["readable"] <= record["claimed"], record["post_id"]
            below += record["readable"] < record["claimed"]
            # at every instant a comment appears, and the second before
            index = pw.post_index(record["post_id"])
            assert index is not None
            work, curve = world.comments.work(platform, index), pw.post_seed(index).curve
            for t in work.times:
                for instant in (t - 1, t):
                    assert work.published_by(instant) <= counts_at(curve, instant)[2]
    assert below > 20  # hidden/deleted comments: the count is above what can be read
    record = max(truth["zhihu"], key=lambda r: r["readable"])
    first = datetime.fromisoformat(record["comments"][0]["published_at"])
    early = comment_truth(world, "zhihu", record["post_id"], first)
    assert early is not None and 1 <= early["readable"] <= early["claimed"]
    assert (
        comment_truth(world, "zhihu", record["post_id"], first - timedelta(seconds=1))["readable"]
        == 0
    )


def test_bought_engagement_leaves_most_of_the_count_unreadable() -> None:
    world = World(seed=SEED, scale=SCALE, comments=CommentConfig(hidden_share=0.0))
    late = DEFAULT_NOW + timedelta(days=90)  # every count has reached its final value
    bought = organic = 0
    for platform in LIVE:
        pw = world.platform(platform)
        for index in range(pw.n):
            seed = pw.post_seed(index)
            if seed.anomaly == "lockstep" or (seed.anomaly is None and index % 5):
                continue
            record = comment_truth(world, platform, seed.post_id, late)
            if record is None or record["claimed"] < 3:
                continue
            if seed.anomaly == "bought_likes":
                bought += 1
                assert record["readable"] <= 0.3 * record["claimed"] + 1
            else:
                organic += 1
                assert record["readable"] >= min(200, record["claimed"]) - 1
    assert bought and organic


def test_comment_cap_bounds_every_work() -> None:
    world = World(seed=SEED, scale=SCALE, comments=CommentConfig(cap=7))
    records = list(iter_comment_truth(world, platforms=["weibo"]))
    assert max(r["readable"] for r in records) == 7
    assert max(r["claimed"] for r in records) > 7


def test_replies_hang_off_an_earlier_root_in_the_same_work(truth) -> None:
    replies = 0
    for platform in LIVE:
        for record in truth[platform]:
            by_id = {c["comment_id"]: c for c in record["comments"]}
            assert len(by_id) == len(record["comments"])
            counted: Counter[str] = Counter()
            for c in record["comments"]:
                assert c["post_id"] == record["post_id"]
                if c["root_id"] is None:
                    assert c["parent_id"] is None
                    continue
                replies += 1
                root, parent = by_id[c["root_id"]], by_id[c["parent_id"]]
                assert root["root_id"] is None
                assert (
                    parent["comment_id"] == root["comment_id"]
                    or parent["root_id"] == root["comment_id"]
                )
                assert root["published_at"] <= parent["published_at"] <= c["published_at"]
                assert c["reply_to_uid"] == parent["commenter_uid"]
                counted[c["root_id"]] += 1
            for c in record["comments"]:
                assert c["reply_count"] == counted[c["comment_id"]]
    assert replies > 100


def test_registry_accounts_are_among_the_commenters(world: World, truth) -> None:
    registry = {(r["platform"], r["account_id"]) for r in unit_rows(world) if r["account_id"]}
    for platform in LIVE:
        commenters = {
            (platform, c["commenter_uid"]) for r in truth[platform] for c in r["comments"]
        }
        linked = commenters & registry
        assert linked, platform
        assert len(linked) < len(commenters) / 2  # mostly the anonymous public
        units = {
            c["commenter_unit"]
            for r in truth[platform]
            for c in r["comments"]
            if (platform, c["commenter_uid"]) in registry
        }
        assert None not in units


def test_anonymous_commenters_have_no_profile(world: World, truth) -> None:
    ctx = world.context(DEFAULT_NOW)
    for platform in LIVE:
        anonymous = [
            c for r in truth[platform] for c in r["comments"] if c["commenter_unit"] is None
        ][:50]
        missing = [c for c in anonymous if ctx.account(platform, c["commenter_uid"]) is None]
        assert missing, platform


def test_lockstep_works_repeat_one_text_from_many_accounts(truth) -> None:
    found = 0
    for platform in LIVE:
        for record in truth[platform]:
            lock = [c for c in record["comments"] if c["lockstep"]]
            if record["anomaly"] != "lockstep":
                assert not lock
                continue
            if len(lock) >= 5:
                found += 1
                assert len({c["text"] for c in lock}) == 1
                assert len({c["commenter_uid"] for c in lock}) == len(lock)
                times = [datetime.fromisoformat(c["published_at"]) for c in lock]
                assert max(times) - min(times) <= timedelta(minutes=30)
    assert found >= 3


def test_some_weibo_comments_carry_the_campaign_tag(truth) -> None:
    tagged = [c for r in truth["weibo"] for c in r["comments"] if c["tags"]]
    assert tagged
    assert all(c["tags"][0] in c["text"] for c in tagged)
    assert all(
        c["tags"] == [] for p in LIVE if p != "weibo" for r in truth[p] for c in r["comments"]
    )


def test_comment_ids_decode_to_their_work_and_slot() -> None:
    for platform in LIVE:
        ids = CommentIds(SEED, platform)
        for index, k in ((0, 0), (12_345, 199), (999_999, 1023)):
            assert ids.decode(ids.encode(index, k, 1_726_000_000)) == (index, k)
        assert ids.decode("not-an-id") is None


# --- the endpoints ----------------------------------------------------------------------------


class Retry(Exception):
    """A transient answer the client retries (fault profiles)."""


def _check(resp: httpx.Response) -> Any:
    if resp.status_code in (412, 429, 432) or resp.status_code >= 500:
        raise Retry(resp.status_code)
    if resp.headers.get("content-type", "").startswith("text/html"):
        raise Retry("html")
    try:
        body = resp.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Retry("truncated") from None
    if isinstance(body, dict) and (body.get("result") == 2 or body.get("code") == 300013):
        raise Retry("throttle")
    return body


class Client:
    """GET/POST with the development signature where the platform checks one, and retries."""

    def __init__(self, sim: SimServer, platform: str, http: httpx.Client) -> None:
        self.base = sim.base_urls[platform]
        self.platform = platform
        self.http = http
        self.requests = 0

    def get(self, path: str, params: dict[str, Any]) -> Any:
        params = {k: str(v) for k, v in params.items()}
        signed = dev_sign(self.platform, params, None)
        params.update(signed["params"])
        return self._retry(
            lambda: self.http.get(self.base + path, params=params, headers=signed["headers"])
        )

    def graphql(self, operation: str, variables: dict[str, Any]) -> Any:
        body = {"operationName": operation, "variables": variables, "query": ""}
        return self._retry(lambda: self.http.post(self.base + "/graphql", json=body))

    def _retry(self, send: Callable[[], httpx.Response]) -> Any:
        for _ in range(12):
            self.requests += 1
            try:
                return _check(send())
            except Retry:
                continue
        raise AssertionError("no answer after 12 attempts")


_TAG = re.compile(r"<[^>]+>")
_IMG = re.compile(r"<img alt=(\[[^\]]+\])[^>]*>")


def _plain(markup: str) -> str:
    return html.unescape(_TAG.sub("", _IMG.sub(r"\1", markup)))


def _row(cid, root, parent, uid, text, when: int, likes, replies=0) -> tuple[str, dict[str, Any]]:
    return str(cid), {
        "root_id": str(root) if root else None,
        "parent_id": str(parent) if parent else None,
        "commenter_uid": str(uid),
        "text": text,
        "published_at": when,
        "likes": int(likes),
        "reply_count": int(replies or 0),
    }


def _weibo(c: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    cid = str(c["id"])
    root = c["rootid"] if c["rootid"] != cid else None
    parent = str(c["reply_comment"]["id"]) if "reply_comment" in c else root
    when = datetime.strptime(c["created_at"], "%a %b %d %H:%M:%S %z %Y")
    return _row(cid, root, parent, c["user"]["id"], _plain(c["text"]), int(when.timestamp()),
                c["like_count"], c["total_number"])  # fmt: skip


def crawl_weibo(client: Client, post_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    params: dict[str, Any] = {"id": post_id, "mid": post_id, "max_id_type": 0}
    while True:
        body = client.get("/comments/hotflow", params)
        if body.get("ok") != 1:
            return
        for c in body["data"]["data"]:
            yield _weibo(c)
            yield from (_weibo(r) for r in c["comments"] or [])
            max_id = 0
            while c["total_number"]:
                page = client.get(
                    "/comments/hotFlowChild", {"cid": c["id"], "max_id": max_id, "max_id_type": 0}
                )
                yield from (_weibo(r) for r in page["data"])
                max_id = page["max_id"]
                if not max_id:
                    break
        if not body["data"]["max_id"]:
            return
        params["max_id"] = body["data"]["max_id"]


def _douyin(c: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    root = c["reply_id"] if c["reply_id"] != "0" else None
    parent = c["reply_to_reply_id"] if c["reply_to_reply_id"] != "0" else root
    return _row(c["cid"], root, parent, c["user"]["uid"], c["text"], c["create_time"],
                c["digg_count"], c["reply_comment_total"])  # fmt: skip


def crawl_douyin(client: Client, post_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    cursor = 0
    while True:
        body = client.get(
            "/aweme/v1/web/comment/list/", {"aweme_id": post_id, "cursor": cursor, "count": 20}
        )
        for c in body["comments"] or []:
            yield _douyin(c)
            sub = 0
            while c["reply_comment_total"]:
                page = client.get(
                    "/aweme/v1/web/comment/list/reply/",
                    {"item_id": post_id, "comment_id": c["cid"], "cursor": sub, "count": 20},
                )
                yield from (_douyin(r) for r in page["comments"] or [])
                sub = page["cursor"]
                if not page["has_more"]:
                    break
        if not body["has_more"]:
            return
        cursor = body["cursor"]


def _kuaishou(c: dict[str, Any], root: str | None) -> tuple[str, dict[str, Any]]:
    # A Kuaishou reply names the user it answers, never the comment: parent is not compared.
    return _row(c["commentId"], root, None, c["authorId"], c["content"], c["timestamp"] // 1000,
                c["realLikedCount"], c.get("subCommentCount"))  # fmt: skip


def crawl_kuaishou(client: Client, post_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    pcursor = ""
    while pcursor != "no_more":
        body = client.graphql("commentListQuery", {"photoId": post_id, "pcursor": pcursor})
        listing = body["data"]["visionCommentList"]
        for c in listing["rootComments"]:
            yield _kuaishou(c, None)
            yield from (_kuaishou(r, c["commentId"]) for r in c["subComments"])
            sub = "" if c["subCommentsPcursor"] != "no_more" else "no_more"
            while sub != "no_more":
                page = client.graphql(
                    "visionSubCommentList",
                    {"photoId": post_id, "rootCommentId": c["commentId"], "pcursor": sub},
                )["data"]["visionSubCommentList"]
                yield from (_kuaishou(r, c["commentId"]) for r in page["subComments"])
                sub = page["pcursor"]
        pcursor = listing["pcursor"]


def _zhihu(c: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    root = c["reply_root_comment_id"] if c["reply_root_comment_id"] != "0" else None
    parent = c["reply_comment_id"] if c["reply_comment_id"] != "0" else None
    return _row(c["id"], root, parent, c["author"]["url_token"], html.unescape(c["content"]),
                c["created_time"], c["like_count"], c["child_comment_count"])  # fmt: skip


def _zhihu_pages(client: Client, path: str, order: str) -> Iterator[dict[str, Any]]:
    offset = ""
    while True:
        body = client.get(path, {"order_by": order, "limit": 20, "offset": offset})
        yield from body["data"]
        if body["paging"]["is_end"]:
            return
        offset = httpx.URL(body["paging"]["next"]).params["offset"]


def crawl_zhihu(client: Client, post_id: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for c in _zhihu_pages(client, f"/api/v4/comment_v5/{kind}s/{post_id}/root_comment", "score"):
        yield _zhihu(c)
        yield from (_zhihu(r) for r in c["child_comments"])
        if c["child_comment_count"]:
            path = f"/api/v4/comment_v5/comment/{c['id']}/child_comment"
            yield from (_zhihu(r) for r in _zhihu_pages(client, path, "ts"))


def _bilibili(c: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return _row(c["rpid_str"], c["root"], c["parent"], c["member"]["mid"],
                c["content"]["message"], c["ctime"], c["like"], c["rcount"])  # fmt: skip


def crawl_bilibili(client: Client, aid: str) -> Iterator[tuple[str, dict[str, Any]]]:
    nxt = 0
    while True:
        body = client.get("/x/v2/reply/main", {"type": 1, "oid": aid, "mode": 3, "next": nxt})
        data = body["data"]
        for c in data["replies"] or []:
            yield _bilibili(c)
            yield from (_bilibili(r) for r in c["replies"] or [])
            pn = 1
            while c["rcount"]:
                page = client.get(
                    "/x/v2/reply/reply",
                    {"type": 1, "oid": aid, "root": c["rpid"], "pn": pn, "ps": 20},
                )["data"]
                if not page["replies"]:
                    break
                yield from (_bilibili(r) for r in page["replies"])
                pn += 1
        if data["cursor"]["is_end"]:
            return
        nxt = data["cursor"]["next"]


def _xhs(c: dict[str, Any], root: str | None) -> tuple[str, dict[str, Any]]:
    parent = c["target_comment"]["id"] if "target_comment" in c else None
    return _row(c["id"], root, parent, c["user_info"]["user_id"], c["content"],
                c["create_time"] // 1000, c["like_count"], c.get("sub_comment_count"))  # fmt: skip


def crawl_xiaohongshu(
    client: Client, post_id: str, token: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    cursor = ""
    while True:
        params = {"note_id": post_id, "cursor": cursor, "top_comment_id": "",
                  "image_formats": "jpg,webp,avif", "xsec_token": token}  # fmt: skip
        data = client.get("/api/sns/web/v2/comment/page", params)["data"]
        for c in data["comments"]:
            yield _xhs(c, None)
            yield from (_xhs(r, c["id"]) for r in c["sub_comments"])
            sub, more = c["sub_comment_cursor"], c["sub_comment_has_more"]
            while more:
                page = client.get(
                    "/api/sns/web/v2/comment/sub/page",
                    {"note_id": post_id, "root_comment_id": c["id"], "num": 10, "cursor": sub},
                )["data"]
                yield from (_xhs(r, c["id"]) for r in page["comments"])
                sub, more = page["cursor"], page["has_more"]
        if not data["has_more"]:
            return
        cursor = data["cursor"]


def crawl(client: Client, world: World, platform: str, post_id: str) -> dict[str, dict[str, Any]]:
    """Every comment the endpoints serve for a work, paged to the end (inline copies must agree)."""
    post = world.post(platform, post_id, now=DEFAULT_NOW)
    assert post is not None
    if platform == "weibo":
        rows = crawl_weibo(client, post_id)
    elif platform == "douyin":
        rows = crawl_douyin(client, post_id)
    elif platform == "kuaishou":
        rows = crawl_kuaishou(client, post_id)
    elif platform == "zhihu":
        rows = crawl_zhihu(
            client, post_id, {"video": "zvideo"}.get(post.content_type, post.content_type)
        )
    elif platform == "bilibili":
        rows = crawl_bilibili(client, post.extra["aid"])
    else:
        rows = crawl_xiaohongshu(client, post_id, post.extra["xsec_token"])
    served: dict[str, dict[str, Any]] = {}
    for cid, row in rows:
        assert served.setdefault(cid, row) == row, cid
    return served


def expected(record: dict[str, Any], platform: str) -> dict[str, dict[str, Any]]:
    """The truth in :func:`_row`'s shape (Kuaishou replies name no parent comment)."""
    out = {}
    for c in record["comments"]:
        parent = None if platform == "kuaishou" else c["parent_id"]
        cid, row = _row(c["comment_id"], c["root_id"], parent, c["commenter_uid"], c["text"],
                        int(datetime.fromisoformat(c["published_at"]).timestamp()), c["likes"],
                        c["reply_count"])  # fmt: skip
        out[cid] = row
    return out


def _works(truth: dict[str, list[dict[str, Any]]], platform: str) -> list[dict[str, Any]]:
    """The two busiest works, the lockstep work and one without comments."""
    records = sorted(truth[platform], key=lambda r: -r["readable"])
    picked = records[:2]
    picked += [r for r in records if r["anomaly"] == "lockstep" and r not in picked][:1]
    picked += [r for r in records if r["readable"] == 0][:1]
    return picked


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:  # one for the module: each costs an SSL context
        yield client


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[SimServer]:
    with SimServer(world=world, platforms=LIVE) as sim:
        yield sim


@pytest.fixture(scope="module")
def flaky_server(world: World) -> Iterator[SimServer]:
    with SimServer(
        world=world,
        platforms=LIVE,
        faults="flaky",
        fault_options={"slow_s": 0.0, "rate": 0.35},
    ) as sim:
        yield sim


@pytest.mark.parametrize("platform", LIVE)
def test_endpoints_paged_to_the_end_serve_exactly_the_truth(
    platform: str, server: SimServer, world: World, truth, http: httpx.Client
) -> None:
    client = Client(server, platform, http)
    works = _works(truth, platform)
    assert works[0]["readable"] > 20, "the busiest work spans several pages"
    assert any(r["readable"] == 0 for r in works)
    for record in works:
        served = crawl(client, world, platform, record["post_id"])
        assert served == expected(record, platform), record["post_id"]


@pytest.mark.parametrize("platform", LIVE)
def test_a_retrying_client_gets_the_truth_through_flaky_faults(
    platform: str, flaky_server: SimServer, world: World, truth, http: httpx.Client
) -> None:
    client = Client(flaky_server, platform, http)
    record = _works(truth, platform)[0]
    served = crawl(client, world, platform, record["post_id"])
    assert served == expected(record, platform)
    assert sum(flaky_server.fault_counts().get(platform, {}).values()) > 0


def test_claimed_counts_are_served(
    server: SimServer, world: World, truth, http: httpx.Client
) -> None:
    got = {}
    for platform in ("weibo", "douyin", "kuaishou", "zhihu", "bilibili"):
        record = _works(truth, platform)[0]
        post = world.post(platform, record["post_id"], now=DEFAULT_NOW)
        assert post is not None
        c = Client(server, platform, http)
        pid = record["post_id"]
        if platform == "weibo":
            got[platform] = c.get("/comments/hotflow", {"id": pid, "mid": pid})["data"][
                "total_number"
            ]
        elif platform == "douyin":
            got[platform] = c.get("/aweme/v1/web/comment/list/", {"aweme_id": pid})["total"]
        elif platform == "kuaishou":
            body = c.graphql("commentListQuery", {"photoId": pid, "pcursor": ""})
            got[platform] = body["data"]["visionCommentList"]["commentCount"]
        elif platform == "zhihu":
            kind = {"video": "zvideo"}.get(post.content_type, post.content_type)
            body = c.get(f"/api/v4/comment_v5/{kind}s/{pid}/root_comment", {"limit": 20})
            got[platform] = body["counts"]["total_counts"]
        else:
            body = c.get("/x/v2/reply/main", {"type": 1, "oid": post.extra["aid"], "mode": 3})
            got[platform] = body["data"]["cursor"]["all_count"]
        assert got[platform] == record["claimed"] == post.metrics.comments, platform


def test_checks_other_endpoints_make_apply_to_comments(
    server: SimServer, world: World, truth, http: httpx.Client
) -> None:
    urls = server.base_urls
    douyin = _works(truth, "douyin")[0]["post_id"]
    r = http.get(urls["douyin"] + "/aweme/v1/web/comment/list/", params={"aweme_id": douyin})
    assert r.status_code == 200 and r.content == b""  # unsigned: Douyin's silent block
    zhihu = world.post("zhihu", _works(truth, "zhihu")[0]["post_id"], now=DEFAULT_NOW)
    assert zhihu is not None
    kind = {"video": "zvideo"}.get(zhihu.content_type, zhihu.content_type)
    r = http.get(urls["zhihu"] + f"/api/v4/comment_v5/{kind}s/{zhihu.post_id}/root_comment")
    assert r.status_code == 403
    note = _works(truth, "xiaohongshu")[0]["post_id"]
    r = http.get(urls["xiaohongshu"] + "/api/sns/web/v2/comment/page", params={"note_id": note})
    assert r.status_code == 406
    signed = Client(server, "xiaohongshu", http)
    body = signed.get("/api/sns/web/v2/comment/page", {"note_id": note, "xsec_token": "AB-wrong"})
    assert body["code"] == -510001 and not body["success"]


def test_unknown_works_and_pages_past_the_end_are_empty(
    server: SimServer, truth, http: httpx.Client
) -> None:
    weibo = Client(server, "weibo", http)
    assert weibo.get("/comments/hotflow", {"id": "123", "mid": "123"}) == {
        "ok": 0,
        "msg": "快来发表你的评论吧",
    }
    pid = _works(truth, "weibo")[0]["post_id"]
    assert weibo.get("/comments/hotflow", {"id": pid, "mid": pid, "max_id": 9 << 30})["ok"] == 0
    assert weibo.get("/comments/hotFlowChild", {"cid": "42", "max_id": 0})["ok"] == 0
    douyin = Client(server, "douyin", http)
    body = douyin.get("/aweme/v1/web/comment/list/", {"aweme_id": "1", "cursor": 0, "count": 20})
    assert body["comments"] is None and body["has_more"] == 0
    kuaishou = Client(server, "kuaishou", http)
    listing = kuaishou.graphql("commentListQuery", {"photoId": "3xnope", "pcursor": "no_more"})
    assert listing["data"]["visionCommentList"]["rootComments"] == []
    bilibili = Client(server, "bilibili", http)
    assert bilibili.get("/x/v2/reply/main", {"type": 1, "oid": "1", "next": 0})["code"] != 0
    zhihu = Client(server, "zhihu", http)
    assert zhihu.get("/api/v4/comment_v5/comment/42/child_comment", {})["error"]["code"] == 404


def test_kuaishou_v2_query_and_zhihu_thread_path(
    server: SimServer, world: World, truth, http: httpx.Client
) -> None:
    record = _works(truth, "kuaishou")[0]
    kuaishou = Client(server, "kuaishou", http)
    v1 = kuaishou.graphql("commentListQuery", {"photoId": record["post_id"], "pcursor": ""})
    body = {"photoId": record["post_id"], "pcursor": ""}
    query = "query commentListQuery { visionCommentList { rootCommentsV2 { commentId } } }"
    resp = http.post(
        server.base_urls["kuaishou"] + "/graphql",
        json={"operationName": "commentListQuery", "variables": body, "query": query},
    )
    v2 = resp.json()["data"]["visionCommentList"]
    assert "rootCommentsV2" not in v1["data"]["visionCommentList"]
    roots = v2["rootComments"]
    assert [c["commentId"] for c in v2["rootCommentsV2"]] == [c["commentId"] for c in roots]
    assert [c["hasSubComments"] for c in v2["rootCommentsV2"]] == [
        c["subCommentCount"] > 0 for c in roots
    ]
    assert v2["pcursorV2"] == v2["pcursor"] and v2["commentCountV2"] == record["claimed"]

    zhihu = Client(server, "zhihu", http)
    record = next(r for r in _works(truth, "zhihu") if any(c["root_id"] for c in r["comments"]))
    post = world.post("zhihu", record["post_id"], now=DEFAULT_NOW)
    assert post is not None
    kind = {"video": "zvideo"}.get(post.content_type, post.content_type)
    reply = next(c for c in record["comments"] if c["root_id"])
    short = zhihu.get(f"/api/v4/comment_v5/comment/{reply['root_id']}/child_comment", {})
    long = zhihu.get(
        f"/api/v4/comment_v5/{kind}s/{post.post_id}/root_comment/{reply['root_id']}/child_comment",
        {},
    )
    assert short["data"] == long["data"] and short["data"]
    assert all(f"/{kind}s/{post.post_id}/root_comment/" in c["url"] for c in short["data"])
