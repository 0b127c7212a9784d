"""The ranking's comment evidence read from the store: readable comments per campaign work,
when they were read, and the largest group of accounts writing one comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.helpers.config import CAMPAIGN, load_test_config, write_config
from tests.helpers.database import make_db, record_complete_comment_reads
from tracker.cli import app
from tracker.config import load_config
from tracker.membership.manual import exclude_works
from tracker.membership.page_store import PageStore
from tracker.ranking.assemble import comment_fingerprint_key
from tracker.records import CommentRecord, Metrics, ParsedPage, PostRecord
from tracker.services.rank import load_frames
from tracker.store.queries.comments import comment_evidence
from tracker.store.registry import campaign_id

AT = datetime(2024, 9, 20, tzinfo=UTC)
TAG = "#千万IP创科普#"
PUSH = "强烈推荐这个黑洞作品，必须点赞！"


def _page(seen: datetime) -> ParsedPage:
    posts = [
        PostRecord("weibo", w, seen, account_uid=f"10{i}", text=f"{TAG} {w}", content_type="text",
                   published_at=AT - timedelta(days=1), metrics=Metrics(likes=300, comments=n))
        for i, (w, n) in enumerate((("w1", 1200), ("w2", 5), ("wX", 5)))
    ]  # fmt: skip
    posts.append(PostRecord("weibo", "x9", seen, account_uid="9999", text="无话题"))
    comments = [
        CommentRecord("weibo", f"p{i}", "w1" if i < 6 else "w2", seen, commenter_uid=f"b{i}",
                      text=PUSH, published_at=AT - timedelta(minutes=50 - i))
        for i in range(9)
    ]  # fmt: skip
    comments += [
        CommentRecord("weibo", "r1", "w1", seen, commenter_uid="b0", text="好",
                      parent_comment_id="p0", root_comment_id="p0", published_at=AT),
        CommentRecord("weibo", "n1", "w1", seen, text=PUSH),  # nobody, no time: never a copy
        CommentRecord("weibo", "x1", "wX", seen, commenter_uid="c1", text=PUSH, published_at=AT),
        CommentRecord("weibo", "y1", "x9", seen, commenter_uid="c2", text=PUSH, published_at=AT),
        CommentRecord("weibo", "late", "w2", seen, commenter_uid="c3", text="截止之后的评论内容很长",
                      published_at=AT + timedelta(days=2)),
    ]  # fmt: skip
    return ParsedPage(posts=posts, comments=comments)


def _stored(tmp_path: Path) -> Engine:
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config)
    with engine.begin() as conn:
        store = PageStore.for_connection(conn, config.campaigns, source="live", run_id=None)
        store.store(conn, _page(AT), seen_at=AT)
        store.store(conn, _page(AT + timedelta(hours=5)), seen_at=AT + timedelta(hours=5))
    exclude_works(engine, ["weibo:wX"], campaign=CAMPAIGN, note="误匹配", by="测试")
    return engine


def _evidence(engine: Engine, **kw: object) -> dict[str, tuple[int, pd.Timestamp, int]]:
    with engine.connect() as conn:
        frame = comment_evidence(
            conn,
            CAMPAIGN,
            fingerprint=comment_fingerprint_key(10),
            window_s=3600,
            **kw,  # type: ignore[arg-type]
        )
    return {
        r["platform_post_id"]: (r["readable_comments"], r["comments_read_at"], r["comment_copies"])
        for r in frame.to_dict("records")
    }


def test_readable_comments_and_copies_per_campaign_work(tmp_path: Path) -> None:
    engine = _stored(tmp_path)
    try:
        got = _evidence(engine)
        cut = _evidence(engine, as_of=AT + timedelta(hours=1))
        with engine.connect() as conn:
            frames = load_frames(conn, campaign_id(conn, CAMPAIGN))
    finally:
        engine.dispose()
    later = pd.Timestamp(AT + timedelta(hours=5))
    # w1: p0-p5, the reply r1 and n1, each once though read twice; the excluded wX and x9
    # (no campaign work) are not listed, and their copies do not count
    assert got == {"w1": (8, later, 9), "w2": (4, later, 9)}
    # the cut leaves out the comment published later; read time at most the cut
    cut_at = pd.Timestamp(AT + timedelta(hours=1))
    assert cut == {"w1": (8, cut_at, 9), "w2": (3, cut_at, 9)}
    assert frames.comments is not None
    assert sorted(frames.comments["platform_post_id"]) == ["w1", "w2"]
    assert not frames.comments["comments_complete"].any()  # no comment run read them


def test_a_work_is_complete_only_when_a_comment_run_read_it_to_the_end(tmp_path: Path) -> None:
    engine = _stored(tmp_path)
    try:
        record_complete_comment_reads(engine, "weibo", ["w1"], at=AT + timedelta(hours=2))
        with engine.connect() as conn:
            now = comment_evidence(conn, CAMPAIGN, fingerprint=comment_fingerprint_key(10),
                                   window_s=3600)  # fmt: skip
            before = comment_evidence(conn, CAMPAIGN, fingerprint=comment_fingerprint_key(10),
                                      window_s=3600, as_of=AT + timedelta(hours=1))  # fmt: skip
    finally:
        engine.dispose()
    complete = dict(zip(now["platform_post_id"], now["comments_complete"], strict=True))
    assert complete == {"w1": True, "w2": False}
    assert not before["comments_complete"].any()  # the run started after the cut


def test_no_comments_give_an_empty_frame(tmp_path: Path) -> None:
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config)
    try:
        assert _evidence(engine) == {}
        with engine.connect() as conn:
            frames = load_frames(conn, campaign_id(conn, CAMPAIGN))
        assert frames.comments is not None and frames.comments.empty
    finally:
        engine.dispose()


def test_rank_explain_and_the_review_list_give_the_comment_reasons(tmp_path: Path) -> None:
    config_path = write_config(tmp_path)
    engine = make_db(tmp_path, load_config(config_path))
    with engine.begin() as conn:
        store = PageStore.for_connection(
            conn, load_config(config_path).campaigns, source="live", run_id=None
        )
        store.store(conn, _page(AT), seen_at=AT)
    record_complete_comment_reads(engine, "weibo", ["w1", "w2"], at=AT)
    db = str(engine.url)
    engine.dispose()
    base = ["--db", db, "--config", str(config_path)]
    runner = CliRunner()
    explained = runner.invoke(app, [*base, "rank", "works", "--explain", "weibo:w1"])
    assert explained.exit_code == 0, explained.output
    text = " ".join(explained.output.split())
    assert "评论数 1,200，可读评论仅 8 条" in text
    assert (
        "评论证据：可读评论 8 条，对照评论数 1,200，相同评论最多来自 10 个账号" in text
    )  # wX is not excluded here
    assert "10 个账号发布了相同评论" in text
    queue = runner.invoke(app, [*base, "review", "list", "--flagged", "--format", "csv"])
    assert queue.exit_code == 0, queue.output
    assert "评论数 1,200，可读评论仅 8 条" in queue.output
