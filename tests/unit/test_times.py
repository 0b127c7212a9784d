"""Table tests for tracker.normalize.times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.normalize.times import SHANGHAI, isoformat_utc, parse_time, to_shanghai, utc_now

# 2024-09-14 12:00 in Shanghai.
NOW = datetime(2024, 9, 14, 4, 0, tzinfo=UTC)


def u(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def sh(*args: int) -> datetime:
    """A Shanghai wall time, as the UTC instant the parser must return."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Weibo created_at (real field form)
        ("Sat Sep 14 10:00:00 +0800 2024", u(2024, 9, 14, 2, 0)),
        ("Wed Feb 01 17:05:36 +0800 2017", sh(2017, 2, 1, 17, 5, 36)),
        ("Sat Jun 14 12:00:00 +0800 2025", sh(2025, 6, 14, 12, 0)),
        ("Sat Sep 14 02:00:00 +0000 2024", u(2024, 9, 14, 2, 0)),
        ("Fri Sep 13 21:00:00 -0500 2024", u(2024, 9, 14, 2, 0)),
        ("Sat, Sep 14 10:00:00 +0800 2024", u(2024, 9, 14, 2, 0)),
        # epoch seconds / milliseconds / microseconds (ints and digit strings)
        (1726279200, u(2024, 9, 14, 2, 0)),
        (1726279200123, u(2024, 9, 14, 2, 0, 0, 123000)),
        (1726279200123456, u(2024, 9, 14, 2, 0, 0, 123456)),
        ("1726279200", u(2024, 9, 14, 2, 0)),
        ("1726279200123", u(2024, 9, 14, 2, 0, 0, 123000)),
        (1726279200.5, u(2024, 9, 14, 2, 0, 0, 500000)),
        (1765966706, u(2025, 12, 17, 10, 18, 26)),  # real Douyin create_time
        (1588407050, u(2020, 5, 2, 8, 10, 50)),  # real Bilibili pubdate
        (1744776738000, u(2025, 4, 16, 4, 12, 18)),  # real XHS update_time (ms)
        (1579770975, u(2020, 1, 23, 9, 16, 15)),  # real Zhihu created_time
        # relative forms, computed from NOW
        ("刚刚", NOW),
        ("30秒前", NOW - timedelta(seconds=30)),
        ("3分钟前", NOW - timedelta(minutes=3)),
        ("3分前", NOW - timedelta(minutes=3)),
        ("5小时前", NOW - timedelta(hours=5)),
        ("16小时前", NOW - timedelta(hours=16)),
        ("2天前", NOW - timedelta(days=2)),
        ("3 天前", NOW - timedelta(days=3)),
        ("1周前", NOW - timedelta(weeks=1)),
        ("今天 08:00", sh(2024, 9, 14, 8, 0)),
        ("今天08:00", sh(2024, 9, 14, 8, 0)),
        ("今天", sh(2024, 9, 14)),
        ("昨天 12:30", sh(2024, 9, 13, 12, 30)),
        ("昨天", sh(2024, 9, 13)),
        ("前天 10:00", sh(2024, 9, 12, 10, 0)),
        ("昨天 23:59:59", sh(2024, 9, 13, 23, 59, 59)),
        # year-less dates: this year unless that is in the future
        ("09-14", sh(2024, 9, 14)),
        ("9-1", sh(2024, 9, 1)),
        ("09-14 10:00", sh(2024, 9, 14, 10, 0)),
        ("09-15", sh(2023, 9, 15)),
        ("12-31", sh(2023, 12, 31)),
        ("01-01", sh(2024, 1, 1)),
        ("9月14日 10:00", sh(2024, 9, 14, 10, 0)),
        ("09月14日", sh(2024, 9, 14)),
        ("9月20日", sh(2023, 9, 20)),
        ("02-29", sh(2024, 2, 29)),
        # absolute dates and date-times (Shanghai wall time)
        ("2024-09-14", sh(2024, 9, 14)),
        ("2024-09-14 10:00", sh(2024, 9, 14, 10, 0)),
        ("2024-09-14 10:00:00", sh(2024, 9, 14, 10, 0)),
        ("2024-9-4 8:05", sh(2024, 9, 4, 8, 5)),
        ("2024/09/14", sh(2024, 9, 14)),
        ("2024/09/14 10:00", sh(2024, 9, 14, 10, 0)),
        ("2024.09.14", sh(2024, 9, 14)),
        ("2024年9月14日 10:00", sh(2024, 9, 14, 10, 0)),
        ("2024年09月14日", sh(2024, 9, 14)),
        ("2026-02-05 18:05:30", sh(2026, 2, 5, 18, 5, 30)),  # real TikHub envelope "time"
        ("20240914", sh(2024, 9, 14)),
        # ISO 8601
        ("2024-09-14T10:00:00+08:00", u(2024, 9, 14, 2, 0)),
        ("2024-09-14T02:00:00Z", u(2024, 9, 14, 2, 0)),
        ("2024-09-14T02:00:00.250Z", u(2024, 9, 14, 2, 0, 0, 250000)),
        ("2024-09-14T10:00:00", sh(2024, 9, 14, 10, 0)),
        ("2024-09-14T10:00", sh(2024, 9, 14, 10, 0)),
        ("2024-09-14 02:00:00+00:00", u(2024, 9, 14, 2, 0)),
        ("2024-09-13T22:00:00-04:00", u(2024, 9, 14, 2, 0)),
        # decorations: whitespace, source, verbs, XHS IP region, full width, zero width
        ("  2024-09-14 10:00  ", sh(2024, 9, 14, 10, 0)),
        ("2024-09-14 10:00 来自 iPhone客户端", sh(2024, 9, 14, 10, 0)),
        ("5小时前 来自微博 weibo.com", NOW - timedelta(hours=5)),
        ("刚刚来自 HUAWEI Mate 60", NOW),
        ("发布于 2024-09-14 10:00", sh(2024, 9, 14, 10, 0)),
        ("编辑于 昨天 10:00", sh(2024, 9, 13, 10, 0)),
        ("编辑于 3天前 广东", NOW - timedelta(days=3)),
        ("09-14 北京", sh(2024, 9, 14)),
        ("２０２４－０９－１４　１０：００", sh(2024, 9, 14, 10, 0)),
        ("今天\u200b08:00", sh(2024, 9, 14, 8, 0)),
        # bare time: today unless clearly in the future
        ("11:00", sh(2024, 9, 14, 11, 0)),
        ("13:30", sh(2024, 9, 13, 13, 30)),
        # datetimes and dates
        (datetime(2024, 9, 14, 10, 0), sh(2024, 9, 14, 10, 0)),
        (datetime(2024, 9, 14, 10, 0, tzinfo=SHANGHAI), u(2024, 9, 14, 2, 0)),
        (datetime(2024, 9, 14, 2, 0, tzinfo=UTC), u(2024, 9, 14, 2, 0)),
        (datetime(2024, 9, 13, 21, 0, tzinfo=timezone(timedelta(hours=-5))), u(2024, 9, 14, 2, 0)),
        (date(2024, 9, 14), sh(2024, 9, 14)),
    ],
)
def test_parse_time_table(value: object, expected: datetime) -> None:
    got = parse_time(value, now=NOW)  # type: ignore[arg-type]
    assert got == expected
    assert got.tzinfo is UTC


