"""Ranking: pure, vectorised pandas scoring of works, creators and units (DESIGN §4).

Ranking reads no database: the read home's ``ranking_inputs.load_frames(conn, campaign_id)``
(``tracker.store.queries``) builds the ``RankingFrames``; ``pipeline.rank_campaign(frames,
settings)`` -> ``RankingResult``; ``explain_work`` / ``explain_creator`` for term-by-term
Chinese explanations; ``RankingSettings`` for every weight and threshold (``[ranking]`` in
campaign.toml) with ``describe_zh()`` for exports.

The names below load their module on first use: the package's light modules (``settings``,
``selection``) serve commands that never score (``tracker config check`` reads the settings),
and importing one of them runs this file first; importing the pipeline here would load pandas
and every scoring module into those processes too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.ranking.frames import RankingFrames, RankingResult
    from tracker.ranking.pipeline import explain_creator, explain_work, rank_campaign
    from tracker.ranking.settings import RankingSettings

_HOMES = {
    "RankingFrames": "tracker.ranking.frames",
    "RankingResult": "tracker.ranking.frames",
    "explain_creator": "tracker.ranking.pipeline",
    "explain_work": "tracker.ranking.pipeline",
    "rank_campaign": "tracker.ranking.pipeline",
    "RankingSettings": "tracker.ranking.settings",
}

__all__ = [
    "RankingFrames",
    "RankingResult",
    "RankingSettings",
    "explain_creator",
    "explain_work",
    "rank_campaign",
]


def __getattr__(name: str) -> Any:
    """``from tracker.ranking import rank_campaign`` imports the pipeline only then."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
