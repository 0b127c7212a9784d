"""Bookkeeping writes (run rows) carry what is kept for the store's state to the state after
them, on SQLite and on PostgreSQL, and carry nothing when another writer came in between."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from tracker.store import carry
from tracker.store.queries.version import StorageVersion, storage_version
from tracker.store.runs import RunCounts, finish_run, start_run

NOW = datetime(2024, 10, 2, 0, 0, tzinfo=UTC)


class Kept:
    """A carrier that keeps one thing, for the store's state when it was made."""

    settle_s = 0.2
    follows = carry.RUN_TABLES

    def __init__(self) -> None:
        self.tokens: set[str] = set()

    def keep(self, engine: Engine) -> None:
        self.tokens = {_now(engine).token}

    def holds(self, engine: Engine, version: StorageVersion) -> bool:
        return version.token in self.tokens

    def carry(self, engine: Engine, before: StorageVersion, after: StorageVersion) -> None:
        self.tokens.discard(before.token)
        self.tokens.add(after.token)

    def kept_now(self, engine: Engine) -> bool:
        return _now(engine).token in self.tokens


def _now(engine: Engine) -> StorageVersion:
    with engine.connect() as conn:
        version = storage_version(conn)
    assert version is not None
    return version


@pytest.fixture
def kept(monkeypatch: pytest.MonkeyPatch) -> Iterator[Kept]:
    carrier = Kept()
    monkeypatch.setattr(carry, "_CARRIERS", [carrier])
    yield carrier


def _data_write(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO unit (name, city, kind) VALUES ('另一个单位', '广州市', 'society')")
        )


def _tries(engine: Engine) -> int:
    """How often a write that should carry is tried: on PostgreSQL the server's snapshot is the
    whole server's, and another test process's transaction in between rightly stops a carry."""
    return 1 if engine.dialect.name == "sqlite" else 5


def test_run_rows_carry_what_is_kept_and_data_does_not(any_engine: Engine, kept: Kept) -> None:
    for _ in range(_tries(any_engine)):
        kept.keep(any_engine)
        run_id = start_run(any_engine, kind="job", job="report", scheduled_for=NOW, now=NOW)
        if kept.kept_now(any_engine):
            break
    assert kept.kept_now(any_engine)
    for _ in range(_tries(any_engine)):
        kept.keep(any_engine)
        finish_run(any_engine, run_id, status="ok", counts=RunCounts(), now=NOW)
        if kept.kept_now(any_engine):
            break
    assert kept.kept_now(any_engine)
    _data_write(any_engine)
    assert not kept.kept_now(any_engine)
    # a run row after the data write carries nothing: nothing is kept for the state before it
    start_run(any_engine, kind="job", job="report", scheduled_for=NOW, now=NOW)
    assert not kept.kept_now(any_engine)


def test_a_write_by_another_connection_in_between_is_never_carried_over(
    any_engine: Engine, kept: Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept.keep(any_engine)
    monkeypatch.setattr(carry, "_between", lambda: _data_write(any_engine))
    start_run(any_engine, kind="job", job="report", scheduled_for=NOW, now=NOW)
    assert not kept.kept_now(any_engine)
    assert kept.tokens and not any(t == _now(any_engine).token for t in kept.tokens)


@pytest.mark.parametrize(
    ("before", "after", "own", "alone"),
    [
        ("100:100:", "101:101:", 100, True),  # nothing else in progress
        ("90:100:90,95", "90:101:90,95", 100, True),  # others in progress, still in progress
        ("90:100:90,95", "95:101:95", 100, False),  # 90 ended meanwhile
        ("100:101:100", "101:102:", 100, False),  # the first reading saw an id we were not given
        ("100:100:", "101:102:101", 100, False),  # another began after us
        ("100:100:", "not a snapshot", 100, False),
    ],
)
def test_a_postgresql_state_moved_by_this_write_alone(
    before: str, after: str, own: int, alone: bool
) -> None:
    assert carry._only_this_write(before, after, own) is alone


def test_a_write_carries_only_what_follows_the_tables_it_writes(
    any_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review decision carries what follows reviews (kept rankings, which re-read them where
    they are served), and nothing that only follows run rows.

    On PostgreSQL the write is tried again a few times (:func:`_tries`).
    """
    runs_only, reviews_too = Kept(), Kept()
    reviews_too.follows = carry.RUN_TABLES | carry.REVIEW_TABLES  # type: ignore[misc]
    monkeypatch.setattr(carry, "_CARRIERS", [runs_only, reviews_too])
    tries = _tries(any_engine)
    for attempt in range(tries):
        runs_only.keep(any_engine)
        reviews_too.keep(any_engine)
        with carry.bookkeeping_write(any_engine, tables=carry.REVIEW_TABLES) as conn:
            conn.execute(
                text(
                    "INSERT INTO review (platform, platform_post_id, status, reviewer)"
                    " VALUES ('weibo', :id, 'approved', '王')"
                ),
                {"id": str(attempt)},
            )
        assert not runs_only.kept_now(any_engine)
        if reviews_too.kept_now(any_engine):
            break
    assert reviews_too.kept_now(any_engine)
    # and a run row carries both, as before
    for _ in range(tries):
        runs_only.keep(any_engine)
        reviews_too.keep(any_engine)
        start_run(any_engine, kind="job", job="report", scheduled_for=NOW, now=NOW)
        if runs_only.kept_now(any_engine):
            break
    assert runs_only.kept_now(any_engine) and reviews_too.kept_now(any_engine)
