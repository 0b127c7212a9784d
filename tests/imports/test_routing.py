"""Routing asks the platform modules (detectors, URL hints, aliases); it names no platform itself."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from connectors import catalogue
from connectors.base import Endpoint
from connectors.links import short_link_platform
from connectors.weibo.ids import mid_to_mblogid
from tracker.imports.routing import detect_body_platform, find_endpoint, url_hints
from tracker.imports.submissions import platform_from_name

IMPORTS = Path(__file__).resolve().parents[2] / "tracker" / "imports"

# One minimal saved body per parser platform, in the shape that platform's detector knows.
BODIES: list[tuple[str, dict[str, Any]]] = [
    ("douyin", {"status_code": 0, "aweme_list": []}),
    ("weibo", {"ok": 1, "data": {"cards": [], "cardlistInfo": {}}}),
    ("bilibili", {"code": 0, "ttl": 1, "data": {"bvid": "BV117411r7R1"}}),
    ("zhihu", {"paging": {"is_end": True}, "data": []}),
    ("xiaohongshu", {"code": 0, "data": {"items": [{"model_type": "note", "note_card": {}}]}}),
    ("kuaishou", {"data": {"visionSearchPhoto": {"feeds": []}}}),
    ("tiktok", {"itemList": [], "hasMore": False}),
]


@pytest.mark.parametrize(("platform", "body"), BODIES)
def test_each_parser_module_recognises_its_own_saved_body(
    platform: str, body: dict[str, Any]
) -> None:
    assert detect_body_platform(body) == platform
    claimed = [
        p
        for p in catalogue.parser_platforms()
        if catalogue.spec(p).parser_module().looks_like(body)  # type: ignore[union-attr]
    ]
    assert claimed == [platform]


def test_every_parser_platform_has_a_detector_and_a_saved_body_parser() -> None:
    assert {p for p, _ in BODIES} == set(catalogue.parser_platforms())
    for platform in catalogue.parser_platforms():
        module = catalogue.spec(platform).parser_module()
        assert callable(getattr(module, "looks_like", None)), platform
        assert callable(getattr(module, "parse_any", None)), platform


def test_a_proxy_router_path_names_the_platform() -> None:
    body = {"code": 200, "router": "/api/v1/kuaishou/web/fetch_one_video", "data": {}}
    assert detect_body_platform(body) == "kuaishou"


def _endpoint(url: str) -> Endpoint:
    found = find_endpoint(url)
    assert found is not None, url
    return found


def test_url_hints_come_from_the_platform_and_only_what_the_parser_takes() -> None:
    mid = "4069372986738497"
    url = f"https://weibo.com/ajax/statuses/longtext?id={mid_to_mblogid(mid)}"
    assert url_hints(_endpoint(url), url) == {"post_id": mid}
    url = "https://weibo.com/ajax/statuses/longtext?id=not-an-id!"
    assert url_hints(_endpoint(url), url) == {}
    detail = "https://www.zhihu.com/api/v4/answers/162040459?include=content"
    assert url_hints(_endpoint(detail), detail) == {"post_id": "162040459"}
    # a parser that takes no post_id gets none, whatever the URL says
    search = "https://www.zhihu.com/api/v4/search_v3?q=x&id=5"
    assert "post_id" not in url_hints(_endpoint(search), search)


@pytest.mark.parametrize(
    ("name", "platform"),
    [
        ("微博", "weibo"),
        ("新浪微博", "weibo"),
        ("抖音", "douyin"),
        ("快手", "kuaishou"),
        ("知乎", "zhihu"),
        ("B站", "bilibili"),
        ("ｂ站", "bilibili"),
        ("哔哩哔哩", "bilibili"),
        ("哔哩哔哩(b站)", "bilibili"),
        ("哔哩哔哩（B站）", "bilibili"),
        ("小红书", "xiaohongshu"),
        ("科普中国", "kepuchina"),
        ("学习强国", "xuexi"),
        ("腾讯新闻", "qqnews"),
        ("企鹅号", "qqnews"),
        ("腾讯新闻/企鹅号", "qqnews"),
        ("TikTok", "tiktok"),
        (" weibo ", "weibo"),
    ],
)
def test_every_submission_list_spelling_still_maps(name: str, platform: str) -> None:
    assert platform_from_name(name) == platform


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://b23.tv/BV117411r7R1", (False, None)),  # names the video: no following needed
        ("https://b23.tv/a1B2c3D", (True, "bilibili")),
        ("https://www.kuaishou.com/f/X-1a2B3c4D", (True, "kuaishou")),
        ("https://www.kuaishou.com/short-video/3xk5mnw2abc4def", (False, None)),
        ("https://url.cn/abc", (True, None)),
        ("https://www.douyin.com/video/7414000000000000001", (False, None)),
    ],
)
def test_short_links_are_the_platform_modules_call(
    url: str, expected: tuple[bool, str | None]
) -> None:
    assert short_link_platform(url) == expected


@pytest.mark.parametrize(
    "module",
    [
        IMPORTS / "routing.py",
        IMPORTS / "submissions.py",
        IMPORTS / "online.py",
        IMPORTS / "articles.py",
        IMPORTS.parent.parent / "connectors" / "links.py",
    ],
    ids=lambda p: p.name,
)
def test_dispatch_modules_name_no_platform(module: Path) -> None:
    """A platform is one folder plus one catalogue line: these modules must not list any."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    named = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in catalogue.PLATFORMS
    }
    assert named == set()
