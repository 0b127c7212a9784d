"""The helpers the connectors' client halves share (``connectors._client_common``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from connectors._client_common import (
    SESSION_ERRORS,
    bare_tag,
    fold_word,
    keep_window,
    keyword_resume_point,
    next_keyword_cursor,
    next_tag_cursor,
    refresh_failed,
    retry_after,
    search_keywords,
    tag_resume_point,
    unique_tags,
    unique_words,
    utc_now,
    window_page,
)
from tracker.errors import Blocked, ConnectorError, LoginRequired, ParseError, RateLimited
from tracker.normalize.tags import tag_key
from tracker.records import AccountRecord, ParsedPage, PostRecord

SINCE = datetime(2024, 9, 1, tzinfo=UTC)
UNTIL = datetime(2024, 9, 30, tzinfo=UTC)


# --- the clock and the response --------------------------------------------------------


def test_utc_now_is_an_aware_utc_time() -> None:
    now = utc_now()
    assert now.tzinfo is UTC
    assert abs(datetime.now(UTC) - now) < timedelta(minutes=1)


def test_retry_after_reads_seconds_only() -> None:
    answer = SimpleNamespace(headers={"Retry-After": "12"})
    assert retry_after(answer) == 12.0
    answer.headers["Retry-After"] = "0.5"
    assert retry_after(answer) == 0.5
    answer.headers["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT"  # a date is "not said"
    assert retry_after(answer) is None


def test_retry_after_without_a_response_or_header_is_none() -> None:
    assert retry_after(None) is None
    assert retry_after(SimpleNamespace(headers=None)) is None
    assert retry_after(SimpleNamespace(headers={})) is None


# --- tags to search words ---------------------------------------------------------------------


def test_bare_tag_drops_the_hash_enclosure() -> None:
    spellings = ["#千万IP创科普#", "＃千万IP创科普＃", "  # 千万IP创科普 #  ", "千万IP创科普"]
    assert {bare_tag(s) for s in spellings} == {"千万IP创科普"}
    assert bare_tag("##") == ""


def test_unique_tags_keeps_the_first_spelling_of_each_tag_key() -> None:
    tags = ["千万IP创科普", "#千万ip创科普#", "科普", "#", "", "＃科普"]
    assert unique_tags(tags) == ["千万IP创科普", "科普"]
    assert unique_tags(iter([])) == []


def test_search_keywords_are_cleaned_words_one_per_tag_key() -> None:
    tags = ["#千万IP创科普#", "千万ip创科普[话题]", "　科普　", "#", "[话题]", "新话题[话题]#"]
    assert search_keywords(tags) == ["千万IP创科普", "科普", "新话题"]
    assert len({tag_key(w) for w in search_keywords(tags)}) == 3


def test_fold_word_ignores_width_case_and_spaces_but_not_script() -> None:
    assert fold_word("ＡＢＣ 科 普") == fold_word("abc科普")
    assert fold_word("话题") != fold_word("話題")


def test_unique_words_keeps_the_first_spelling_of_each_fold_and_drops_blanks() -> None:
    words = ["#Ｋepu#", "", "#kepu#", "# K E P U #", "#话题#", "#話題#"]
    assert unique_words(words) == ["#Ｋepu#", "#话题#", "#話題#"]
    assert unique_words(w for w in ["", ""]) == []


# --- resuming a run over a list of tags ---------------------------------------------------------


TAGS = ["a", "b", "c"]


def test_tag_resume_point_without_a_cursor_starts_at_the_first_tag() -> None:
    assert tag_resume_point(TAGS, None) == (0, {})
    assert tag_resume_point(TAGS, {}) == (0, {})


def test_tag_resume_point_keeps_the_state_of_the_saved_tag() -> None:
    cursor = {"tag_index": 1, "tag": "b", "page": 4}
    assert tag_resume_point(TAGS, cursor) == (1, cursor)
    moved = {"tag_index": 0, "tag": "c", "page": 2}
    assert tag_resume_point(TAGS, moved) == (2, moved)


def test_tag_resume_point_restarts_when_the_saved_tag_is_gone() -> None:
    assert tag_resume_point(TAGS, {"tag_index": 1, "tag": "gone", "page": 3}) == (0, {})


def test_tag_resume_point_after_a_done_cursor_reads_only_tags_added_since() -> None:
    done = next_tag_cursor(["a", "b"], 1)
    assert done == {"tag_index": 2, "tag": None, "done": True}
    assert tag_resume_point(["a", "b"], done)[0] == 2
    assert tag_resume_point(TAGS, done)[0] == 2


def test_next_tag_cursor_names_the_next_tag() -> None:
    assert next_tag_cursor(TAGS, 0) == {"tag_index": 1, "tag": "b"}
    assert next_tag_cursor(TAGS, 2) == {"tag_index": 3, "tag": None, "done": True}


def test_keyword_resume_point_done_reads_nothing() -> None:
    assert keyword_resume_point(TAGS, {"tag_index": 1, "done": True}) == (3, {})


def test_keyword_resume_point_finds_the_saved_keyword_or_goes_on_without_state() -> None:
    assert keyword_resume_point(TAGS, None) == (0, {})
    cursor = {"tag_index": 0, "tag": "c", "page": 5}
    assert keyword_resume_point(TAGS, cursor) == (2, cursor)
    assert keyword_resume_point(TAGS, {"tag_index": 1, "tag": "gone", "page": 5}) == (1, {})
    assert keyword_resume_point(TAGS, {"tag_index": 2}) == (2, {})


def test_next_keyword_cursor_carries_the_platform_first_page() -> None:
    assert next_keyword_cursor(TAGS, 0, pcursor="1") == {"tag_index": 1, "tag": "b", "pcursor": "1"}
    assert next_keyword_cursor(TAGS, 1, page=1) == {"tag_index": 2, "tag": "c", "page": 1}
    assert next_keyword_cursor(TAGS, 2, page=1) == {"tag_index": 3, "done": True}


# --- the collection window ---------------------------------------------------------------------


def _post(
    post_id: str, when: datetime | None, uid: str, repost_of: str | None = None
) -> PostRecord:
    """A dated post by ``uid`` (``repost_of`` names its original)."""
    return PostRecord("weibo", post_id, UNTIL, uid, published_at=when, repost_of=repost_of)


def _page(*posts: PostRecord) -> ParsedPage:
    uids = dict.fromkeys(p.account_uid for p in posts if p.account_uid)
    accounts = [AccountRecord(platform="weibo", platform_uid=uid) for uid in uids]
    return ParsedPage(posts=list(posts), accounts=accounts, has_more=True, cursor="2")


def _ids(page: ParsedPage) -> list[str]:
    return [p.platform_post_id for p in page.posts]


def test_keep_window_is_half_open_keeps_undated_and_drops_lone_authors() -> None:
    page = _page(
        _post("before", SINCE - timedelta(seconds=1), "u1"),
        _post("first", SINCE, "u2"),
        _post("undated", None, "u3"),
        _post("at-until", UNTIL, "u4"),
    )
    keep_window(page, SINCE, UNTIL)
    assert _ids(page) == ["first", "undated"]
    assert [a.platform_uid for a in page.accounts] == ["u2", "u3"]


def test_keep_window_without_a_window_changes_nothing() -> None:
    page = _page(_post("old", SINCE - timedelta(days=400), "u1"))
    keep_window(page, None, None)
    assert _ids(page) == ["old"] and len(page.accounts) == 1


def test_window_page_is_half_open_and_keeps_the_original_of_a_kept_repost() -> None:
    page = _page(
        _post("original", SINCE - timedelta(days=3), "u1"),
        _post("repost", UNTIL - timedelta(seconds=1), "u2", repost_of="original"),
        _post("old", SINCE - timedelta(days=2), "u3"),
        _post("undated", None, "u4"),
        _post("at-until", UNTIL, "u5"),
    )
    out, all_older = window_page(page, SINCE, UNTIL)
    assert _ids(out) == ["original", "repost", "undated"]
    assert [a.platform_uid for a in out.accounts] == ["u1", "u2", "u4"]
    assert (out.has_more, out.cursor, all_older) == (True, "2", False)
    assert _ids(page) == ["original", "repost", "old", "undated", "at-until"]  # input untouched


def test_both_window_filters_draw_the_same_edges() -> None:
    """``--until`` is "published before" on every platform: one rule for both filters."""

    def page() -> ParsedPage:
        return _page(
            _post("before", SINCE - timedelta(microseconds=1), "u1"),
            _post("at-since", SINCE, "u2"),
            _post("last", UNTIL - timedelta(microseconds=1), "u3"),
            _post("at-until", UNTIL, "u4"),
        )

    kept = page()
    keep_window(kept, SINCE, UNTIL)
    out, _ = window_page(page(), SINCE, UNTIL)
    assert _ids(kept) == _ids(out) == ["at-since", "last"]


def test_window_page_says_when_every_post_is_older_than_since() -> None:
    older = _page(
        _post("a", SINCE - timedelta(days=1), "u1"), _post("b", SINCE - timedelta(days=2), "u2")
    )
    out, all_older = window_page(older, SINCE, None)
    assert all_older and out.posts == []
    with_undated = _page(_post("a", SINCE - timedelta(days=1), "u1"), _post("b", None, "u2"))
    assert window_page(with_undated, SINCE, None)[1] is False
    assert window_page(_page(), SINCE, None)[1] is False
    assert window_page(older, None, UNTIL)[1] is False


def test_window_page_without_a_window_returns_the_page_itself() -> None:
    page = _page(_post("a", SINCE, "u1"))
    assert window_page(page, None, None) == (page, False)
    assert window_page(page, None, None)[0] is page


# --- one work's failure versus the session's ---------------------------------------------------


@pytest.mark.parametrize("error", [LoginRequired, Blocked, RateLimited])
def test_session_errors_are_the_ones_that_stop_a_run(error: type[ConnectorError]) -> None:
    assert isinstance(error("x"), SESSION_ERRORS)


def test_other_connector_errors_are_not_session_errors() -> None:
    assert not isinstance(ParseError("x"), SESSION_ERRORS)
    assert not isinstance(ConnectorError("x"), SESSION_ERRORS)


def test_refresh_failed_keeps_the_error_the_id_and_where() -> None:
    row = refresh_failed(ParseError("bad body"), "zhihu", '{"id": "42"}', "api/v4/answers")
    assert (row.reason, row.payload, row.platform, row.location) == (
        "refresh failed: bad body",
        '{"id": "42"}',
        "zhihu",
        "api/v4/answers",
    )
