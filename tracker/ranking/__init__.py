"""Ranking: pure, vectorised pandas scoring of works, creators and units (DESIGN §4).

Ranking reads no database: the read home's ``ranking_inputs.load_frames(conn, campaign_id)``
(``tracker.store.queries``) builds the ``RankingFrames``; ``pipeline.rank_campaign(frames,
settings)`` -> ``RankingResult``; ``explain_work`` / ``explain_creator`` for term-by-term
Chinese explanations; ``RankingSettings`` for every weight and threshold (``[ranking]`` in
campaign.toml) with ``describe_zh()`` for exports.
"""

from tracker.ranking.frames import RankingFrames, RankingResult
from tracker.ranking.pipeline import explain_creator, explain_work, rank_campaign
from tracker.ranking.settings import RankingSettings

__all__ = [
    "RankingFrames",
    "RankingResult",
    "RankingSettings",
    "explain_creator",
    "explain_work",
    "rank_campaign",
]
