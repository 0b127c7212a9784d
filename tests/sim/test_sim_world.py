"""The seeded world: determinism, contents, engagement over virtual time, lookups and search."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from tracker.normalize.tags import CampaignMatcher, tag_key
from tracker.sim.layout import (
    CAMPAIGN_END,
    CAMPAIGN_KEY,
    CAMPAIGN_START,
    DELETE_AFTER_S,
    WORLD_END,
    WORLD_START,
)
from tracker.sim.names import CAMPAIGN_SPELLINGS, XSS_PAYLOAD
from tracker.sim.platform_list import sim_platforms, social_platforms
from tracker.sim.truth import iter_world_truth
from tracker.sim.world import (
    DEFAULT_NOW,
    ZHIHU_ROUNDTABLE_ID,
    World,
)

SIM_PLATFORMS = sim_platforms()
SOCIAL_PLATFORMS = social_platforms()

CAMPAIGN = "#千万IP创科普#"


def _ids(posts):  # noqa: ANN001, ANN202 - tiny local helper
    return [p.post_id for p in posts]


def test_same_seed_same_world_different_seed_different_world() -> None:
    a, b, c = World(seed=11, scale=300), World(seed=11, scale=300), World(seed=12, scale=300)
    for platform in SIM_PLATFORMS:
        pa, pb = a.search(platform, CAMPAIGN, offset=0, limit=50, now=DEFAULT_NOW)
        pb_, _ = b.search(platform, CAMPAIGN, offset=0, limit=50, now=DEFAULT_NOW)
        assert pa == pb_  # frozen dataclasses: every field, metrics included
        assert pb == a.search(platform, CAMPAIGN, offset=0, limit=1, now=DEFAULT_NOW)[1]
        pc, _ = c.search(platform, CAMPAIGN, offset=0, limit=50, now=DEFAULT_NOW)
        assert _ids(pa) != _ids(pc)


def test_every_campaign_spelling_folds_to_the_campaign_key() -> None:
    spellings = {s for options in CAMPAIGN_SPELLINGS.values() for s, _w in options}
    # The list of real variants, all present in the world's spellings.
    for variant in ("#千万IP创科普#", "#千万ip创科普", "＃千万ＩＰ创科普＃", "#千万 IP 创科普#"):
        assert variant in spellings or variant.rstrip("#") in spellings
    assert "千萬IP創科普" in spellings and "#千万IP创科普[话题]#" in spellings
    assert {tag_key(s) for s in spellings} == {CAMPAIGN_KEY}
    assert tag_key("#千万IP创科普大赛#") != CAMPAIGN_KEY


def test_truth_matching_agrees_with_the_campaign_matcher(world: World) -> None:
    """A post is a campaign work exactly when its tags or text carry the campaign tag."""
    matcher = CampaignMatcher({"kepu": [CAMPAIGN]})
    seen_spellings: Counter[str] = Counter()
    near_misses = 0
    for record in iter_world_truth(world, DEFAULT_NOW):
        pw = world.platform(record["platform"])
        seed = pw.post_seed(pw.post_index(record["post_id"]))
        hits = matcher.match(seed.hashtags, seed.text)
        assert bool(hits) == (record["matches_campaign"] or record["deleted"]), record
        text_hits = matcher.match((), seed.text)
        assert bool(text_hits) == bool(hits), (record["platform"], seed.text)
        for h in seed.hashtags:
            seen_spellings[h] += tag_key(h) == CAMPAIGN_KEY
        near_misses += any(tag_key(h) == tag_key("千万IP创科普大赛") for h in seed.hashtags)
    used = {s for s, n in seen_spellings.items() if n}
    assert {"#千万IP创科普#", "#千万ip创科普", "＃千万ＩＰ创科普＃", "#千万 IP 创科普#"} <= used
    assert {"千萬IP創科普", "#千万IP创科普[话题]#", "#千萬IP創科普#"} <= used
    assert near_misses > 20


def test_world_contents_are_plausible(world: World) -> None:
    records = list(iter_world_truth(world, DEFAULT_NOW))
    by_platform: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_platform[r["platform"]].append(r)
    assert set(by_platform) == set(SIM_PLATFORMS)
    for platform in SOCIAL_PLATFORMS:
        rows = by_platform[platform]
        assert 280 <= len(rows) <= 320  # --scale 300 is posts per platform, roughly
        share = sum(r["matches_campaign"] for r in rows) / len(rows)
        assert 0.2 < share < 0.5
        times = [datetime.fromisoformat(r["published_at"]) for r in rows]
        assert times == sorted(times)
        assert WORLD_START <= times[0] and times[-1] < WORLD_END
        in_month = [
            r for r, t in zip(rows, times, strict=True) if CAMPAIGN_START <= t < CAMPAIGN_END
        ]
        assert len(in_month) > len(rows) / 3
        assert sum(r["unit"] is not None for r in rows) > len(rows) / 5
    weibo = world.platform("weibo")
    followers = [weibo.account(j).followers for j in range(weibo.n_accounts)]
    assert min(followers) < 100 and max(followers) > 100_000
    first_individual = weibo.n_official + weibo.n_cross
    individuals = followers[first_individual:]
    assert statistics.median(individuals) < 3_000  # heavy tail: most creators are small
    big = World(seed=7, scale=20_000).platform("douyin")
    all_f = [big.account(j).followers for j in range(big.n_accounts)]
    assert min(all_f) >= 10 and max(all_f) > 3_000_000 and max(all_f) <= 10_000_000


def test_metric_availability_follows_each_platform() -> None:
    w = World(seed=3, scale=100)
    shown = {}
    for platform in SIM_PLATFORMS:
        post = w.search(platform, CAMPAIGN, offset=0, limit=1, now=DEFAULT_NOW)[0][0]
        m = post.metrics
        shown[platform] = tuple(
            name
            for name in ("views", "likes", "comments", "shares", "favorites")
            if getattr(m, name) is not None
        )
    assert shown["weibo"] == ("likes", "comments", "shares")
    assert shown["zhihu"] == ("likes", "comments")
    assert shown["douyin"] == ("likes", "comments", "shares", "favorites")
    assert shown["kuaishou"] == ("views", "likes", "comments")
    assert shown["bilibili"] == ("views", "likes", "comments", "shares", "favorites")
    assert shown["xiaohongshu"] == ("likes", "comments", "shares", "favorites")
    assert shown["kepuchina"] == shown["qqnews"] == shown["xuexi"] == ()


def test_metrics_grow_with_virtual_time_and_are_pure(world: World) -> None:
    pw = world.platform("bilibili")
    t0 = datetime(2024, 9, 20, 12, tzinfo=UTC)
    times = [t0 + timedelta(hours=h) for h in (0, 6, 24, 72, 24 * 20)]
    grew = 0
    for i in range(pw.layout.index_gt(t0.timestamp()) - 40, pw.layout.index_gt(t0.timestamp())):
        series = [pw.build(i, t.timestamp()).metrics for t in times]
        for name in ("views", "likes", "comments"):
            values = [getattr(m, name) for m in series]
            assert values == sorted(values), (i, name, values)
        grew += series[-1].views > series[0].views
        assert pw.build(i, times[2].timestamp()) == pw.build(i, times[2].timestamp())
    assert grew >= 30
    before = pw.build(0, pw.post_seed(0).t0 - 1).metrics
    assert before.views == 0 and before.likes == 0


def test_planted_anomalies_have_their_signatures(world: World) -> None:
    for platform in ("weibo", "douyin", "bilibili", "xiaohongshu"):
        pw = world.platform(platform)
        seeds = [pw.post_seed(i) for i in range(pw.n)]
        bought = [s for s in seeds if s.anomaly == "bought_likes"]
        lock = [s for s in seeds if s.anomaly == "lockstep"]
        assert bought and lock, platform
        at = WORLD_END.timestamp()
        normal_ratios = []
        for s in seeds:
            if s.anomaly is None and s.family.startswith("camp"):
                m = pw.build(s.index, at).metrics
                if m.comments and m.comments >= 3:
                    normal_ratios.append(m.likes / m.comments)
        typical = statistics.median(normal_ratios)
        for s in bought:
            m = pw.build(s.index, at).metrics
            assert m.likes > 10 * typical * max(1, m.comments or 0), (platform, m)
        for s in lock:
            burst = s.curve.burst_t
            assert burst is not None and burst > s.t0
            before = pw.build(s.index, burst - 3600).metrics.likes
            after = pw.build(s.index, burst + 3600).metrics.likes
            organic_day = (
                pw.build(s.index, burst - 3600).metrics.likes
                - pw.build(s.index, burst - 3600 - 86400).metrics.likes
            )
            assert after - before > 4 * max(organic_day, 1), (platform, before, after)
    # Lockstep bursts are shared instants across platforms (one coordinated push).
    bursts = {
        world.platform(p).post_seed(i).curve.burst_t
        for p in SOCIAL_PLATFORMS
        for i in range(world.platform(p).n)
        if world.platform(p).post_seed(i).anomaly == "lockstep"
    }
    assert len(bursts - set(world.lockstep_times)) <= 2


def test_reposts_long_texts_xss_and_crossposts(world: World) -> None:
    weibo = world.platform("weibo")
    reposts = [
        weibo.build(i, DEFAULT_NOW.timestamp())
        for i in range(weibo.n)
        if weibo.post_seed(i).family == "repost"
    ]
    assert reposts
    for r in reposts:
        assert r.content_type == "repost" and r.repost_of is not None
        assert r.repost_of.published_at < r.published_at
        assert tag_key(r.repost_of.hashtags[0]) == CAMPAIGN_KEY
    longs = [weibo.post_seed(i) for i in range(weibo.n) if weibo.post_seed(i).long_text]
    assert longs and all(len(s.text) > 140 for s in longs)
    assert all(
        len(weibo.post_seed(i).text) < 140
        for i in range(weibo.n)
        if not weibo.post_seed(i).long_text
    )

    xss = [
        (p, world.platform(p).post_seed(i))
        for p in SIM_PLATFORMS
        for i in range(world.platform(p).n)
        if XSS_PAYLOAD in world.platform(p).post_seed(i).title
    ]
    assert {p for p, _ in xss} >= set(SOCIAL_PLATFORMS)

    cross: dict[str, list] = defaultdict(list)
    for p in SOCIAL_PLATFORMS:
        pw = world.platform(p)
        for i in range(pw.n):
            s = pw.post_seed(i)
            if s.cross_id:
                cross[s.cross_id].append((p, s, pw.account(s.account_index)))
    assert cross
    for items in cross.values():
        assert len({p for p, _s, _a in items}) >= 2
        assert len({s.title for _p, s, _a in items}) == 1
        assert len({a.name for _p, _s, a in items}) == 1  # one creator, linked by name
        times = [s.t0 for _p, s, _a in items]
        assert max(times) - min(times) < 3 * 86400


def test_deleted_posts_vanish_after_three_days(world: World) -> None:
    pw = world.platform("douyin")
    seed = next(pw.post_seed(i) for i in range(pw.n) if pw.post_seed(i).family == "camp_del")
    alive = datetime.fromtimestamp(seed.t0 + 3600, UTC)
    gone = datetime.fromtimestamp(seed.t0 + DELETE_AFTER_S, UTC)
    assert world.post("douyin", seed.post_id, now=alive) is not None
    assert world.post("douyin", seed.post_id, now=gone) is None
    assert world.post("douyin", seed.post_id, now=datetime.fromtimestamp(seed.t0 - 1, UTC)) is None

    def listed(now: datetime) -> set[str]:
        posts, total = world.search("douyin", CAMPAIGN, offset=0, limit=10_000, now=now)
        assert len(posts) == total
        return set(_ids(posts))

    assert seed.post_id in listed(alive)
    assert seed.post_id not in listed(gone)
    truth = {r["post_id"]: r for r in iter_world_truth(world, gone, platforms=["douyin"])}
    assert truth[seed.post_id]["deleted"] and not truth[seed.post_id]["matches_campaign"]


def test_every_id_form_resolves(world: World) -> None:
    for platform in SIM_PLATFORMS:
        posts, _ = world.search(platform, CAMPAIGN, offset=0, limit=30, now=DEFAULT_NOW)
        for post in posts:
            assert world.post(platform, post.post_id, now=DEFAULT_NOW) == post
            for key in ("mblogid", "bvid", "aid"):
                if key in post.extra:
                    assert world.post(platform, post.extra[key], now=DEFAULT_NOW) == post
            assert world.account(platform, post.account.uid) == post.account
            assert world.account(platform, post.account.sec_uid) == post.account
    assert world.post("bilibili", "BV17x411w7KC", now=DEFAULT_NOW) is None
    assert world.post("weibo", "123", now=DEFAULT_NOW) is None
    assert world.post("kuaishou", "3xnotanid", now=DEFAULT_NOW) is None
    assert world.account("douyin", "MS4wLjABAAAAbogus") is None
    assert world.post("tiktok", "1", now=DEFAULT_NOW) is None
    sample = world.search("bilibili", CAMPAIGN, offset=0, limit=1, now=DEFAULT_NOW)[0][0]
    assert world.post("bilibili", "av" + sample.extra["aid"], now=DEFAULT_NOW) == sample
    assert sample.post_id.startswith("BV1") and len(sample.post_id) == 12
    dy = world.search("douyin", CAMPAIGN, offset=0, limit=1, now=DEFAULT_NOW)[0][0]
    assert len(dy.post_id) == 19 and dy.account.sec_uid.startswith("MS4wLjABAAAA")
    xhs = world.search("xiaohongshu", CAMPAIGN, offset=0, limit=1, now=DEFAULT_NOW)[0][0]
    assert len(xhs.post_id) == 24 and int(xhs.post_id[:8], 16) == int(xhs.published_at.timestamp())


@pytest.mark.parametrize("platform", ["weibo", "bilibili", "zhihu"])
def test_search_pages_newest_first_without_gaps(world: World, platform: str) -> None:
    everything, total = world.search(
        platform, "千万IP创科普", offset=0, limit=10_000, now=DEFAULT_NOW
    )
    assert len(everything) == total > 0
    times = [p.published_at for p in everything]
    assert times == sorted(times, reverse=True)
    paged = []
    for offset in range(0, total, 7):
        page, t = world.search(platform, "千万IP创科普", offset=offset, limit=7, now=DEFAULT_NOW)
        assert t == total
        paged.extend(page)
    assert _ids(paged) == _ids(everything)
    keys = {tag_key(h) for p in everything for h in p.hashtags}
    assert CAMPAIGN_KEY in keys and tag_key("千万IP创科普大赛") in keys  # near misses come back too
    assert world.search(platform, "#这个话题不存在#", offset=0, limit=10, now=DEFAULT_NOW) == (
        [],
        0,
    )


def test_search_since_until_slices_by_day(world: World) -> None:
    full, total = world.search("bilibili", CAMPAIGN, offset=0, limit=10_000, now=DEFAULT_NOW)
    got = []
    day = WORLD_START
    while day < WORLD_END:
        nxt = day + timedelta(days=1)
        page, n = world.search(
            "bilibili",
            CAMPAIGN,
            offset=0,
            limit=10_000,
            now=DEFAULT_NOW,
            since=day,
            until=nxt - timedelta(seconds=1),
        )
        assert len(page) == n
        assert all(day <= p.published_at < nxt for p in page)
        got.extend(page)
        day = nxt
    assert sorted(_ids(got)) == sorted(_ids(full))


def test_virtual_now_hides_future_posts(world: World) -> None:
    mid = datetime(2024, 9, 15, tzinfo=UTC)
    posts, total = world.search("weibo", CAMPAIGN, offset=0, limit=10_000, now=mid)
    assert posts and all(p.published_at <= mid for p in posts)
    _, later = world.search("weibo", CAMPAIGN, offset=0, limit=1, now=DEFAULT_NOW)
    assert later > total


def test_zhihu_roundtable_and_questions(world: World) -> None:
    answers, total = world.search(
        "zhihu", f"__roundtable__:{ZHIHU_ROUNDTABLE_ID}", offset=0, limit=10_000, now=DEFAULT_NOW
    )
    assert total == len(answers) > 0
    assert all(
        a.content_type == "answer" and a.extra["roundtable"] == ZHIHU_ROUNDTABLE_ID for a in answers
    )
    assert any(not a.matches_campaign for a in answers) and any(a.matches_campaign for a in answers)
    by_q = Counter(a.extra["question_id"] for a in answers)
    assert len(by_q) == 6
    for qid, n in by_q.items():
        page, t = world.search("zhihu", f"__question__:{qid}", offset=0, limit=2, now=DEFAULT_NOW)
        assert t == n and len(page) == min(2, n)
        assert all(p.extra["question_id"] == qid for p in page)
    assert world.search("zhihu", "__roundtable__:other", offset=0, limit=5, now=DEFAULT_NOW) == (
        [],
        0,
    )
    solo = next(
        p
        for p in world.search("zhihu", CAMPAIGN, offset=0, limit=100, now=DEFAULT_NOW)[0]
        if p.content_type == "answer" and "roundtable" not in p.extra
    )
    assert world.search(
        "zhihu", f"__question__:{solo.extra['question_id']}", offset=0, limit=5, now=DEFAULT_NOW
    ) == (
        [solo],
        1,
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_search_returns_exactly_the_visible_tagged_posts(seed: int) -> None:
    """Across seeds and virtual times: search = truth's posts whose tags contain the key."""
    world = World(seed=seed, scale=120)
    for now in (datetime(2024, 9, 10, 8, tzinfo=UTC), DEFAULT_NOW):
        truth = list(iter_world_truth(world, now))
        for platform in SIM_PLATFORMS:
            expected = {
                r["post_id"]
                for r in truth
                if r["platform"] == platform
                and not r["deleted"]
                and any(CAMPAIGN_KEY in tag_key(t) for t in r["tags"])
            }
            posts, total = world.search(platform, "千万IP创科普", offset=0, limit=10_000, now=now)
            assert total == len(posts) == len(expected)
            assert set(_ids(posts)) == expected
            matching = {
                r["post_id"] for r in truth if r["platform"] == platform and r["matches_campaign"]
            }
            assert matching <= expected
        weibo = world.platform("weibo")
        for i in range(weibo.n):
            s = weibo.post_seed(i)
            assert (len(s.text) > 140) == s.long_text