def test_relative_day_words_use_the_shanghai_date_not_the_utc_date() -> None:
    # 2024-09-14 23:30 UTC is already 09-15 07:30 in Shanghai.
    now = u(2024, 9, 14, 23, 30)
    assert parse_time("今天 08:00", now=now) == sh(2024, 9, 15, 8, 0)
    assert parse_time("昨天 08:00", now=now) == sh(2024, 9, 14, 8, 0)
    assert parse_time("09-15", now=now) == sh(2024, 9, 15)


def test_year_less_date_across_new_year() -> None:
    new_year = sh(2025, 1, 2, 9, 0)
    assert parse_time("12-31 22:00", now=new_year) == sh(2024, 12, 31, 22, 0)
    assert parse_time("01-01", now=new_year) == sh(2025, 1, 1)
    # the new year is already here in Shanghai although UTC is still in 2024
    assert parse_time("01-01 07:00", now=u(2024, 12, 31, 23, 30)) == sh(2025, 1, 1, 7, 0)


def test_year_less_date_small_clock_skew_stays_this_year() -> None:
    # The platform's clock runs 20 minutes ahead of ours: not a year-old post.
    assert parse_time("09-14 12:20", now=NOW) == sh(2024, 9, 14, 12, 20)
    assert parse_time("09-14 13:30", now=NOW) == sh(2023, 9, 14, 13, 30)


