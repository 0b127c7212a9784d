"""The field helpers every parse half shares (``connectors._common``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from connectors._common import merge_tags, opt_id, payload_json
from tracker.normalize.tags import tag_key


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
