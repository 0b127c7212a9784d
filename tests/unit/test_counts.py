"""Table tests for tracker.normalize.counts: parse_count, parse_count_bound, lower_bounded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.normalize.counts import CountReading, lower_bounded, parse_count, parse_count_bound


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # the contract examples
        ("1.2万", 12_000),
        ("100万+", 1_000_000),
        ("169.8w", 1_698_000),
        ("1.1亿", 110_000_000),
        ("3,456", 3_456),
        # units and case
        ("169.8W", 1_698_000),
        ("10万+", 100_000),
        ("10w+", 100_000),
        ("2.5k", 2_500),
        ("2.5K", 2_500),
        ("3千", 3_000),
        ("1.5m", 1_500_000),
        ("2亿+", 200_000_000),
        ("1.23456亿", 123_456_000),
        ("0.1万", 1_000),
        (".5万", 5_000),
        ("3百万", 3_000_000),
        ("1千万", 10_000_000),
        # decimals must be exact (float would give 1697999.9999999998 etc.)
        ("4.35万", 43_500),
        ("0.07亿", 7_000_000),
        ("9.99w", 99_900),
        # plain numbers, separators, spaces, full width
        ("0", 0),
        ("42", 42),
        ("1,234,567", 1_234_567),
        ("1 234", 1_234),
        ("  7  ", 7),
        ("１２３", 123),
        ("１．２万", 12_000),
        ("１，２３４", 1_234),
        ("12 万", 120_000),
        ("12万 +", 120_000),
        ("\u00a0５\u00a0", 5),
        # round half up of the scaled decimal
        ("0.5", 1),
        ("1.4", 1),
        ("2.5", 3),
        ("1.00005万", 10_001),
        ("1.00004万", 10_000),
        # missing metric is None, never 0
        (None, None),
        ("", None),
        ("   ", None),
        ("-", None),
        ("--", None),
        (" - ", None),
        ("—", None),
        # numbers
        (0, 0),
        (12345, 12345),
        (12.5, 13),
        (12.4, 12),
        (1.15, 1),
        (3.0, 3),
        (Decimal("1.5"), 2),
        # very long digit strings stay exact
        ("1" * 40, int("1" * 40)),
        ("1" * 40 + "万", int("1" * 40) * 10_000),
    ],
)
def test_parse_count_table(value: object, expected: int | None) -> None:
    assert parse_count(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    ["abc", "1.2.3万", "万", "w", "+", "1e5", "12abc", "1万万", "十万", "1/2", "0x10", "1..2", "∞"],
)
def test_parse_count_rejects_garbage_with_value_in_message(value: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_count(value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("value", [-1, -0.5, "-5", "-1.2万", "－3", Decimal("-1")])
def test_parse_count_rejects_negative(value: object) -> None:
    with pytest.raises(ValueError, match="negative"):
        parse_count(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, False])
def test_parse_count_rejects_bool(value: bool) -> None:
    with pytest.raises(ValueError, match="boolean"):
        parse_count(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), Decimal("NaN")])
def test_parse_count_rejects_non_finite(value: object) -> None:
    with pytest.raises(ValueError, match="finite"):
        parse_count(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [[1], {"a": 1}, b"12", object()])
def test_parse_count_rejects_other_types(value: object) -> None:
    with pytest.raises(ValueError, match="unsupported type"):
        parse_count(value)  # type: ignore[arg-type]


@given(st.text())
def test_parse_count_only_raises_value_error_on_arbitrary_text(s: str) -> None:
    try:
        result = parse_count(s)
    except ValueError:
        return
    assert result is None or (isinstance(result, int) and result >= 0)


@given(st.integers(min_value=0, max_value=10**15))
def test_parse_count_round_trips_formatted_integers(n: int) -> None:
    assert parse_count(n) == n
    assert parse_count(str(n)) == n
    assert parse_count(f"{n:,}") == n
    assert parse_count(f"{n}+") == n


@given(st.integers(min_value=0, max_value=99_999), st.sampled_from(["万", "w", "W"]))
def test_parse_count_wan_with_one_decimal_is_exact(tenths: int, unit: str) -> None:
    text = f"{tenths // 10}.{tenths % 10}{unit}"
    assert parse_count(text) == tenths * 1_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a displayed "+" is a floor: the figure is kept, and marked
        ("100万+", (1_000_000, True)),
        ("10万+", (100_000, True)),
        ("1w+", (10_000, True)),
        ("1W+", (10_000, True)),
        ("999+", (999, True)),
        ("12万 +", (120_000, True)),
        ("１０万＋", (100_000, True)),  # full width plus, NFKC
        ("2亿+", (200_000_000, True)),
        # everything else is exact
        ("100万", (1_000_000, False)),
        ("3,456", (3_456, False)),
        (1_000_000, (1_000_000, False)),
        (12.5, (13, False)),
        (Decimal("7"), (7, False)),
        # no figure, no floor
        (None, (None, False)),
        ("-", (None, False)),
        ("", (None, False)),
    ],
)
def test_parse_count_bound_says_when_the_figure_is_a_floor(
    value: object, expected: tuple[int | None, bool]
) -> None:
    reading = parse_count_bound(value)  # type: ignore[arg-type]
    assert reading == CountReading(*expected)
    assert parse_count(value) == reading.value  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", "+", "-5+", True, [1]])
def test_parse_count_bound_rejects_what_parse_count_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_count_bound(value)  # type: ignore[arg-type]


def test_lower_bounded_names_only_displayed_floors() -> None:
    assert lower_bounded(
        likes="100万+", comments="1w+", shares=1_000_000, favorites="10万", views=None
    ) == frozenset({"likes", "comments"})
    # garbage is the count parser's to reject, never a floor (and never an exception here)
    assert lower_bounded(likes="abc+", comments="+", shares=True) == frozenset()
    assert lower_bounded() == frozenset()


@given(st.integers(min_value=0, max_value=10**15))
def test_a_plus_always_marks_a_floor_and_keeps_the_figure(n: int) -> None:
    assert parse_count_bound(f"{n}+") == (n, True)
    assert parse_count_bound(f"{n:,}") == (n, False)
