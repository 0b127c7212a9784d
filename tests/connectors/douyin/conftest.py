"""Test helpers: a tiny in-memory SimContext and sample SimPosts (no dependency on the world).

Exposed through the ``kit`` fixture (tests run with ``--import-mode=importlib``, so they cannot
import a helper module by name). The context and the respx bridge are shared (``simworlds``);
the sample account and post are Douyin's.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from types import SimpleNamespace

import pytest
from simworlds import NOW, RecordingContext, SimBridge, org_account

from tracker.sim.model import SimAccount, SimMetrics, SimPost


def make_account(uid: str = "415618727771", **kw) -> SimAccount:
    return org_account("douyin", uid, **{"sec_uid": "MS4wLjABAAAA" + uid.rjust(32, "x"), **kw})


def make_post(aweme_id: int, when: datetime, *, account: SimAccount | None = None, **kw) -> SimPost:
    base = dict(
        platform="douyin",
        post_id=str(aweme_id),
        account=account or make_account(),
        title="台风为什么会转弯",
        text="台风为什么会转弯 #千万ip创科普 #科普",
        hashtags=("#千万ip创科普", "#科普"),
        content_type="video",
        published_at=when,
        duration_s=37,
        metrics=SimMetrics(views=None, likes=678, comments=90, shares=12, favorites=34),
        matches_campaign=True,
        extra={},
    )
    base.update(kw)
    return SimPost(**base)


@pytest.fixture
def kit() -> SimpleNamespace:
    return SimpleNamespace(
        NOW=NOW,
        FakeContext=RecordingContext,
        SimBridge=partial(SimBridge, not_found={"status_code": 404}),
        make_account=make_account,
        make_post=make_post,
    )
