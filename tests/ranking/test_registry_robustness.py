"""Whatever the unit registry says, ranking, the report and the exports run.

The registry's ``person`` column links accounts into one creator, an account may sit in several
units, a registered account may have no work yet, and a submitted link imported without
``--fetch`` is a work with no account. Each of these once stopped ``tracker rank``, ``report``
and ``export`` with exit 2; the examples pin the cases that did, and the property draws random
registries so the next such case fails here rather than in an office.
"""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards.geodata import load_prefectures
from dashboards.report_build import build_report
from tracker.exports.anonymise import anonymise_works
from tracker.exports.service import LISTS, export_list
from tracker.ranking import explain_creator, explain_work
from tracker.ranking.creators import creator_keys
from tracker.ranking.risk import follower_jumps
from tracker.ranking.selection import Selection
from tracker.ranking.settings import RiskSettings
from tracker.ranking.slices import RankedCampaign
from tracker.services.rank import RankingHandoff, rank_for_handoff, rank_service
from tracker.store.engine import make_engine

from ..helpers.cli import run_in_process
from .registry_db import Account, BuiltWorld, Work, World, build

PLATFORMS = ("weibo", "douyin", "bilibili")
PERSONS = (None, "张三", "李四", " ")


# --- checks ---------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _person_groups(world: World) -> list[set[tuple[str, str]]]:
    """Accounts with works that the registry names under one person (person -> accounts)."""
    by_person: dict[str, set[tuple[str, str]]] = {}
    for acc in world.accounts:
        if not acc.works:
            continue
        for _, person in acc.registry:
            if person and person.strip():
                by_person.setdefault(person.strip(), set()).add((acc.platform, acc.uid))
    return list(by_person.values())


def _check_ranked(ranked: RankedCampaign, world: World) -> None:
    """Every work ranked; creators only from real accounts, person-linked accounts together."""
    works, creators = ranked.result.works, ranked.result.creators
    n_account_works = sum(len(a.works) for a in world.accounts)
    assert len(works) == n_account_works + len(world.accountless)
    no_account = works["account_uid"].isna().to_numpy()
    assert all(_missing(k) for k in works.loc[no_account, "creator_key"])
    assert not any(_missing(k) for k in works.loc[~no_account, "creator_key"])
    keys = creators["creator_key"].tolist()
    assert all(isinstance(k, str) and ":" in k and "nan" not in k for k in keys), keys
    assert len(set(keys)) == len(keys)
    assert not any(_missing(k) for k in ranked.result.accounts["platform_uid"])
    if ranked.include_unreviewed:
        assert int(creators["works"].sum()) == n_account_works
        key_of = {
            (str(p), str(u)): k
            for p, u, k in works[["platform", "account_uid", "creator_key"]].itertuples(index=False)
        }
        for group in _person_groups(world):
            assert len({key_of[a] for a in group}) == 1, (group, key_of)
    assert set(ranked.result.units["unit_name"]) == set(world.unit_names)
    for key in keys:  # --explain reads the accounts behind each creator
        assert explain_creator(ranked.result, key)
    for platform, post_id in works[["platform", "platform_post_id"]].itertuples(index=False):
        assert explain_work(ranked.result, str(platform), str(post_id))


def _rank_report_export(
    built: BuiltWorld, world: World, out: Path, *, hand_on: bool = False
) -> None:
    """Rank (both review scopes), write the report and every export list as csv.

    ``hand_on``: the report takes the ranking of every review status (uncut, nothing written
    since), as the demo hands it on, instead of ranking once more; the pinned cases keep the
    report's own ranking (``tests/dashboards/test_ranking_handoff.py`` checks both give the
    same page)."""
    engine = make_engine(built.url)
    try:
        every_status: RankingHandoff | None = None
        for include_unreviewed in (True, False):
            ranking = rank_for_handoff(engine, built.config, include_unreviewed=include_unreviewed)
            ranked = ranking.ranked
            if include_unreviewed:
                every_status = ranking
            _check_ranked(ranked, world)
            filters = Selection(include_unreviewed=include_unreviewed)
            for which in LISTS:
                export_list(ranked, which, filters, out / f"{which}_{include_unreviewed}.csv",
                            fmt="csv", anonymise=which != "units")  # fmt: skip
        report = build_report(
            engine, built.config, out / "report.html", ranking=every_status if hand_on else None
        )
        assert report.works == len(world.accountless) + sum(len(a.works) for a in world.accounts)
    finally:
        engine.dispose()


# --- the cases that once crashed ----------------------------------------------------------------


