"""The three participation forms per account, unit and city (pure frames and from the store)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.config import CAMPAIGN, load_test_config
from tests.helpers.database import make_db
from tracker.config import UnitRow
from tracker.membership.manual import exclude_works
from tracker.membership.participation import (
    FORM_COLUMNS,
    NO_CITY,
    PARTICIPATION_COLUMNS_ZH,
    account_participation,
    city_participation,
    participation_frames,
    unit_participation,
)
from tracker.records import CampaignLink, PostRecord
from tracker.store.registry import campaign_ids
from tracker.store.upsert import Ingestor

AT = datetime(2024, 9, 20, tzinfo=UTC)

# (platform, id, account, content_type, repost_of, in campaign)
POSTS = [
    ("weibo", "w1", "A", "text", None, True),
    ("weibo", "w2", "B", "video", None, True),
    ("weibo", "r1", "C", "repost", "w1", True),  # a tagged repost: a campaign work itself
    ("zhihu", "a1", "Z1", "answer", None, True),
    ("zhihu", "a2", "Z1", "answer", None, True),
    ("zhihu", "q1", "Z2", "question", None, True),
    ("douyin", "d1", None, "video", None, True),  # no account known: nobody to credit
    ("weibo", "wX", "H", "text", None, True),  # excluded below
    ("weibo", "r2", "D", "repost", "w2", False),  # untagged repost of a campaign work
    ("weibo", "r3", "D", "repost", "x9", False),  # repost of something else
    ("weibo", "r4", "E", "repost", "wX", False),  # repost of an excluded work
    ("weibo", "r5", "F", "repost", "w1", True),  # excluded itself below
    ("weibo", "x9", "H", "text", None, False),
]
EXCLUDED = [("weibo", "wX"), ("weibo", "r5")]
COMMENTS = pd.DataFrame(
    [
        ("weibo", "w2", "A", "c1"),
        ("weibo", "w1", "G", "c2"),
        ("weibo", "w1", "G", "c2"),  # the same comment captured twice
        ("weibo", "x9", "G", "c3"),  # not a campaign work
        ("weibo", "wX", "G", "c4"),  # excluded work
    ],
    columns=["platform", "platform_post_id", "commenter_uid", "comment_id"],
)
UNITS = pd.DataFrame(
    [
        (1, "广州市科学技术协会", "city_association", "广州市"),
        (2, "广州大学", "university", "广州市"),
        (3, "深圳大学", "university", "深圳市"),
        (4, "汕头大学", "university", "汕头市"),
        (5, "某企业", "enterprise", None),
    ],
    columns=["unit_id", "unit_name", "unit_kind", "city"],
)
ACCOUNT_UNITS = pd.DataFrame(
    [
        ("weibo", "A", 1),
        ("weibo", "A", 2),  # two units of one city list the same account
        ("weibo", "B", 3),
        ("weibo", "C", 1),
        ("weibo", "D", 5),
        ("zhihu", "Z1", 3),
        ("zhihu", "Z2", 2),
    ],
    columns=["platform", "platform_uid", "unit_id"],
)


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    cols = ["platform", "platform_post_id", "account_uid", "content_type", "repost_of"]
    all_posts = pd.DataFrame([p[:5] for p in POSTS], columns=cols)
    member = pd.Series([p[5] for p in POSTS])
    keys = list(zip(all_posts["platform"], all_posts["platform_post_id"], strict=True))
    kept = member & pd.Series([k not in EXCLUDED for k in keys])
    works = all_posts[kept.to_numpy()]
    reposts = all_posts[all_posts["repost_of"].notna()][
        ["platform", "platform_post_id", "account_uid", "repost_of"]
    ]
    excluded = pd.DataFrame(EXCLUDED, columns=["platform", "platform_post_id"])
    return works, reposts, excluded


EXPECTED_ACCOUNTS = {
    # account: (works, questions, answers, qa, reposts, comments, interactions)
    ("weibo", "A"): (1, 0, 0, 0, 0, 1, 1),
    ("weibo", "B"): (1, 0, 0, 0, 0, 0, 0),
    ("weibo", "C"): (0, 0, 0, 0, 1, 0, 1),
    ("weibo", "D"): (0, 0, 0, 0, 1, 0, 1),
    ("weibo", "G"): (0, 0, 0, 0, 0, 1, 1),
    ("zhihu", "Z1"): (0, 0, 2, 2, 0, 0, 0),
    ("zhihu", "Z2"): (0, 1, 0, 1, 0, 0, 0),
}
COUNTS = [
    "works_published",
    "questions_asked",
    "answers_given",
    "qa_posts",
    "reposts",
    "comments",
    "interactions",
]


def _by_account(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[int, ...]]:
    return {
        (r["platform"], r["account_uid"]): tuple(int(r[c]) for c in COUNTS)
        for r in frame.to_dict("records")
    }


def test_account_forms_by_hand() -> None:
    works, reposts, excluded = _frames()
    accounts = account_participation(works, reposts, COMMENTS, excluded)
    assert _by_account(accounts) == EXPECTED_ACCOUNTS
    assert list(accounts.columns) == ["platform", "account_uid", *COUNTS]


def test_without_comments_or_reposts() -> None:
    works, _, _ = _frames()
    accounts = account_participation(works)
    got = _by_account(accounts)
    # The tagged repost r1 still counts (it is a campaign work); no comments without data.
    assert got[("weibo", "C")] == (0, 0, 0, 0, 1, 0, 1)
    assert got[("weibo", "A")] == (1, 0, 0, 0, 0, 0, 0)
    assert ("weibo", "D") not in got and ("weibo", "G") not in got
    empty = account_participation(works.iloc[0:0])
    assert list(empty.columns) == ["platform", "account_uid", *COUNTS] and len(empty) == 0


EXPECTED_UNITS = [
    # unit_id, participating_accounts, works, questions, answers, qa, reposts, comments, interactions
    (3, 2, 1, 0, 2, 2, 0, 0, 0),
    (2, 2, 1, 1, 0, 1, 0, 1, 1),
    (1, 2, 1, 0, 0, 0, 1, 1, 2),
    (5, 1, 0, 0, 0, 0, 1, 0, 1),
    (4, 0, 0, 0, 0, 0, 0, 0, 0),
]
EXPECTED_CITIES = [
    # city, units, participating units, accounts, works, questions, answers, qa, reposts, comments, interactions
    ("深圳市", 1, 1, 2, 1, 0, 2, 2, 0, 0, 0),
    ("广州市", 2, 2, 3, 1, 1, 0, 1, 1, 1, 2),  # A counted once although two units list it
    (NO_CITY, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1),
    ("汕头市", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
]


def _unit_rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        (int(r["unit_id"]), int(r["participating_accounts"]), *(int(r[c]) for c in COUNTS))
        for r in frame.to_dict("records")
    ]


def _city_rows(frame: pd.DataFrame) -> list[tuple]:
    keys = ["units", "participating_units", "participating_accounts", *COUNTS]
    return [(r["city"], *(int(r[c]) for c in keys)) for r in frame.to_dict("records")]


def test_unit_and_city_forms_by_hand() -> None:
    works, reposts, excluded = _frames()
    accounts = account_participation(works, reposts, COMMENTS, excluded)
    units = unit_participation(accounts, ACCOUNT_UNITS, UNITS)
    assert _unit_rows(units) == EXPECTED_UNITS
    assert units.loc[units["unit_id"] == 3, "unit_name"].item() == "深圳大学"
    for col in FORM_COLUMNS:
        assert col in units.columns and PARTICIPATION_COLUMNS_ZH[col]
    cities = city_participation(accounts, ACCOUNT_UNITS, UNITS)
    assert _city_rows(cities) == EXPECTED_CITIES


def test_units_listed_with_zeros_when_nobody_took_part() -> None:
    works, _, _ = _frames()
    none = account_participation(works.iloc[0:0])
    units = unit_participation(none, ACCOUNT_UNITS, UNITS)
    assert sorted(units["unit_id"]) == [1, 2, 3, 4, 5]
    assert units[COUNTS].to_numpy().sum() == 0
    cities = city_participation(none, ACCOUNT_UNITS, UNITS)
    assert sorted(cities["city"]) == sorted(["广州市", "深圳市", "汕头市", NO_CITY])
    assert cities[["units"]].to_numpy().sum() == 5


def _store(engine) -> None:  # type: ignore[no-untyped-def]
    posts = [
        PostRecord(p, pid, AT, account_uid=acc, content_type=ct, repost_of=rep)
        for p, pid, acc, ct, rep, _ in POSTS
    ]
    with engine.begin() as conn:
        ids = campaign_ids(conn)
        Ingestor(conn).ingest(
            posts=posts,
            links=[
                CampaignLink(p, pid, CAMPAIGN, "tag", "#千万IP创科普#")
                for p, pid, *_, m in POSTS
                if m
            ],
            campaign_ids=ids,
            seen_at=AT,
        )


def test_from_the_store_equals_the_hand_count(tmp_path: Path) -> None:
    config = load_test_config(tmp_path)
    registry = [
        UnitRow(i, name, kind, city, None, None, None, None)
        for i, name, kind, city in UNITS.itertuples(index=False)
    ]
    by_id = {int(i): name for i, name, *_ in UNITS.itertuples(index=False)}
    kinds = {int(i): (kind, city) for i, _, kind, city in UNITS.itertuples(index=False)}
    registry += [
        UnitRow(0, by_id[int(u)], kinds[int(u)][0], kinds[int(u)][1], p, uid, None, None)
        for p, uid, u in ACCOUNT_UNITS.itertuples(index=False)
    ]
    engine = make_db(tmp_path, config, registry)
    try:
        _store(engine)
        results = exclude_works(
            engine,
            [f"{p}:{pid}" for p, pid in EXCLUDED],
            campaign=CAMPAIGN,
            note="误匹配",
            by="测试",
        )
        assert [r.outcome for r in results] == ["excluded", "excluded"]
        with engine.connect() as conn:
            frames = participation_frames(conn, CAMPAIGN, comments=COMMENTS)
            plain = participation_frames(conn, CAMPAIGN)
    finally:
        engine.dispose()
    assert _by_account(frames.accounts) == EXPECTED_ACCOUNTS
    # Unit ids in the database are assigned in registry order (1..5, as above).
    assert _unit_rows(frames.units) == EXPECTED_UNITS
    assert _city_rows(frames.cities) == EXPECTED_CITIES
    assert ("weibo", "G") not in _by_account(plain.accounts)  # comments only from captured data


def test_unknown_campaign_is_an_error(tmp_path: Path) -> None:
    engine = make_db(tmp_path, load_test_config(tmp_path))
    try:
        with engine.connect() as conn, pytest.raises(KeyError):
            participation_frames(conn, "no-such-campaign")
    finally:
        engine.dispose()


def test_window_keeps_only_works_published_inside(tmp_path: Path) -> None:
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config)
    inside, outside = datetime(2024, 9, 15, tzinfo=UTC), datetime(2024, 10, 10, tzinfo=UTC)
    posts = [
        PostRecord("weibo", "in1", AT, account_uid="A", content_type="text", published_at=inside),
        PostRecord("weibo", "out1", AT, account_uid="A", content_type="text", published_at=outside),
        PostRecord("weibo", "stub", AT, account_uid="A", content_type="text"),  # time unknown
        PostRecord("weibo", "rp", AT, account_uid="B", repost_of="in1", published_at=outside),
    ]
    with engine.begin() as conn:
        Ingestor(conn).ingest(
            posts=posts,
            links=[CampaignLink("weibo", p, CAMPAIGN, "tag", "t") for p in ("in1", "out1", "stub")],
            campaign_ids=campaign_ids(conn),
            seen_at=AT,
        )
    with engine.connect() as conn:
        everything = _by_account(participation_frames(conn, CAMPAIGN).accounts)
        windowed = _by_account(
            participation_frames(conn, CAMPAIGN, window=config.campaign().window_utc()).accounts
        )
    engine.dispose()
    assert everything == {
        ("weibo", "A"): (3, 0, 0, 0, 0, 0, 0),
        ("weibo", "B"): (0, 0, 0, 0, 1, 0, 1),
    }
    assert windowed == {("weibo", "A"): (2, 0, 0, 0, 0, 0, 0)}
