"""The field helpers every parse half shares (``connectors._common``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from connectors._common import (
    add_item,
    claimed_total,
    merge_tags,
    opt_id,
    payload_json,
    reject,
    strict_id,
    unique_accounts,
)
from tracker.normalize.tags import tag_key
from tracker.records import AccountRecord, ParsedPage, PostRecord

AT = datetime(2024, 9, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (True, None), (False, None), ("", None), ("  ", None), (" 12 ", "12")],
)
def test_opt_id_reads_absent_blank_and_bool_as_none(value: object, expected: str | None) -> None:
    assert opt_id(value) == expected


def test_opt_id_keeps_numbers_as_text_and_zero_unless_asked() -> None:
    assert opt_id(7001234567890123456) == "7001234567890123456"
    assert opt_id(0) == "0"
    assert opt_id("0") == "0"
    assert opt_id(0, zero_is_none=True) is None
    assert opt_id(" 0 ", zero_is_none=True) is None
    assert opt_id("10", zero_is_none=True) == "10"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7001234567890123456, "7001234567890123456"),
        (0, "0"),
        ("abc", "abc"),
        ("  4989xyz \n", "4989xyz"),
        ("0", "0"),
    ],
)
def test_strict_id_keeps_ints_and_non_blank_strings_as_trimmed_text(
    value: object, expected: str
) -> None:
    assert strict_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", True, False, 1.0, 12.5, [1], ["12"], [], {"id": 1}, {}],
)
def test_strict_id_refuses_absent_blank_bool_float_list_and_dict(value: object) -> None:
    assert strict_id(value) is None


def test_strict_id_is_stricter_than_opt_id_on_malformed_ids() -> None:
    """Where ``opt_id`` would stringify a float or list into a key, ``strict_id`` refuses it."""
    assert opt_id(1.0) == "1.0" and strict_id(1.0) is None
    assert opt_id([1]) == "[1]" and strict_id([1]) is None


def test_merge_tags_structured_first_one_spelling_per_key_non_strings_skipped() -> None:
    tags = merge_tags(
        ["千万IP创科普", None, 3, {"name": "x"}, "科普"], "看 #千万ip创科普# 和 #新话题"
    )
    assert tags[:2] == ["千万IP创科普", "科普"]
    assert [tag_key(t) for t in tags] == [
        tag_key("千万IP创科普"),
        tag_key("科普"),
        tag_key("新话题"),
    ]


def test_merge_tags_without_text_or_structured_tags() -> None:
    assert merge_tags([], None) == []
    assert merge_tags(iter(["科普", "#科普"]), None) == ["科普"]


def test_payload_json_keeps_chinese_readable_and_odd_values_as_text() -> None:
    text = payload_json({"desc": "台风", "at": datetime(2024, 9, 20, tzinfo=UTC), "n": [1, None]})
    assert "台风" in text
    assert json.loads(text) == {"desc": "台风", "at": "2024-09-20 00:00:00+00:00", "n": [1, None]}
    assert payload_json("台风") == '"台风"'


def test_reject_keeps_reason_location_platform_and_the_item_as_json() -> None:
    row = reject("weibo", "mblog: expected an object", {"b": "台风", "a": 1}, "data.cards[0]")
    assert (row.platform, row.reason, row.location) == (
        "weibo",
        "mblog: expected an object",
        "data.cards[0]",
    )
    assert row.payload == '{"b": "台风", "a": 1}'
    sorted_row = reject("weibo", "r", {"b": "台风", "a": 1}, "x", sort_keys=True)
    assert sorted_row.payload == '{"a": 1, "b": "台风"}'


def test_reject_falls_back_to_repr_when_json_cannot_encode_the_item() -> None:
    circular: list[object] = []
    circular.append(circular)
    assert reject("douyin", "r", circular, "x").payload == repr(circular)
    mixed_keys = {1: "a", "b": 2}
    assert reject("zhihu", "r", mixed_keys, "x", sort_keys=True).payload == repr(mixed_keys)


def _post(post_id: str) -> PostRecord:
    return PostRecord(platform="kuaishou", platform_post_id=post_id, captured_at=AT)


def _account(uid: str, name: str) -> AccountRecord:
    return AccountRecord(platform="kuaishou", platform_uid=uid, name=name)


def _read(item: object) -> tuple[PostRecord, AccountRecord | None]:
    if not isinstance(item, dict):
        raise ValueError("not an object")
    if "boom" in item:
        raise KeyError("boom")
    author = _account(item["uid"], item["uid"]) if "uid" in item else None
    return _post(item["id"]), author


def test_add_item_appends_the_post_and_its_author_or_a_reject() -> None:
    page = ParsedPage()
    assert add_item(page, _read, {"id": "p1", "uid": "u1"}, "kuaishou", "ks feeds[0]", "feeds[0]")
    assert add_item(page, _read, {"id": "p2"}, "kuaishou", "ks feeds[1]", "feeds[1]")
    assert not add_item(page, _read, [1], "kuaishou", "ks feeds[2]", "feeds[2]")
    assert [p.platform_post_id for p in page.posts] == ["p1", "p2"]
    assert [a.platform_uid for a in page.accounts] == ["u1"]
    (row,) = page.rejects
    assert (row.reason, row.location, row.payload) == (
        "ks feeds[2]: not an object",
        "feeds[2]",
        "[1]",
    )


def test_add_item_catches_only_the_errors_it_is_given() -> None:
    page = ParsedPage()
    with pytest.raises(KeyError):
        add_item(page, _read, {"boom": 1}, "kuaishou", "r", "data")
    errors = (ValueError, TypeError, KeyError)
    assert not add_item(page, _read, {"boom": 1}, "kuaishou", "r", "data", errors=errors)
    assert page.rejects[0].reason == "r: 'boom'"


def test_unique_accounts_keeps_first_or_last_sighting_in_first_seen_order() -> None:
    seen = [_account("u1", "a"), _account("u2", "b"), _account("u1", "c")]
    assert [(a.platform_uid, a.name) for a in unique_accounts(seen)] == [("u1", "a"), ("u2", "b")]
    last = unique_accounts(seen, keep="last")
    assert [(a.platform_uid, a.name) for a in last] == [("u1", "c"), ("u2", "b")]


def test_claimed_total_is_a_non_negative_count_or_unknown() -> None:
    assert [claimed_total(v) for v in (0, 1000, "37", " 5 ")] == [0, 1000, 37, 5]
    assert [claimed_total(v) for v in (-1, True, None, 2.5, "-3", "1万", [])] == [None] * 7
