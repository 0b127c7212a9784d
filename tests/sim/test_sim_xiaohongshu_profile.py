"""The Xiaohongshu ``user/otherinfo`` route over real HTTP: the world's follower counts, signed only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tracker.signing.dev import dev_sign
from tracker.sim.api import SimServer
from tracker.sim.model import SimRequest
from tracker.sim.platforms.xiaohongshu import XiaohongshuSim
from tracker.sim.truth import iter_world_truth
from tracker.sim.world import DEFAULT_NOW, World

PLATFORM = "xiaohongshu"
PATH = "/api/sns/web/v1/user/otherinfo"


@pytest.fixture(scope="module")
def sim(world: World) -> Iterator[SimServer]:
    with SimServer(world=world, platforms=[PLATFORM]) as server:
        yield server


def authors(world: World, n: int = 12) -> dict[str, int]:
    """Follower counts of the first ``n`` distinct campaign authors, from the ground truth."""
    out: dict[str, int] = {}
    for record in iter_world_truth(world, DEFAULT_NOW, platforms=[PLATFORM]):
        if record["matches_campaign"]:
            out.setdefault(record["account"], record["followers"])
            if len(out) == n:
                break
    assert len(out) == n
    return out


def get(base: str, uid: str, *, sign: bool = True) -> httpx.Response:
    params = {"target_user_id": uid}
    headers = dev_sign(PLATFORM, params)["headers"] if sign else {}
    return httpx.get(f"{base}{PATH}", params=params, headers=headers, timeout=5.0)


def fans(body: dict[str, Any]) -> str:
    (entry,) = [i for i in body["data"]["interactions"] if i["type"] == "fans"]
    return entry["count"]


def test_profile_answers_with_the_worlds_follower_count(sim: SimServer, world: World) -> None:
    base = sim.base_urls[PLATFORM]
    want = authors(world)
    for uid, followers in want.items():
        response = get(base, uid)
        assert response.status_code == 200
        body = response.json()
        assert body["code"] == 0 and body["success"] is True
        assert body["data"]["result"] == {"success": True, "code": 0, "message": "success"}
        assert fans(body) == str(followers)  # exact digits unless abbreviating
        assert body["data"]["basic_info"]["nickname"] == world.account(PLATFORM, uid).name
        assert "user_id" not in body["data"]["basic_info"]  # the real body does not echo it
    assert len(set(want.values())) > 1  # distinct authors, distinct audiences


def test_bad_or_missing_signature_is_rejected(sim: SimServer, world: World) -> None:
    base = sim.base_urls[PLATFORM]
    uid = next(iter(authors(world, 1)))
    unsigned = get(base, uid, sign=False)
    assert unsigned.status_code == 406 and unsigned.json() == {"code": -1, "success": False}
    forged = httpx.get(
        f"{base}{PATH}",
        params={"target_user_id": uid},
        headers=dev_sign(PLATFORM, {"target_user_id": "someone-else"})["headers"],
        timeout=5.0,
    )
    assert forged.status_code == 406 and forged.json()["code"] == -1


def test_unknown_user_answers_result_false(sim: SimServer) -> None:
    body = get(sim.base_urls[PLATFORM], "000000000000000000000000").json()
    assert body["code"] == 0
    assert body["data"]["result"]["success"] is False
    assert "interactions" not in body["data"]


def test_abbreviated_counts(world: World) -> None:
    uid, followers = max(authors(world).items(), key=lambda kv: kv[1])
    assert followers >= 10_000, "the world should hold an author past 1万"
    params = {"target_user_id": uid}
    request = SimRequest("GET", PATH, params, dev_sign(PLATFORM, params)["headers"], b"")
    response = XiaohongshuSim(abbreviate_counts=True).user_info(request, world.context(DEFAULT_NOW))
    assert fans(response.body).endswith(("万", "万+"))


def test_login_wall_and_block_faults_apply_to_the_route(world: World) -> None:
    uid = next(iter(authors(world, 1)))
    with SimServer(
        world=world, platforms=[PLATFORM], faults="login-wall", fault_options={"login_after": 0}
    ) as walled:
        body = get(walled.base_urls[PLATFORM], uid).json()
    assert body["code"] == -100 and body["success"] is False
    with SimServer(
        world=world,
        platforms=[PLATFORM],
        fault_options={"rate": 1.0, "max_consecutive": 3, "kinds": ("block",)},
    ) as blocking:
        response = get(blocking.base_urls[PLATFORM], uid)
        assert blocking.fault_counts()[PLATFORM] == {"block": 1}
    assert response.status_code == 461 and response.json()["code"] == 300012
