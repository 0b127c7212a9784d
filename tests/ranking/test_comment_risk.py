"""Comments as risk evidence: hidden or bought comments and copied comments, pure pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.normalize.text_key import text_keys
from tracker.ranking import RankingFrames, rank_campaign
from tracker.ranking.assemble import comment_fingerprint_key
from tracker.ranking.comment_risk import comment_signals
from tracker.ranking.explain import explain_work
from tracker.ranking.risk import risk_score
from tracker.ranking.settings import RankingSettings, RiskSettings
from tracker.store.queries.comments import largest_copy_groups

AT = pd.Timestamp("2024-09-20 12:00", tz="UTC")
HOUR = pd.Timedelta(hours=1)


def _works(claims: list[int], at: pd.Timestamp = AT) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": "douyin",
            "platform_post_id": [f"w{i}" for i in range(len(claims))],
            "comments": pd.array(claims, dtype="Int64"),
            "last_collected_at": at,
        }
    )


def _evidence(rows: list[tuple[str, int, int]], at: pd.Timestamp = AT) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": "douyin",
            "platform_post_id": [r[0] for r in rows],
            "readable_comments": [r[1] for r in rows],
            "comments_read_at": at,
            "comment_copies": [r[2] for r in rows],
        }
    )


def test_many_claimed_comments_few_readable_is_evidence_and_unread_works_get_none() -> None:
    works = _works([1200, 1200, 100, 10])
    evidence = _evidence([("w0", 45, 1), ("w2", 92, 1), ("w3", 2, 0)])
    out = comment_signals(works, evidence, RiskSettings())
    assert out.loc[0, "comment_hidden"] == 1200 / 45
    assert (out.loc[0, "comments_claimed"], out.loc[0, "comments_readable"]) == (1200, 45)
    assert np.isnan(out.loc[1, ["comment_hidden", "comments_readable", "comment_copies"]]).all()
    assert out.loc[2, "comment_hidden"] == 100 / 92  # a few hidden: judged, weak
    assert np.isnan(out.loc[3, "comment_hidden"])  # 10 claimed: too few to judge
    assert out.loc[3, "comments_readable"] == 2

    scored = risk_score(out, RiskSettings())
    assert scored.loc[0, "risk_comment_hidden"] > 0.9
    assert scored.loc[0, "risk_reasons"] == "评论数 1,200，可读评论仅 45 条"
    assert scored.loc[1, "risk_comment_hidden"] == 0.0 and scored.loc[1, "risk_reasons"] == ""
    assert scored.loc[2, "risk_comment_hidden"] < 0.05 and scored.loc[2, "risk_reasons"] == ""


def test_few_readable_is_no_evidence_unless_the_comments_were_read_to_the_end() -> None:
    """A capped read (five pages of a large work) or an export leaves comments unread: only a
    complete read by the tracker can say the rest are hidden."""
    works = _works([1200, 1200])
    evidence = _evidence([("w0", 45, 1), ("w1", 45, 1)])
    evidence["comments_complete"] = [True, False]
    out = comment_signals(works, evidence, RiskSettings())
    assert out.loc[0, "comment_hidden"] == 1200 / 45
    assert np.isnan(out.loc[1, "comment_hidden"]) and out.loc[1, "comments_readable"] == 45


def test_the_claimed_count_is_the_reading_nearest_the_comment_read() -> None:
    works = _works([900, 900], at=AT + 72 * HOUR)  # the latest reading is three days later
    snapshots = pd.DataFrame(
        {
            "platform": "douyin",
            "platform_post_id": ["w0", "w0", "w1"],
            "captured_at": [AT - 30 * HOUR, AT + 2 * HOUR, AT - 40 * HOUR],
            "comments": pd.array([300, 400, 500], dtype="Int64"),
        }
    )
    evidence = _evidence([("w0", 360, 1), ("w1", 100, 1)])
    out = comment_signals(works, evidence, RiskSettings(), snapshots=snapshots)
    assert out.loc[0, "comments_claimed"] == 400  # two hours after the read, not 900 later
    assert np.isnan(out.loc[1, "comments_claimed"])  # nothing within a day of the read


def test_a_reading_limit_shared_by_many_works_is_not_evidence() -> None:
    works = _works([500, 800, 650, 700, 60])
    evidence = _evidence([("w0", 20, 1), ("w1", 20, 1), ("w2", 20, 1), ("w3", 7, 1), ("w4", 20, 1)])
    out = comment_signals(works, evidence, RiskSettings())
    # three works stuck at exactly 20 readable: a per-work read limit; w4 reaches it too
    assert np.isnan(out.loc[[0, 1, 2, 4], "comment_hidden"]).all()
    assert out.loc[3, "comment_hidden"] == 100.0
    two = comment_signals(works.iloc[[0, 1, 3]], evidence, RiskSettings())
    assert two["comment_hidden"].notna().all()  # two alike are not yet a limit
    limited = comment_signals(works, evidence, RiskSettings(comment_read_limit=5))
    assert limited["comment_hidden"].isna().all()  # the configured limit: 7 and 20 reach it


def test_copied_comments_reason_and_absent_columns() -> None:
    signals = pd.DataFrame({"comment_copies": [12.0, 1.0, np.nan]})
    scored = risk_score(signals, RiskSettings())
    assert scored["risk_comment_copies"].iloc[0] > 0.5
    assert scored["risk_reasons"].tolist() == ["12 个账号发布了相同评论", "", ""]
    bare = risk_score(pd.DataFrame({"ratio_z": [0.0]}), RiskSettings())  # no comment columns
    assert bare.loc[0, "risk_comment_copies"] == 0.0 == bare.loc[0, "risk_comment_hidden"]


def _rows(entries: list[tuple[str, str, str, pd.Timestamp]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        entries, columns=["platform_post_id", "commenter_uid", "text", "published_at"]
    )
    frame.insert(0, "platform", "weibo")
    key = comment_fingerprint_key(RiskSettings().comment_min_chars)
    keys, lengths = text_keys(frame.pop("text"))  # as the store keeps them
    frame["fingerprint"] = key(keys.astype(object), lengths.astype(object))
    return frame


def test_copies_count_distinct_accounts_at_about_the_same_time_and_never_short_texts() -> None:
    push = "支持黑洞科普！大家快来看，太棒了！"
    entries = [("w1", f"bot{i}", push, AT + i * pd.Timedelta(minutes=3)) for i in range(8)]
    entries += [("w2", f"bot{i}", f"{push} #话题#", AT + HOUR) for i in range(8, 12)]
    entries += [("w1", "bot0", push, AT + 2 * HOUR)]  # one account twice counts once
    entries += [("w3", f"fan{i}", "好", AT) for i in range(30)]  # short: never a copy
    entries += [("w3", f"fan{i}", "[赞][赞][赞]", AT) for i in range(30)]  # emoji only
    spread = "讲得太清楚了，原来黑洞是这样"
    entries += [("w4", f"v{i}", spread, AT + i * 24 * HOUR) for i in range(6)]  # days apart
    got = largest_copy_groups(_rows(entries), 3600)
    copies = dict(zip(got["platform_post_id"], got["comment_copies"], strict=True))
    assert copies["w1"] == 12 and copies["w2"] == 12  # one push across two works
    assert "w3" not in copies
    assert copies["w4"] == 1
    narrow = largest_copy_groups(_rows(entries), 60)
    assert dict(zip(narrow["platform_post_id"], narrow["comment_copies"], strict=True))["w2"] == 4


def _frames(evidence: pd.DataFrame | None) -> RankingFrames:
    n = 40
    rng = np.random.default_rng(3)
    likes = rng.integers(50, 500, n)
    works = pd.DataFrame(
        {
            "platform": "douyin",
            "platform_post_id": [f"w{i}" for i in range(n)],
            "account_uid": [f"a{i}" for i in range(n)],
            "published_at": AT - 48 * HOUR,
            "last_collected_at": AT,
            "likes": pd.array(likes, dtype="Int64"),
            "comments": pd.array(likes // 5, dtype="Int64"),
            "shares": pd.array(likes // 10, dtype="Int64"),
        }
    )
    return RankingFrames(works=works, comments=evidence)


def test_the_ranking_takes_the_optional_frame_and_explains_it() -> None:
    plain = rank_campaign(_frames(None), RankingSettings())
    assert plain.works["comment_hidden"].isna().all()
    claimed = int(_frames(None).works.loc[0, "comments"])
    evidence = _evidence([("w0", 3, 1), ("w1", claimed, 15)])
    ranked = rank_campaign(_frames(evidence), RankingSettings())
    w = ranked.works.set_index("platform_post_id")
    assert w.loc["w0", "risk_reasons"].startswith(f"评论数 {claimed:,}，可读评论仅 3 条")
    assert "15 个账号发布了相同评论" in w.loc["w1", "risk_reasons"]
    assert bool(w.loc["w0", "risk_flag"]) and bool(w.loc["w1", "risk_flag"])
    untouched = ["w2", "w3"]
    assert (
        w.loc[untouched, "risk_score"]
        == plain.works.set_index("platform_post_id").loc[untouched, "risk_score"]
    ).all()
    lines = explain_work(ranked, "douyin", "w0")
    assert f"评论证据：可读评论 3 条，对照评论数 {claimed:,}" in lines[8]
    assert "评论未读取，不计评论证据" in explain_work(ranked, "douyin", "w2")[8]
