"""Running ``tracker`` in-process against a test world, and small store helpers for tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import and_, create_engine, select, update

from tracker.cli import main
from tracker.store.models import Post, PostCampaign

FORMULA_TITLES = ("=1+1", '=HYPERLINK("http://example.invalid/x","点我领奖")')


@dataclass
class Result:
    code: int
    out: str
    err: str


class CliRunner:
    """``runner("rank", "works", ...)`` -> exit code, stdout and stderr of one invocation."""

    def __init__(self, world: Any, capsys: pytest.CaptureFixture[str]) -> None:
        self.world = world
        self.capsys = capsys

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        argv = ["--db", self.world.url, "--config", str(self.world.config_path), *args]
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


def campaign_work_ids(url: str, platform: str | None = None) -> list[tuple[str, str]]:
    post, link = Post.__table__, PostCampaign.__table__
    stmt = (
        select(post.c.platform, post.c.platform_post_id)
        .join(
            link,
            and_(
                link.c.platform == post.c.platform,
                link.c.platform_post_id == post.c.platform_post_id,
            ),
        )
        .where(link.c.excluded.is_(False))
        .order_by(post.c.platform, post.c.platform_post_id)
    )
    if platform:
        stmt = stmt.where(post.c.platform == platform)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r.platform, r.platform_post_id) for r in conn.execute(stmt)]
    finally:
        engine.dispose()


def plant_formula_titles(url: str) -> list[tuple[str, str]]:
    """Give the first two Douyin campaign works titles a spreadsheet would run as formulas."""
    keys = campaign_work_ids(url, "douyin")[:2]
    post = Post.__table__
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for (platform, pid), title in zip(keys, FORMULA_TITLES, strict=True):
                conn.execute(
                    update(post)
                    .where(post.c.platform == platform, post.c.platform_post_id == pid)
                    .values(title=title)
                )
    finally:
        engine.dispose()
    return keys
