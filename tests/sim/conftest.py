"""Fixtures for the simulator core's tests: a small world and servers with the example double."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tracker.sim.api import SimServer
from tracker.sim.platforms._example import ExampleSim
from tracker.sim.world import World

ARTICLES = ["kepuchina", "qqnews", "xuexi"]


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, scale=300, hostile_titles=True)  # escaping tests need the XSS titles


@pytest.fixture
def make_server() -> Iterator[Callable[..., SimServer]]:
    """Start servers mounting only the article sites and the example double (weibo data)."""
    started: list[SimServer] = []

    def make(**kwargs: Any) -> SimServer:
        kwargs.setdefault("platforms", ARTICLES)
        kwargs.setdefault("extra_sims", {"example": ExampleSim("weibo")})
        server = SimServer(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c
