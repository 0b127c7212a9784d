"""Adding a platform is one folder and one catalogue line.

``tests/fakeplatform/`` is a made-up platform, 科学号 (``kexue``): its spec, a parser with a URL
resolver, and a simulator module, all inside that folder. The test adds one line to the
catalogue (the package name) and edits no product file; config check, saved-body detection
and import, URL resolution, the exports and the simulator must then all know the platform.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from connectors import catalogue
from connectors.links import parse_work_url, platform_of_host
from tracker.cli import app
from tracker.imports.routing import detect_body_platform
from tracker.imports.submissions import platform_from_name
from tracker.sim.api import SimServer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def kexue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The one line: the folder's package appended to the catalogue."""
    monkeypatch.setattr(
        catalogue, "PLATFORM_PACKAGES", (*catalogue.PLATFORM_PACKAGES, "tests.fakeplatform")
    )
    catalogue.reset()
    yield
    monkeypatch.undo()
    catalogue.reset()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A campaign folder whose config enables the new platform with a bare table."""
    config = (REPO / "config" / "campaign.toml").read_text(encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(config + "\n[platforms.kexue]\n", encoding="utf-8")
    shutil.copy(REPO / "config" / "units.csv", tmp_path / "units.csv")
    return tmp_path


def _tracker(folder: Path, *args: str) -> str:
    db = f"sqlite:///{folder / 'tracker.db'}"
    result = CliRunner().invoke(app, ["--db", db, "--config", str(folder / "campaign.toml"), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_platform_is_unknown_until_its_line_is_added() -> None:
    assert "kexue" not in catalogue.PLATFORMS
    assert platform_of_host("https://www.kexue.example/w/1") is None


def test_a_new_platform_reaches_every_part_of_the_tool(kexue: None, folder: Path) -> None:
    # The simulator mounts it and serves its works from the world.
    with SimServer(seed=5, scale=40, platforms=["kexue"]) as sim:
        body = httpx.get(
            sim.base_urls["kexue"] + "/api/search", params={"q": "千万IP创科普"}
        ).json()
        served = [sim.world.post("kexue", i["kx_id"], now=sim.now) for i in body["items"]]
    assert served and all(p is not None and p.platform == "kexue" for p in served)

    # Names, hosts and submission-list spellings come from its spec.
    assert catalogue.PLATFORM_NAMES_ZH["kexue"] == "科学号"
    assert platform_from_name("科学号") == "kexue"
    ref = parse_work_url("看看这个 https://www.kexue.example/w/abc123 ！")
    assert (ref.platform, ref.post_id) == ("kexue", "abc123")
    assert detect_body_platform(body) == "kexue"

    # Config: a bare [platforms.kexue] table is valid and listed, import-only.
    checked = _tracker(folder, "config", "check")
    assert "科学号 (kexue): https://api.kexue.example" in checked and "只能导入" in checked

    # A saved body is detected, parsed and stored without naming its platform.
    saved = folder / "kexue-search.json"
    saved.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    _tracker(folder, "init")
    _tracker(folder, "import", str(saved))

    # The exports carry it under its Chinese name.
    _tracker(folder, "export", "posts", "-o", str(folder / "posts.jsonl"))
    exported = [json.loads(line) for line in (folder / "posts.jsonl").read_text().splitlines()]
    assert {e["platform"] for e in exported} == {"kexue"}
    assert {e["platform_post_id"] for e in exported} == {i["kx_id"] for i in body["items"]}
    out = folder / "works.csv"
    _tracker(folder, "export", "works", "--format", "csv", "--include-unreviewed", "-o", str(out))
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["平台"] for r in rows} == {"科学号"}
