"""Xiaohongshu note ids are MongoDB ObjectIds: their first 8 hex digits are the creation second.

Web search cards carry no time, so the id dates them (``published_at_source == "id"``). Real
bodies that carry both show what that is worth: the id's second equals the given time for most
notes, and is never later; for some it is hours or days earlier (the note was created, then
published later), so a derived time is a lower bound and is marked as derived.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.xiaohongshu.ids import note_id_time
from connectors.xiaohongshu.parse import parse_search_notes
from tracker.imports.mediacrawler import map_row

from ...helpers.real import real2_path

CAPTURED = datetime(2026, 12, 4, tzinfo=UTC)
CHENPI = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "xiaohongshu"
    / "tikhub_wrapped_search_notes_keyword_chenpi.json"
)
MINUTE = timedelta(minutes=1)


def _chenpi() -> dict[str, Any]:
    return json.loads(CHENPI.read_text(encoding="utf-8"))


def _notes(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [item["note"] for item in body["data"]["data"]["items"] if "note" in item]


def test_search_notes_without_a_time_are_dated_from_their_ids() -> None:
    body = _chenpi()
    for note in _notes(body):
        del note["timestamp"]
    page = parse_search_notes(body, captured_at=CAPTURED, source="import")
    assert len(page.posts) == 20
    assert {p.published_at_source for p in page.posts} == {"id"}
    work = next(p for p in page.posts if p.platform_post_id == "67ff2df8000000001b03ebc7")
    assert work.published_at == datetime(2025, 4, 16, 4, 11, 36, tzinfo=UTC)  # 0x67ff2df8


def test_a_given_time_wins_and_the_id_is_never_later() -> None:
    body = _chenpi()
    page = parse_search_notes(copy.deepcopy(body), captured_at=CAPTURED, source="import")
    assert {p.published_at_source for p in page.posts} == {"field"}
    late = []
    for post in page.posts:
        derived = note_id_time(post.platform_post_id)
        assert derived is not None and post.published_at is not None
        assert derived <= post.published_at
        if post.published_at - derived >= MINUTE:
            late.append((post.platform_post_id, int((post.published_at - derived).total_seconds())))
    # 16 of 20 agree to the second; these 4 were published 2.7 to 26.4 hours after creation
    assert sorted(late) == [
        ("6777b63c000000000b02395a", 95177),
        ("697ef640000000000c034f2a", 9962),
        ("697fe1d8000000002103d857", 16290),
        ("6984683d000000001a02153e", 49092),
    ]


def _rows() -> list[dict[str, Any]]:
    return json.loads(real2_path("xhs-mediacrawler-search-contents.json").read_text("utf-8"))


def test_mediacrawler_rows_sanity_of_id_times() -> None:
    """400 real rows that have both: 379 within a minute, 21 created hours to days earlier."""
    within, earlier = 0, []
    for row in _rows():
        given = datetime.fromtimestamp(row["time"] / 1000, UTC)
        derived = note_id_time(row["note_id"])
        assert derived is not None and derived <= given
        if given - derived < MINUTE:
            within += 1
        else:
            earlier.append(given - derived)
    assert (within, len(earlier)) == (379, 21)
    assert max(earlier) < timedelta(days=4)


def test_mediacrawler_rows_without_time_are_dated_from_their_ids() -> None:
    (row,) = [r for r in _rows() if r["note_id"] == "66d5b40e000000001d0182be"][:1]
    row = {k: v for k, v in row.items() if k != "time"}
    mapped = map_row("xhs_note", row, fallback_time=CAPTURED)
    assert mapped.post is not None
    assert mapped.post.published_at == datetime(2024, 9, 2, 12, 48, 14, tzinfo=UTC)
    assert mapped.post.published_at_source == "id"


def test_ids_that_are_not_object_ids_give_no_time() -> None:
    assert note_id_time("66d5b40e") is None  # too short
    assert note_id_time("zzd5b40e000000001d0182be") is None  # not hex
    assert note_id_time("000000000000000000000000") is None  # 1970: before Xiaohongshu
    assert note_id_time("ffffffff000000001d0182be") is None  # 2106: in the future