def test_a_person_whose_account_has_no_works_yet(tmp_path: Path) -> None:
    world = World(
        accounts=(
            Account("weibo", "a1", "科普号", works=(Work(), Work(metrics=(3, 0, 0)))),
            Account("bilibili", "b1", "还没发作品", registry=((0, "张三"),)),
        )
    )
    _rank_report_export(build(tmp_path / "db", world), world, tmp_path)


def test_a_work_without_an_account_beside_a_registered_person(tmp_path: Path) -> None:
    world = World(
        accounts=(
            Account("weibo", "a1", "科普号", works=(Work(),), registry=((0, "张三"),)),
            Account("douyin", "d1", "张三的抖音", works=(Work(), Work()), registry=((1, "张三"),)),
        ),
        accountless=(("bilibili", Work(metrics=None)),),
    )
    _rank_report_export(build(tmp_path / "db", world), world, tmp_path)


def test_works_without_an_account_are_nobody_s_creator(tmp_path: Path) -> None:
    """Without any person the ranking ran, but lumped every unattributed work of a platform
    into one 'nan' creator that outranked real ones; now they are works, not a creator."""
    world = World(
        accounts=(Account("bilibili", "b1", "UP主", works=(Work(),)),),
        accountless=(("bilibili", Work(metrics=None)), ("bilibili", Work(metrics=(900, 90, 9)))),
    )
    built = build(tmp_path / "db", world)
    engine = make_engine(built.url)
    try:
        ranked = rank_service(engine, built.config, include_unreviewed=True)
    finally:
        engine.dispose()
    assert ranked.result.creators["creator_key"].tolist() == ["bilibili:b1"]
    assert ranked.result.accounts["platform_uid"].tolist() == ["b1"]
    works = ranked.result.works.set_index("platform_post_id")
    assert works["rank"].notna().sum() == 2  # the unattributed work with figures still ranks
    _check_ranked(ranked, world)
    # A public list names no invented author: no pseudonym for a work without an account.
    anon = anonymise_works(ranked.result.works, "活动")
    unattributed = anon[ranked.result.works["account_uid"].isna().to_numpy()]
    assert len(unattributed) == 2
    assert unattributed["account_uid"].isna().all() and unattributed["account_name"].isna().all()


def test_followers_of_unattributed_posts_are_no_follower_jump() -> None:
    """Posts without an account share one account code per platform; their follower counts
    belong to different, unknown accounts and must not read as one account's sudden gain."""
    posts = pd.DataFrame(
        {
            "platform": ["weibo", "weibo"],
            "platform_post_id": ["1", "2"],
            "account_uid": pd.Series([None, None], dtype=object),
        }
    )
    t0 = pd.Timestamp("2024-09-01", tz="UTC")
    snaps = pd.DataFrame(
        {
            "platform": ["weibo", "weibo"],
            "platform_post_id": ["1", "2"],
            "captured_at": [t0, t0 + pd.Timedelta(hours=2)],
            "followers_at_capture": pd.array([100, 50_000], dtype="Int64"),
        }
    )
    assert follower_jumps(posts, snaps, RiskSettings()).empty


