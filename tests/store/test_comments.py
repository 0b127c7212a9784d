"""The comment table: its migration and its one writer's idempotent upsert (SQLite and Postgres).

Rows are read back with plain SQL (``tests.helpers.database``), never through the writer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from tests.helpers.database import count, one, rows
from tracker.normalize.text_key import text_keys
from tracker.records import CommentRecord
from tracker.store import migrate
from tracker.store.comments import store_comments

T0 = datetime(2024, 9, 15, 4, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


def _comment(cid: str = "c1", at: datetime = T0, **values: Any) -> CommentRecord:
    base: dict[str, Any] = {
        "commenter_uid": "u1",
        "commenter_name": "科普君",
        "text": "好 #千万IP创科普#",
        "published_at": T0 - timedelta(hours=1),
        "likes": 3,
        "reply_count": 1,
        "hashtags": ["#千万IP创科普#"],
        "source": "import",
    }
    base.update(values)
    return CommentRecord("weibo", cid, "5078100000000001", at, **base)


def _row(engine: Engine, cid: str = "c1") -> dict[str, Any]:
    row = one(engine, "SELECT * FROM comment WHERE platform_comment_id = :c", c=cid)
    if isinstance(row["hashtags"], str):
        row["hashtags"] = json.loads(row["hashtags"])
    return row


def _utc(value: str | datetime) -> datetime:
    """A time column as read back: SQLite gives UTC text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _store(engine: Engine, comments: list[CommentRecord], **kw: Any) -> tuple[int, int, int]:
    with engine.begin() as conn:
        got = store_comments(conn, comments, **kw)
    return got.new, got.updated, got.unchanged


def test_migration_creates_the_table_and_goes_back(any_engine: Engine) -> None:
    assert "comment" in inspect(any_engine).get_table_names()
    index_names = {i["name"] for i in inspect(any_engine).get_indexes("comment")}
    assert {"ix_comment_post", "ix_comment_commenter"} <= index_names
    cfg = migrate.alembic_config(any_engine)
    with any_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006_stored_config")
    assert "comment" not in inspect(any_engine).get_table_names()
    before, after = migrate.upgrade(any_engine)
    assert (before, after) == ("0006_stored_config", migrate.head_revision())
    assert "comment" in inspect(any_engine).get_table_names()


def test_store_is_idempotent(any_engine: Engine) -> None:
    comments = [_comment("c1"), _comment("c2", commenter_uid="u2", parent_comment_id="c1")]
    assert _store(any_engine, comments, run_id=7) == (2, 0, 0)
    first = _row(any_engine)
    assert _store(any_engine, comments, run_id=8) == (0, 0, 2)
    assert count(any_engine, "comment") == 2
    assert _row(any_engine) == first  # nothing rewritten, not even the run
    assert (first["platform_post_id"], first["commenter_uid"], first["likes"]) == (
        "5078100000000001",
        "u1",
        3,
    )
    assert first["hashtags"] == ["#千万IP创科普#"] and first["run_id"] == 7
    reply = _row(any_engine, "c2")
    assert reply["parent_comment_id"] == "c1" and reply["root_comment_id"] is None


def test_a_later_capture_updates_and_an_older_one_does_not(any_engine: Engine) -> None:
    _store(any_engine, [_comment()], run_id=1)
    later = _comment(at=T1, likes=40, reply_count=5, text="改过的评论", commenter_name=None)
    assert _store(any_engine, [later], run_id=2) == (0, 1, 0)
    row = _row(any_engine)
    assert (row["likes"], row["reply_count"], row["text"]) == (40, 5, "改过的评论")
    assert row["commenter_name"] == "科普君"  # a NULL in newer data keeps the known value
    assert _utc(row["first_seen_at"]) == T0 and _utc(row["last_seen_at"]) == T1
    assert row["run_id"] == 2
    older = _comment(at=T0 - timedelta(days=1), likes=1)
    assert _store(any_engine, [older], run_id=3) == (0, 0, 1)
    assert _row(any_engine)["likes"] == 40 and count(any_engine, "comment") == 1


def test_one_batch_with_a_key_twice_keeps_the_newest(any_engine: Engine) -> None:
    batch = [_comment(likes=1), _comment(at=T1, likes=9), _comment("c3")]
    assert _store(any_engine, batch, batch_size=2) == (2, 0, 0)
    assert _row(any_engine)["likes"] == 9 and count(any_engine, "comment") == 2


def test_comment_on_a_work_not_stored_is_kept(any_engine: Engine) -> None:
    """The work may arrive later; nothing ties the comment to a stored post."""
    assert count(any_engine, "post") == 0
    assert _store(any_engine, [_comment()]) == (1, 0, 0)
    assert _row(any_engine)["platform_post_id"] == "5078100000000001"


def _keys(*texts: str) -> list[tuple[int, int]]:
    keys, lengths = text_keys(pd.Series(list(texts), dtype=object))
    return [(int(k), int(n)) for k, n in zip(keys, lengths, strict=True)]


def test_each_text_is_keyed_when_written_and_a_capture_without_text_keeps_it(
    any_engine: Engine,
) -> None:
    _store(any_engine, [_comment("c1", text="支持黑洞科普！@某人 https://t.cn/x"), _comment("c2")])
    row = _row(any_engine)
    assert [(row["text_key"], row["text_chars"])] == _keys("支持黑洞科普！@某人 https://t.cn/x")
    assert row["text_chars"] == len("支持黑洞科普")  # the mention, link and punctuation go
    two = _row(any_engine, "c2")
    assert [(two["text_key"], two["text_chars"])] == _keys("好 #千万IP创科普#")
    _store(any_engine, [_comment("c1", at=T1, text=None, likes=9)])  # a later capture, no text
    later = _row(any_engine)
    assert (later["likes"], later["text_key"]) == (9, row["text_key"])
    edited = "支持黑洞科普，改过了"
    _store(any_engine, [_comment("c1", at=T1 + timedelta(hours=1), text=edited)])
    assert [(_row(any_engine)["text_key"], _row(any_engine)["text_chars"])] == _keys(edited)
    _store(any_engine, [_comment("c3", text=None)])
    assert (_row(any_engine, "c3")["text_key"], _row(any_engine, "c3")["text_chars"]) == (
        None,
        None,
    )


def test_the_migration_keys_the_comments_already_stored(any_engine: Engine) -> None:
    """Every stored text is keyed, over more than one of the migration's batches."""
    cfg = migrate.alembic_config(any_engine)
    with any_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007_comments")
    batch = ScriptDirectory.from_config(cfg).get_revision("0008_comment_text_key").module.BATCH
    texts = {"c1": "支持黑洞科普！大家快来看", "c2": "好", "c3": None}
    texts |= {f"m{i:06d}": f"第{i}条评论，转发" for i in range(batch + 1)}
    with any_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO comment (platform, platform_comment_id, platform_post_id, text,"
                " source) VALUES (:p, :c, 'p1', :t, 'import')"
            ),
            [
                {"p": "douyin" if cid.startswith("m") and int(cid[1:]) % 2 else "weibo",
                 "c": cid, "t": body}
                for cid, body in texts.items()
            ],
        )  # fmt: skip
    migrate.upgrade(any_engine)
    stored = {
        r["platform_comment_id"]: (r["text_key"], r["text_chars"])
        for r in rows(any_engine, "SELECT platform_comment_id, text_key, text_chars FROM comment")
    }
    keyed = [cid for cid, body in texts.items() if body is not None]
    assert [stored[c] for c in keyed] == _keys(*(str(texts[c]) for c in keyed))
    assert stored["c3"] == (None, None)
