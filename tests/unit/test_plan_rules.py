"""``tracker plan``'s rules, each as the day's jobs send their requests.

Each test pins one rule the bench's plan check showed wrong before (commenters counted as
authors to profile, a day's listing read as one day of works, unordered listings read to
``since``, the comment choice taken before the day's refresh grew the counts, the refresh
without the day's new works or its own detail choice).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from tracker.config import load_config
from tracker.services.comment_choice import Candidate, expected_pages
from tracker.services.plan import (
    COLLECT_SHAPES,
    PlatformFacts,
    collect_requests,
    day_refresh,
    detail_authors,
    plan_platform,
    projected,
    read_facts,
    window_days,
)
from tracker.store.engine import make_engine
from tracker.store.models import Account, Campaign, MetricSnapshot, Post, PostCampaign, Run

from ..helpers.config import CONFIG
from ..helpers.database import init_sqlite

NOW = datetime(2024, 9, 20, 4, 0, tzinfo=UTC)


def _shape_requests(platform: str, **kw: object):
    args: dict[str, object] = {
        "words": 1,
        "extra_listings": 0,
        "new_works_per_day": 10.0,
        "authors_per_work": 1.0,
        "page_size": 20,
        "long_text_share": 0.0,
        "listing_works": 0.0,
        "max_pages": None,
        "days": window_days(),
    }
    args.update(kw)
    return collect_requests(COLLECT_SHAPES[platform], **args)  # type: ignore[arg-type]


def test_the_collection_window_covers_the_overlap_as_well_as_the_day() -> None:
    assert window_days() == 3  # the day since the last run, and COLLECT_OVERLAP's 2 days
    # Bilibili reads view/detail for every work of its window: 3 days of 10 new works.
    assert _shape_requests("bilibili").detail == 30


def test_profiles_go_to_the_authors_of_the_windows_works_not_to_new_accounts() -> None:
    # 10 new works a day by 6 distinct authors per 10 works: 30 works in the window, 18
    # authors. A huge count of new accounts (commenters) has no say any more.
    got = _shape_requests("kuaishou", authors_per_work=0.6)
    assert got.profile == math.ceil(30 * 0.6)
    plan = plan_platform(
        "kuaishou",
        load_config(CONFIG).platforms["kuaishou"],
        load_config(CONFIG),
        PlatformFacts(works_recent=70, authors_recent=42, works_stored=200),
    )
    assert plan.jobs[0].requests.profile == 18


def test_a_listing_in_no_time_order_is_read_to_its_end_or_max_pages() -> None:
    # Kuaishou's search keeps no time order: `since` ends nothing, the listing is read whole.
    assert _shape_requests("kuaishou", listing_works=330.0).listing == math.ceil(330 / 20)
    assert _shape_requests("kuaishou", listing_works=330.0, max_pages=5).listing == 5
    # Weibo: realtime newest first (ceil(30/10)+1) plus the topic read whole (ceil(95/10)).
    weibo = _shape_requests("weibo", page_size=10, listing_works=95.0)
    assert weibo.listing == (math.ceil(30 / 10) + 1) + math.ceil(95 / 10)


def test_weibo_long_texts_are_read_for_the_days_new_works_only() -> None:
    # a stored full text is handed to the connector and not read again
    got = _shape_requests("weibo", page_size=10, long_text_share=0.25, new_works_per_day=8.0)
    assert got.detail == 2


def test_the_days_refresh_counts_the_days_new_works_and_its_own_detail_choice() -> None:
    facts = PlatformFacts(
        works_stored=300, refresh_listed=200, refresh_not_listed=5,
        refresh_listed_wanting_detail=80,
    )  # fmt: skip
    got = day_refresh(facts, 20.0, 20, covers=False, budget=None)
    # 220 listed works after the day's collection; details for the 80 wanted, the day's 20
    # (recent), and the 5 no listing returns.
    assert got["listing"] == math.ceil(220 / 20) + 1
    assert got["detail"] == 80 + 20 + 5


def test_refresh_profiles_count_authors_of_works_older_than_the_collection_window() -> None:
    before = NOW - timedelta(days=3)
    works = {
        "a": ("u1", before - timedelta(days=1)),
        "b": ("u1", before - timedelta(days=2)),  # same author: one profile
        "c": ("u2", None),  # undated: not read by the day's collection either
        "d": ("u3", before + timedelta(hours=1)),  # the collection read this author today
        "e": (None, before - timedelta(days=1)),
    }
    assert detail_authors(works, before) == 2


def test_a_recently_read_work_whose_count_grew_is_read_again_at_its_grown_cost() -> None:
    works = [Candidate("a", None, 100), Candidate("b", None, 40), Candidate("c", None, None)]
    out = projected(works, {"a": 60, "b": 0, "c": 5})
    assert [w.comments for w in out] == [160, 40, None]
    assert expected_pages("weibo", out[0].comments, 20) == 8


# --------------------------------------------------------------------------- from a database


def _seed(url: str) -> None:
    """Kuaishou: 7 works of 2 authors first collected this week, 50 commenters first seen this
    week; work k1, read by yesterday's comment run at 40 comments, whose last two snapshots
    went from 20 to 40 comments (it will grow again by the time the stage runs)."""
    engine = make_engine(url)
    posts = [
        {
            "platform": "kuaishou",
            "platform_post_id": f"k{i}",
            "account_uid": f"author{i % 2}",
            "text": "作品",
            "published_at": NOW - timedelta(days=i),
            "first_collected_at": NOW - timedelta(days=i, hours=1),
            "last_collected_at": NOW,
            "source": "live",
            "deleted": False,
            "comments": 40 if i == 1 else 0,
            "likes": 1000 if i == 1 else 0,
        }
        for i in range(7)
    ]
    with engine.begin() as conn:
        campaign_id = conn.execute(select(Campaign.__table__.c.id)).scalars().first()
        conn.execute(insert(Post.__table__), posts)
        conn.execute(
            insert(PostCampaign.__table__),
            [
                {
                    "platform": "kuaishou",
                    "platform_post_id": p["platform_post_id"],
                    "campaign_id": campaign_id,
                    "matched_by": "tag",
                    "excluded": False,
                }
                for p in posts
            ],
        )
        conn.execute(
            insert(Account.__table__),
            [
                {"platform": "kuaishou", "platform_uid": f"c{i}", "first_seen_at": NOW}
                for i in range(50)
            ],
        )
        conn.execute(
            insert(MetricSnapshot.__table__),
            [
                {
                    "platform": "kuaishou",
                    "platform_post_id": "k1",
                    "captured_at": NOW - timedelta(days=d),
                    "comments": c,
                    "source": "live",
                }
                for d, c in ((2, 20), (1, 40))
            ],
        )
        conn.execute(
            insert(Run.__table__),
            {
                "platform": "kuaishou",
                "kind": "comments",
                "started_at": NOW - timedelta(hours=20),
                "status": "ok",
                "cursor": {},
                "detail": {"read": {"k1": 40}},
            },
        )
    engine.dispose()


def test_facts_count_authors_not_commenters_and_reread_a_growing_work(tmp_path: Path) -> None:
    config = load_config(CONFIG)
    url = init_sqlite(tmp_path / "tracker.db", config)
    _seed(url)
    engine = make_engine(url)
    try:
        facts = read_facts(engine, config, NOW)["kuaishou"]
    finally:
        engine.dispose()
    assert facts.works_recent == 7
    assert facts.authors_recent == 2  # the 50 commenters are accounts, not authors
    # k1 was read 20 hours ago at 40 comments and grew by 20 at its last refresh: the stage,
    # after today's refresh, sees it grown and reads it again, at 60 comments' pages.
    max_pages = config.comments.max_pages_per_work
    assert facts.comment_works == 7
    assert facts.comment_requests == expected_pages("kuaishou", 60, max_pages) + 6