def test_cli_rank_report_export_with_persons_and_unattributed_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reported reproduction: a person in units.csv, a submitted link imported without
    ``--fetch``, then every command that ranks."""
    world = World(
        accounts=(
            Account("weibo", "1959830294", "广州科协", works=(Work(),), registry=((0, "张三"),)),
            Account("bilibili", "12345678", registry=((0, "张三"), (1, None))),
        )
    )
    built = build(tmp_path / "db", world)
    sheet = tmp_path / "报送表.csv"
    sheet.write_text(
        "单位,作品链接\n广州市科学技术协会,https://www.bilibili.com/video/BV1xx411c7mD\n",
        encoding="utf-8",
    )
    base = ["--db", str(built.db), "--config", str(built.config_path)]

    def run(*args: str) -> str:
        code, out, err = run_in_process([*base, *args], capsys)
        assert code == 0, f"tracker {' '.join(args)} -> {code}\n{err}"
        return out

    run("import", str(sheet))
    assert "BV1xx411c7mD" in run("rank", "works", "--include-unreviewed", "--format", "csv")
    for listing in ("creators", "units"):
        run("rank", listing, "--include-unreviewed")
    run("report", "-o", str(tmp_path / "report.html"))
    for which in LISTS:
        run("export", which, "--include-unreviewed", "--format", "csv",
            "-o", str(tmp_path / f"{which}.csv"))  # fmt: skip
    run("export", "works", "-o", str(tmp_path / "works.xlsx"))


# --- any registry -------------------------------------------------------------------------------

work_st = st.builds(
    Work,
    metrics=st.one_of(
        st.none(), st.tuples(st.integers(0, 500), st.integers(0, 40), st.integers(0, 20))
    ),
)
works_st = st.lists(work_st, max_size=3).map(tuple)
accounts_st = st.lists(
    st.builds(
        Account,
        platform=st.sampled_from(PLATFORMS),
        uid=st.sampled_from(("u1", "u2", "u3")),
        name=st.sampled_from((None, "科普号", "张三")),
        works=works_st,
        registry=st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(PERSONS)),
            max_size=3,
            unique_by=lambda row: row[0],
        ).map(tuple),
    ),
    max_size=6,
    unique_by=lambda a: (a.platform, a.uid),
).map(tuple)
worlds_st = st.builds(
    World,
    accounts=accounts_st,
    accountless=st.lists(st.tuples(st.sampled_from(PLATFORMS), work_st), max_size=3).map(tuple),
    approve_every=st.integers(0, 3),
)


@functools.cache
def _small_map_text() -> str:
    """The prefectures with a three-point outline each: the map's data path is the same, but
    drawing the real coastline would take most of an example's time. Built once (reading the
    real outlines is a large JSON parse) and handed out as text."""
    geo = load_prefectures()
    outline = {"type": "Polygon", "coordinates": [[[113, 23], [113.1, 23], [113, 23.1], [113, 23]]]}
    return json.dumps({**geo, "features": [{**f, "geometry": outline} for f in geo["features"]]})


def _small_map() -> dict:
    """A fresh copy of the small map each call, as ``load_prefectures`` gives one."""
    return json.loads(_small_map_text())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds_st)
def test_any_registry_ranks_reports_and_exports(world: World) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        # release_memory hands a million-row ranking's pages back; nothing to hand back here.
        mock.patch("tracker.ranking.pipeline.release_memory"),
        mock.patch("tracker.services.rank.release_memory"),
        mock.patch("dashboards.report_build.load_prefectures", _small_map),
    ):
        out = Path(tmp)
        _rank_report_export(build(out / "db", world), world, out, hand_on=True)


uids_st = st.sampled_from(("u1", "u2", "u3", None))
keyed_st = st.tuples(st.sampled_from(PLATFORMS), uids_st)


@settings(max_examples=40, deadline=None)
@given(
    accounts=st.lists(keyed_st, max_size=8, unique=True),
    persons=st.lists(st.tuples(keyed_st, st.sampled_from(PERSONS)), max_size=8),
    links=st.lists(st.tuples(keyed_st, st.sampled_from((None, "", "甲", "乙"))), max_size=4),
)
def test_creator_keys_of_any_registry(
    accounts: list[tuple[str, str | None]],
    persons: list[tuple[tuple[str, str | None], str | None]],
    links: list[tuple[tuple[str, str | None], str | None]],
) -> None:
    """Accounts without a uid get no key; linked accounts share the smallest key of the group;
    names on accounts without works (or without a uid) link nothing."""
    acc = pd.DataFrame(accounts, columns=["platform", "account_uid"], dtype=object)
    au = pd.DataFrame(
        [(p, u, name) for (p, u), name in persons], columns=["platform", "platform_uid", "person"]
    )
    lk = pd.DataFrame(
        [(p, u, name) for (p, u), name in links], columns=["platform", "platform_uid", "creator"]
    )
    got = creator_keys(acc, au, lk).tolist()
    expected = _components(accounts, [*persons, *links])
    assert got == expected


def _components(
    accounts: list[tuple[str, str | None]],
    names: list[tuple[tuple[str, str | None], str | None]],
) -> list[str | None]:
    """The expected keys, by plain union-find over accounts and (stripped, non-empty) names.

    Registry persons and link names are drawn from disjoint words, so one namespace will do."""
    parent = {a: a for a in accounts if a[1] is not None}

    def root(a: tuple[str, str | None]) -> tuple[str, str | None]:
        while parent[a] != a:
            a = parent[a]
        return a

    by_name: dict[str, tuple[str, str | None]] = {}
    for account, name in names:
        if account not in parent or name is None or not name.strip():
            continue
        first = by_name.setdefault(name.strip(), account)
        parent[root(account)] = root(first)
    groups: dict[tuple[str, str | None], list[str]] = {}
    for a in parent:
        groups.setdefault(root(a), []).append(f"{a[0]}:{a[1]}")
    return [None if a[1] is None else min(groups[root(a)]) for a in accounts]
