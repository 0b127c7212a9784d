"""A work's tags are a set of normalised tags: never the same tag in two spellings.

``#高考加油#冲刺最后一周！#高考加油#`` once gave ``["#高考加油", "#高考加油#"]``: the first topic ran
straight into more text, so it was read as an open tag, and the closed one later was a different
raw spelling of the same tag.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from tracker.normalize.tags import extract_hashtags, tag_key
from tracker.records import PostRecord

# Hash signs, CJK, Latin letters in both cases and widths, traditional forms, the XHS marker,
# spaces and the punctuation that ends an open tag: the characters tag boundaries turn on.
_ALPHABET = st.sampled_from(
    list("##＃﹟高考加油冲刺千万IPipＩＰ萬創科普 　\n，。！、[]话题")
    + ["[话题]", "\u200b", "#高考加油#", "#高考加油"]
)
_TEXTS = st.lists(_ALPHABET, max_size=40).map("".join)


@given(_TEXTS)
@example("#高考加油#冲刺最后一周！#高考加油#")
@example("#高考加油#冲刺 #高考加油#")
@example("#千万IP创科普##千万ip创科普")
@example("#千萬IP創科普#今天 #千万IP创科普")
def test_extracted_tags_have_distinct_normalised_forms(text: str) -> None:
    keys = [tag_key(t) for t in extract_hashtags(text)]
    assert len(keys) == len(set(keys)), (text, extract_hashtags(text))


def test_the_issue_example_gives_one_tag() -> None:
    assert extract_hashtags("#高考加油#冲刺最后一周！#高考加油#") == ["#高考加油"]


@given(st.lists(st.sampled_from(["#高考加油#", "#高考加油", "高考加油", "＃高考加油＃", "#话题#"])))
def test_a_record_keeps_one_spelling_per_tag(tags: list[str]) -> None:
    """Whatever a parser hands over, the stored list holds each tag once (first spelling)."""
    from datetime import UTC, datetime

    post = PostRecord("weibo", "1", datetime(2026, 1, 1, tzinfo=UTC), hashtags=tags)
    keys = [tag_key(t) for t in post.hashtags]
    assert len(keys) == len(set(keys))
    assert {tag_key(t) for t in tags} - {""} == set(keys)
    assert post.hashtags == [
        t for i, t in enumerate(tags) if tag_key(t) not in map(tag_key, tags[:i])
    ]
