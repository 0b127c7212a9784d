"""Which works' comments a day reads (pure rules), and ``[comments]`` in the config and its check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import load_config
from tracker.errors import ConfigError
from tracker.services.comment_choice import (
    Candidate,
    choose_works,
    expected_pages,
    hub_works,
    parse_hub_work,
)

from ..helpers.cli import run_in_process
from ..helpers.config import CONFIG


def _c(post_id: str, comments: int | None = 10) -> Candidate:
    return Candidate(post_id, f"https://example.invalid/{post_id}", comments)


def test_hub_then_top_then_registry_each_once_up_to_the_daily_number() -> None:
    hub = [_c("h1"), _c("t1")]
    top = [_c("t1"), _c("t2"), _c("r1"), _c("t3")]
    registry = [_c("r1"), _c("r2"), _c("h1")]
    choice = choose_works(hub, top, registry, recent_reads={}, daily=5)
    assert [w.post_id for w in choice.works] == ["h1", "t1", "t2", "r1", "t3"]
    assert choice.reasons == {"h1": "hub", "t1": "hub", "t2": "top", "r1": "top", "t3": "top"}
    assert choice.over_daily == 1  # r2: qualified, no place left
    assert choice.counts() == {"hub": 2, "top": 3, "registry": 0}
    roomy = choose_works(hub, top, registry, recent_reads={}, daily=10)
    assert [w.post_id for w in roomy.works][-1] == "r2"
    assert roomy.counts()["registry"] == 1
    assert choose_works(hub, top, registry, recent_reads={}, daily=0).works == []


def test_recently_read_works_wait_unless_their_count_grew() -> None:
    top = [_c("same", 10), _c("grew", 12), _c("unknown_now", None), _c("unknown_then", 3)]
    recent = {"same": 10, "grew": 10, "unknown_now": 5, "unknown_then": None}
    choice = choose_works([], top, [_c("new")], recent_reads=recent, daily=2)
    # "same" and "unknown_now" wait (nothing says they grew); the freed place goes further down.
    assert [w.post_id for w in choice.works] == ["grew", "unknown_then"]
    assert choice.skipped_recent == 2 and choice.over_daily == 1
    assert [
        w.post_id for w in choose_works([], top, [_c("new")], recent_reads=recent, daily=9).works
    ] == [
        "grew",
        "unknown_then",
        "new",
    ]


def test_hub_entries_by_id_or_link() -> None:
    assert parse_hub_work("weibo:5069176121141362").post_id == "5069176121141362"
    bv = parse_hub_work("bilibili:https://www.bilibili.com/video/BV1xx411c7mD?p=1")
    assert (bv.platform, bv.post_id) == ("bilibili", "BV1xx411c7mD")
    note = "https://www.xiaohongshu.com/explore/66edf03b1289369e5f70de35?xsec_token=AB%3D"
    xhs = parse_hub_work(f"xiaohongshu:{note}")
    assert xhs.post_id == "66edf03b1289369e5f70de35" and "xsec_token" in (xhs.url or "")
    for bad in (
        "weibo:https://www.bilibili.com/video/BV1xx411c7mD",  # link of another platform
        "douyin:https://v.douyin.com/iRNBho2A/",  # a short link names no work offline
        "qqnews:123",  # not a live platform
        "weibo:",
        "5069176121141362",
    ):
        with pytest.raises(ValueError):
            parse_hub_work(bad)
    works, problems = hub_works(["weibo:1", "weibo:1", "zhihu:2", "weibo:https://x.invalid/a"])
    assert {p: [w.post_id for w in ws] for p, ws in works.items()} == {
        "weibo": ["1"],
        "zhihu": ["2"],
    }
    assert len(problems) == 1 and "x.invalid" in problems[0]


def test_expected_pages_from_the_stored_count() -> None:
    assert expected_pages("weibo", 0, 5) == 1
    assert expected_pages("weibo", 41, 5) == 3  # 20 a request
    assert expected_pages("douyin", 41, 5) == 5  # no reply inline: 5 a request, capped
    assert expected_pages("xiaohongshu", 41, 9) == 5
    assert expected_pages("zhihu", None, 5) == 1  # unknown: the first page says how many


def _config(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "campaign.toml"
    path.write_text(CONFIG.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    (tmp_path / "units.csv").write_bytes((CONFIG.parent / "units.csv").read_bytes())
    return path


def test_comments_table_defaults_and_form_errors_with_their_line(tmp_path: Path) -> None:
    defaults = load_config(CONFIG).comments
    assert defaults.enabled and defaults.hub_works == []
    assert (defaults.daily_works_per_platform, defaults.max_pages_per_work) == (50, 5)
    path = _config(tmp_path, '[comments]\nhub_works = ["weibo:1", "wiebo:2"]\n')
    with pytest.raises(ConfigError, match=r"campaign\.toml:\d+: comments\.hub_works.*wiebo:2"):
        load_config(path)
    with pytest.raises(ConfigError, match="max_pages_per_work"):
        load_config(_config(tmp_path, "[comments]\nmax_pages_per_work = 0\n"))


def test_config_check_names_a_hub_link_that_names_no_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _config(tmp_path, '[comments]\nhub_works = ["douyin:https://v.douyin.com/iRNBho2A/"]\n')
    load_config(path)  # the form is right: only the link itself is wrong
    code, out, err = run_in_process(["--config", str(path), "config", "check"], capsys)
    assert code == 1, out
    assert "comments.hub_works" in err and "v.douyin.com" in err
