"""``tracker import --fetch`` end to end: a units' list whose works are read from the simulator.

The list names works only by link. With ``--fetch`` the live connectors read each work's
details (metrics, author) and the article sites' pages give titles; ``--base-url`` and
``--signer`` point them at the simulator, as they do for ``tracker collect``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth
from tracker.store.engine import make_engine
from tracker.store.models import MetricSnapshot, Post

from ..helpers.cli import run_in_process, sim_network_args
from ..helpers.database import config_and_database

SUBMITTED = ("bilibili", "weibo", "douyin", "xiaohongshu", "kepuchina")
"""A platform read without a signature, one with a long-text path, one that needs the signer,
one whose detail endpoint needs the token carried in the submitted link, and an article site
read from its page."""


def _write_submission(sim: SimServer, path: Path, per_platform: int = 3) -> dict:
    lines = ["单位,平台,作品链接"]
    truth = {}
    for platform in SUBMITTED:
        works = [
            t
            for t in iter_world_truth(sim.world, sim.now, platforms=[platform])
            if not t["deleted"]
        ]
        for t in works[:per_platform]:
            lines.append(f"广州市科学技术协会,{PLATFORM_NAMES_ZH[platform]},{t['url']}")
            truth[(platform, t["post_id"])] = t
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth


def test_fetch_reads_each_submitted_work_from_its_platform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path, db = config_and_database(tmp_path)
    sheet = tmp_path / "报送表.csv"
    with SimServer(seed=21, scale=20) as sim:
        truth = _write_submission(sim, sheet)
        code, out, err = run_in_process(
            ["--db", str(db), "--config", str(config_path), "import", str(sheet), "--fetch"]
            + sim_network_args(sim)
            + ["--format", "json"],
            capsys,
        )
    assert code == 0, err
    report = json.loads(out)
    assert report["counts"]["new"] == len(truth), report
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            posts = {
                (r.platform, r.platform_post_id): r for r in conn.execute(select(Post.__table__))
            }
            snaps = {
                (r.platform, r.platform_post_id): r
                for r in conn.execute(select(MetricSnapshot.__table__))
            }
    finally:
        engine.dispose()
    assert set(truth) <= set(posts)
    for key, t in truth.items():
        content = f"{posts[key].title or ''}\n{posts[key].text or ''}"
        assert t["title"] in content, key  # read from the platform: the sheet has only links
        if key[0] != "kepuchina":  # article pages carry no engagement figures
            assert snaps[key].likes == t["metrics"]["likes"], key


def test_base_url_and_signer_need_fetch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_path, db = config_and_database(tmp_path)
    sheet = tmp_path / "报送表.csv"
    sheet.write_text("单位,平台,作品链接\n", encoding="utf-8")
    code, _, err = run_in_process(
        ["--db", str(db), "--config", str(config_path), "import", str(sheet)]
        + ["--base-url", "weibo=http://127.0.0.1:9/weibo"],
        capsys,
    )
    assert code == 1
    assert "--fetch" in err and "Traceback" not in err