def test_feb_29_goes_back_to_the_last_leap_year() -> None:
    assert parse_time("02-29", now=sh(2027, 3, 1)) == sh(2024, 2, 29)
    assert parse_time("02-29", now=sh(2028, 2, 28)) == sh(2024, 2, 29)


def test_naive_now_is_taken_as_shanghai() -> None:
    assert parse_time("昨天 12:30", now=datetime(2024, 9, 14, 12, 0)) == sh(2024, 9, 13, 12, 30)


def test_default_now_is_the_current_time() -> None:
    before = utc_now()
    got = parse_time("刚刚")
    after = utc_now()
    assert before <= got <= after
    assert abs(parse_time("3分钟前") - (utc_now() - timedelta(minutes=3))) < timedelta(seconds=5)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "",
        "   ",
        "来自 iPhone",
        "13-40",
        "2024-13-01",
        "2024-02-30",
        "25:00",
        "昨天 25:00",
        "Mon Foo 14 10:00:00 +0800 2024",
        "Sat Sep 31 10:00:00 +0800 2024",
        "2024-09-14Tabc",
        "2024-09-14T10:00:00+25:00",
        "10**20",
        "-1726279200",
        "3个月前",
        "明天 10:00",
        "0",
        0,
        -5,
        10**20,
        float("nan"),
        float("inf"),
        "1e9",
    ],
)
def test_parse_time_rejects_with_value_in_message(value: object) -> None:
    with pytest.raises(ValueError) as info:
        parse_time(value, now=NOW)  # type: ignore[arg-type]
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("value", [True, None, [1], b"2024-09-14"])
def test_parse_time_rejects_other_types(value: object) -> None:
    with pytest.raises(ValueError):
        parse_time(value, now=NOW)  # type: ignore[arg-type]


@given(st.text(max_size=40))
def test_parse_time_only_raises_value_error_on_arbitrary_text(s: str) -> None:
    try:
        got = parse_time(s, now=NOW)
    except ValueError:
        return
    assert got.tzinfo is UTC


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_parse_time_only_raises_value_error_on_arbitrary_ints(n: int) -> None:
    try:
        got = parse_time(n, now=NOW)
    except ValueError:
        return
    assert got.tzinfo is UTC
    if len(str(n)) != 8:  # 8 digits read as YYYYMMDD when they form a date
        assert parse_time(str(n), now=NOW) == got


@given(st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2090, 1, 1)))
def test_round_trip_through_isoformat(dt: datetime) -> None:
    aware = dt.replace(tzinfo=UTC)
    assert parse_time(isoformat_utc(aware)) == aware
    assert parse_time(int(aware.timestamp()), now=NOW) == aware.replace(microsecond=0)


def test_helpers() -> None:
    assert str(SHANGHAI) == "Asia/Shanghai"
    instant = u(2024, 9, 14, 2, 0)
    assert to_shanghai(instant) == datetime(2024, 9, 14, 10, 0, tzinfo=SHANGHAI)
    assert to_shanghai(instant).utcoffset() == timedelta(hours=8)
    # naive means Shanghai wall time everywhere in the module
    assert to_shanghai(datetime(2024, 9, 14, 10, 0)) == datetime(
        2024, 9, 14, 10, 0, tzinfo=SHANGHAI
    )
    assert isoformat_utc(instant) == "2024-09-14T02:00:00+00:00"
    assert (
        isoformat_utc(datetime(2024, 9, 14, 10, 0, tzinfo=SHANGHAI)) == "2024-09-14T02:00:00+00:00"
    )
    assert isoformat_utc(datetime(2024, 9, 14, 10, 0)) == "2024-09-14T02:00:00+00:00"
    now = utc_now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
