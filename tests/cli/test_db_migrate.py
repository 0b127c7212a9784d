"""``tracker db migrate-to URL`` end to end: a collected SQLite database moves to PostgreSQL,
the commands then give the same answers on the URL, and every refusal is one clear line with
a non-zero exit and no password."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ..helpers.cli import run_in_process
from ..helpers.config import CONFIG, load_repo_config
from ..helpers.database import PG_URL, count, init_sqlite
from ..helpers.worlds import build_sim_db

PASSWORD = "s3cr%40t"  # "s3cr@t" escaped; the test server trusts, so any password connects


def _target(schema: str) -> str:
    base = make_url(PG_URL or "").set(
        password="s3cr@t", query={"options": f"-csearch_path={schema}"}
    )
    rendered = base.render_as_string(hide_password=False)
    assert PASSWORD in rendered
    return rendered


def _no_password(*texts: str) -> None:
    for shown in texts:
        assert PASSWORD not in shown and "s3cr@t" not in shown


@pytest.fixture
def source(pg_schema: str, tmp_path: Path) -> Path:
    built = build_sim_db(tmp_path / "src", scale=5)
    built.engine.dispose()
    return built.path


@pytest.mark.postgres
def test_migrate_then_use_the_url(
    source: Path, pg_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _target(pg_schema)
    base = ["--config", str(CONFIG)]
    code, out, err = run_in_process([*base, "--db", str(source), "db", "migrate-to", url], capsys)
    assert code == 0, err
    _no_password(out, err)
    assert "已迁移到" in out and "14 张表" in out and "各表行数已核对一致" in out
    posts = count_posts(source)
    assert "post" in err and f"{posts}/{posts}" in err  # progress per table: copied / total

    rank = ["rank", "works", "--include-unreviewed", "--format", "csv"]
    code, on_sqlite, err = run_in_process([*base, "--db", str(source), *rank], capsys)
    assert code == 0, err
    code, on_pg, err = run_in_process([*base, "--db", url, *rank], capsys)
    assert code == 0, err
    assert on_pg == on_sqlite and on_sqlite.count("\n") > 10

    # again: the target holds works now
    code, out, err = run_in_process([*base, "--db", str(source), "db", "migrate-to", url], capsys)
    assert code == 1
    _no_password(out, err)
    assert "目标数据库已有数据" in err and "--replace" in err and "未做任何改动" in err
    code, out, err = run_in_process(
        [*base, "--db", str(source), "db", "migrate-to", url, "--replace"], capsys
    )
    assert code == 0, err
    assert "已替换" in out


def count_posts(path: Path) -> int:
    from tracker.store.engine import make_engine

    engine = make_engine(f"sqlite:///{path}")
    try:
        return count(engine, "post")
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("sqlite:///elsewhere.db", "目标须是 PostgreSQL 数据库"),
        ("elsewhere.db", "目标须是 PostgreSQL 数据库地址"),
        ("mysql://u:s3cr%40t@127.0.0.1/x", "目标须是 PostgreSQL 数据库"),
        ("postgresql+psycopg2://u:s3cr%40t@127.0.0.1/x", "psycopg 驱动"),
        ("postgresql+psycopg://u:s3cr%40t@127.0.0.1:1/x", "无法连接数据库服务器"),
    ],
)
def test_a_target_that_is_not_postgresql_is_refused(
    target: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tracker.db"
    init_sqlite(db, load_repo_config())
    code, out, err = run_in_process(["--db", str(db), "db", "migrate-to", target], capsys)
    assert code == 1, err
    assert said in err and "错误" in err
    _no_password(out, err)
    assert not (tmp_path / "elsewhere.db").exists()


@pytest.mark.postgres
def test_a_source_that_is_not_sqlite_is_refused(
    pg_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _target(pg_schema)
    code, out, err = run_in_process(["--db", url, "db", "migrate-to", url], capsys)
    assert code == 1
    assert "只能从 SQLite 数据库迁出" in err
    _no_password(out, err)


def test_a_missing_source_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.db"
    code, _, err = run_in_process(
        ["--db", str(missing), "db", "migrate-to", "postgresql+psycopg://u@127.0.0.1:1/x"], capsys
    )
    assert code == 1 and "数据库不存在" in err
    assert not missing.exists()
