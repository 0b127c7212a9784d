"""Fixtures for the HTTP layer: a fake clock/sleep pair and a respx router."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx


class FakeTime:
    """A clock that moves only when something sleeps, so waits are recorded, never spent."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """Every httpx request is answered by a route; an unrouted request fails the test."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock
