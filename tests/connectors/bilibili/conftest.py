"""Test helpers: a tiny in-memory SimContext and sample SimPosts (no dependency on the world).

Exposed through the ``kit`` fixture (tests run with ``--import-mode=importlib``, so they cannot
import a helper module by name). The context and the respx bridge are shared (``simworlds``);
the sample account and post are Bilibili's.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from types import SimpleNamespace

import pytest
from simworlds import NOW, RecordingContext, SimBridge, org_account

from tracker.sim.model import SimAccount, SimMetrics, SimPost


def make_account(uid: str = "3546571234", **kw) -> SimAccount:
    return org_account("bilibili", uid, **kw)


def make_post(aid: int, when: datetime, *, account: SimAccount | None = None, **kw) -> SimPost:
    from connectors.bilibili.ids import aid_to_bvid

    bvid = aid_to_bvid(aid)
    base = dict(
        platform="bilibili",
        post_id=bvid,
        account=account or make_account(),
        title="台风为什么会转弯？<看完秒懂> & 更多",
        text="一分钟讲清楚台风路径。\n#千万IP创科普# #科普#",
        hashtags=("千万IP创科普", "科普"),
        content_type="video",
        published_at=when,
        duration_s=754,
        metrics=SimMetrics(views=12345, likes=678, comments=90, shares=12, favorites=34),
        matches_campaign=True,
        extra={"bvid": bvid, "aid": str(aid)},
    )
    base.update(kw)
    return SimPost(**base)


@pytest.fixture
def kit() -> SimpleNamespace:
    return SimpleNamespace(
        NOW=NOW,
        FakeContext=RecordingContext,
        SimBridge=partial(SimBridge, not_found={"code": -404, "message": "啥都木有"}),
        make_account=make_account,
        make_post=make_post,
    )
