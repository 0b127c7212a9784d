"""Seeds, targets and mutations for fuzzing every platform parser.

Seeds are real bodies: the simulator's responses captured off the wire while the real
connectors collect (routed to their parser through each module's ``ENDPOINTS``, as a capture
importer would), plus the real platform bodies kept under ``tests/fixtures/<platform>/``. Lists
are cut to a few items so one example stays cheap. Mutations are what broken or hostile
platforms send: keys dropped, values of the wrong type, huge and negative numbers, NaN,
relative Chinese time strings, HTML where text belongs, containers swapped, items duplicated.
"""

from __future__ import annotations

import copy
import functools
import importlib
import inspect
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from hypothesis import strategies as st

from connectors import catalogue
from connectors.base import CollectRequest
from connectors.registry import http_defaults
from tracker.config import load_config
from tracker.http import HttpClient, HttpSettings
from tracker.normalize.tags import unique_tags
from tracker.services.collect import build_connector
from tracker.signing.dev import DevSigner
from tracker.sim.api import SimServer

from ..helpers.config import CONFIG
from ..helpers.real import REAL, REAL2

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PARSER_PLATFORMS = catalogue.parser_platforms()
CAPTURED_AT = datetime(2024, 9, 20, 8, 0, tzinfo=UTC)
MAX_LIST = 4
PROFILE_USER_ID = "5c557081000000001b03e335"

Path_ = tuple[Any, ...]


# --------------------------------------------------------------------------- seeds


class _Recorder(httpx.BaseTransport):
    """Keeps every (URL, decoded JSON body) the simulator answered."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.bodies: list[tuple[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        try:
            self.bodies.append((str(request.url), json.loads(response.content)))
        except ValueError:
            pass
        return response

    def close(self) -> None:
        self.inner.close()


def trim(obj: Any, max_list: int = MAX_LIST) -> Any:
    """``obj`` with every list cut to ``max_list`` items (a smaller body, the same shapes)."""
    if isinstance(obj, dict):
        return {k: trim(v, max_list) for k, v in obj.items()}
    if isinstance(obj, list):
        return [trim(v, max_list) for v in obj[:max_list]]
    return obj


@functools.cache
def sim_bodies() -> dict[str, list[tuple[str, Any]]]:
    """Platform -> (URL, body) of every JSON answer while collecting and refreshing."""
    config = load_config(CONFIG)
    tags = unique_tags([s for c in config.campaigns for s in c.all_spellings])
    out: dict[str, list[tuple[str, Any]]] = {}
    with SimServer(seed=61, scale=30) as sim:
        for platform in ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu"):
            recorder = _Recorder()
            values = http_defaults(platform)
            values.update(signer="dev", max_attempts=2, backoff_initial_s=0)
            http = HttpClient(
                platform,
                sim.base_urls[platform],
                settings=HttpSettings(**values),
                signer=DevSigner(),
                transport=recorder,
                env={},
            )
            connector = build_connector(platform, http, config.platforms[platform], lambda: sim.now)
            request = CollectRequest(tags=tags, extra={"zhihu_roundtables": ["qianwanip"]})
            ids = [
                p.platform_post_id for page in connector.collect(request) for p in page.parsed.posts
            ]
            for _ in connector.refresh(ids[:3]):
                pass
            http.close()
            out[platform] = [(url, trim(body)) for url, body in recorder.bodies]
    return out


def fixture(platform: str, name: str, max_list: int = MAX_LIST) -> Any:
    return trim(json.loads((FIXTURES / platform / name).read_text(encoding="utf-8")), max_list)


UNREAD = frozenset(
    {"music", "comment_list", "log_pb", "extra", "global_doodle_config", "guide_search_words"}
    | {"ad_info", "dislike_dimension_list_v2", "suggest_words", "search_extra", "images"}
)
"""Bulky subtrees of Douyin's search body no parser reads; dropped so mutations hit fields
that matter (the seed test checks the slimmed body still parses to works)."""


def slim(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: slim(v) for k, v in obj.items() if k not in UNREAD}
    if isinstance(obj, list):
        return [slim(v) for v in obj]
    return obj


def _tiktok_items() -> list[Any]:
    lines = (FIXTURES / "tiktok" / "tiktok-test.ndjson").read_text(encoding="utf-8").splitlines()
    return [trim(json.loads(line)["data"]) for line in lines[:MAX_LIST]]


def _by_endpoint(platform: str, name: str) -> list[Any]:
    module = importlib.import_module(f"connectors.{platform}.parse")
    endpoints = [e for e in module.ENDPOINTS if e.name == name]
    return [
        body
        for url, body in sim_bodies().get(platform, [])
        if any(e.matches(url) for e in endpoints)
    ]


def _by_url(platform: str, fragment: str) -> list[Any]:
    return [body for url, body in sim_bodies().get(platform, []) if fragment in url]


def _dig(obj: Any, *path: Any) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _items(bodies: list[Any], *path: Any) -> list[Any]:
    out = []
    for body in bodies:
        try:
            out.extend(_dig(body, *path))
        except (KeyError, IndexError, TypeError):
            continue
    return out[: MAX_LIST * 2]


def _camel_aweme(aweme: Any) -> Any:
    """A snake_case aweme renamed to the camelCase shape embedded in Douyin's page HTML."""
    from connectors.douyin import parse as dy

    names = dict(zip(vars_of(dy._SNAKE), vars_of(dy._CAMEL), strict=True))

    def rename(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {names.get(k, k): rename(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [rename(v) for v in obj]
        return obj

    return rename(aweme)


def vars_of(fields: Any) -> list[str]:
    return [getattr(fields, f) for f in fields.__slots__]


def _kuaishou_h5_bodies() -> list[Any]:
    """Kuaishou's h5 ``photo/simple/info`` saved as a dict of responses keyed by request path.

    The real body lives in the shared real2 folder (never copied here); a checkout without it
    gets a minimal body of the same shape, so the fuzz target always has a seed.
    """
    real = REAL2 / "kuaishou-rest-ugh5app-photo-info.json"
    if real.is_file():
        return [trim(json.loads(real.read_text(encoding="utf-8")), MAX_LIST)]
    photo = {
        "photoId": "5239938275131911888",
        "userEid": "3xuw52inejca9tm",
        "userName": "h5",
        "caption": "#千万IP创科普# h5",
        "timestamp": 1691570962433,
        "likeCount": 34728,
        "commentCount": 2420,
        "viewCount": 679835,
        "shareCount": 2404,
    }
    info = {"result": 1, "counts": {"fanCount": 124589}, "photo": photo}
    return [{"/rest/zt/share/w/web": {"result": 1}, "/rest/wd/ugH5App/photo/simple/info": info}]


def _comment_bodies(platform: str) -> list[Any]:
    """The hand-built top-level and reply pages of a platform's comment endpoints, then the
    real comment pages where there are some."""
    built = json.loads((FIXTURES / "comments" / f"{platform}.json").read_text("utf-8"))
    real = {
        "bilibili": ["reply_reply_av201022189_root3030790837.json"],
        "kuaishou": ["graphql_vision_comment_list_v2.json"],
    }
    return [built["top"], built["replies"]] + [
        trim(json.loads((REAL / platform / name).read_text("utf-8")), MAX_LIST)
        for name in real.get(platform, ())
    ]


COMMENT_POST_IDS = {"bilibili": "BV1xx411c7mD"}
"""The work a fuzzed comment page belongs to (most comment bodies do not name it; the client
passes it). Other platforms take :data:`COMMENT_POST_ID`."""
COMMENT_POST_ID = "4975001234567890"


def _seeds() -> dict[str, list[Any]]:
    """Qualified function name -> seed bodies (see module doc)."""
    douyin_lists = _by_endpoint("douyin", "challenge_aweme")
    awemes = _items(douyin_lists, "aweme_list") + [
        b["aweme_detail"] for b in _by_endpoint("douyin", "aweme_detail")[:1]
    ]
    dy_search = slim(
        fixture("douyin", "tikhub_wrapped_app_general_search_v1_keyword_maomi.json", max_list=2)
    )
    bili_search = _by_endpoint("bilibili", "search_type") + [
        fixture("bilibili", "search_type_video_keyword_shaonian.json"),
        fixture("bilibili", "tikhub_wrapped_web_general_search.json"),
    ]
    bili_view = _by_endpoint("bilibili", "view_detail")[:3] + [
        fixture("bilibili", "view_BV117411r7R1.json")
    ]
    bili_items = _items(bili_search[:1], "data", "result") + [
        fixture("bilibili", "search_result_item_video_only.json")
    ]
    ks_graphql = _by_endpoint("kuaishou", "graphql")
    ks_fixtures = {
        n: fixture("kuaishou", f"{n}.json")
        for n in (
            "graphql_vision_profile",
            "graphql_vision_search_photo",
            "graphql_vision_video_detail",
            "rest_search_feed_page1",
            "rest_search_feed_last",
        )
    }
    xhs_search = _by_endpoint("xiaohongshu", "search_notes") + [
        fixture("xiaohongshu", "tikhub_wrapped_search_notes_keyword_chenpi.json")
    ]
    xhs_items = _items(xhs_search[:1], "data", "items")
    tiktok = _tiktok_items()
    weibo_longtext = fixture("weibo", "weibo_com_ajax_statuses_longtext.json")
    seeds = {
        "weibo.parse_get_index": _by_endpoint("weibo", "getIndex"),
        "weibo.parse_status_show": _by_endpoint("weibo", "statuses/show"),
        "weibo.parse_longtext": [weibo_longtext],
        "weibo.parse_profile_info": [fixture("weibo", "weibo_com_ajax_profile_info.json")],
        "weibo.long_text_requests": _by_endpoint("weibo", "getIndex"),
        "weibo.status_long_text_requests": _by_endpoint("weibo", "statuses/show"),
        "weibo.long_text_content": [weibo_longtext],
        "weibo.parse_any": _by_endpoint("weibo", "getIndex")[:1]
        + _by_endpoint("weibo", "statuses/show")[:1]
        + [weibo_longtext, fixture("weibo", "weibo_com_ajax_profile_info.json")],
        "douyin.parse_aweme_list": douyin_lists,
        "douyin.parse_aweme_detail": _by_endpoint("douyin", "aweme_detail"),
        "douyin.parse_user_profile": _by_endpoint("douyin", "user_profile")[:3],
        "douyin.parse_general_search": [dy_search],
        "douyin.parse_any": douyin_lists[:1]
        + _by_endpoint("douyin", "aweme_detail")[:1]
        + [dy_search],
        "douyin.parse_aweme": awemes,
        "douyin.parse_aweme_list_item": awemes,
        "douyin.parse_embedded_aweme": [_camel_aweme(a) for a in awemes],
        "douyin.parse_zeeschuimer_item": awemes[:2] + [_camel_aweme(a) for a in awemes[:2]],
        "douyin.parse_challenge_search": _by_url("douyin", "challenge/search"),
        "kuaishou.parse_search_feed": _by_endpoint("kuaishou", "search_feed")
        + [ks_fixtures["rest_search_feed_page1"], ks_fixtures["rest_search_feed_last"]],
        "kuaishou.parse_graphql": ks_graphql[:4]
        + [ks_fixtures[n] for n in ks_fixtures if "graphql" in n],
        "kuaishou.parse_vision_search_photo": [ks_fixtures["graphql_vision_search_photo"]]
        + [b for b in ks_graphql if "visionSearchPhoto" in json.dumps(b)[:200]][:2],
        "kuaishou.parse_vision_profile": [ks_fixtures["graphql_vision_profile"]],
        "kuaishou.parse_h5_photo_info": [
            b["/rest/wd/ugH5App/photo/simple/info"] for b in _kuaishou_h5_bodies()
        ],
        "kuaishou.parse_any": _kuaishou_h5_bodies()
        + [ks_fixtures["rest_search_feed_page1"], ks_fixtures["graphql_vision_video_detail"]],
        "kuaishou.parse_vision_video_detail": [ks_fixtures["graphql_vision_video_detail"]]
        + [b for b in ks_graphql if "visionVideoDetail" in json.dumps(b)[:200]][:2],
        "zhihu.parse_search_v3": _by_endpoint("zhihu", "search_v3"),
        "zhihu.parse_feed": [fixture("zhihu", "zhihu_api_v3_feed_topstory_recommend.json")],
        "zhihu.parse_question_answers": _by_endpoint("zhihu", "question answers"),
        "zhihu.parse_roundtable_hot_questions": _by_endpoint("zhihu", "roundtable hot-questions"),
        "zhihu.hot_questions": _by_endpoint("zhihu", "roundtable hot-questions"),
        "zhihu.parse_detail": _by_endpoint("zhihu", "detail"),
        "zhihu.parse_any": _by_endpoint("zhihu", "search_v3")[:1]
        + _by_endpoint("zhihu", "detail")[:2],
        "bilibili.parse_search_type": bili_search,
        "bilibili.parse_view": bili_view,
        "bilibili.parse_any": bili_search[:2] + bili_view[:2] + bili_items[-1:],
        "bilibili.parse_search_item": bili_items,
        "bilibili.parse_zeeschuimer_item": bili_items
        + [_dig(b, "data", "View") for b in bili_view if "View" in b.get("data", {})][:2],
        "xiaohongshu.parse_search_notes": xhs_search,
        "xiaohongshu.parse_feed": _by_endpoint("xiaohongshu", "feed")[:3],
        "xiaohongshu.parse_user_info": _by_url("xiaohongshu", "/user/otherinfo")[:3],
        "xiaohongshu.parse_zeeschuimer_item": xhs_items,
        "xiaohongshu.parse_any": xhs_search,
        "tiktok.parse_zeeschuimer_item": tiktok,
        "tiktok.parse_item_list": [{"itemList": tiktok, "hasMore": True, "cursor": "20"}]
        + [{"data": [{"type": 1, "item": t} for t in tiktok]}],
        "tiktok.parse_any": tiktok[:2] + [{"itemList": tiktok, "hasMore": True, "cursor": "20"}],
    }
    for platform in ("weibo", "douyin", "kuaishou", "zhihu", "bilibili", "xiaohongshu"):
        seeds[f"{platform}.parse_comments"] = _comment_bodies(platform)
    return seeds


# --------------------------------------------------------------------------- targets

EXTRA_PUBLIC = {
    "weibo": ("long_text_requests", "status_long_text_requests", "long_text_content"),
    "zhihu": ("hot_questions",),
}
"""Public body readers besides ``parse_*`` (they see raw bodies too)."""


@dataclass(frozen=True)
class Target:
    platform: str
    name: str
    fn: Callable[..., Any]
    seeds: tuple[Any, ...]

    @property
    def qualname(self) -> str:
        return f"{self.platform}.{self.name}"

    @functools.cached_property
    def kwargs(self) -> dict[str, Any]:
        """Read once: the fuzz calls a parser tens of thousands of times, and reading the
        signature on every call (three times) showed up in its profile."""
        parameters = inspect.signature(self.fn).parameters
        kwargs: dict[str, Any] = {}
        if "captured_at" in parameters:
            kwargs["captured_at"] = CAPTURED_AT
        if "user_id" in parameters:
            kwargs["user_id"] = PROFILE_USER_ID  # the profile body does not echo it
        if "post_id" in parameters:
            kwargs["post_id"] = COMMENT_POST_IDS.get(self.platform, COMMENT_POST_ID)
        return kwargs

    def __call__(self, body: Any) -> Any:
        return self.fn(body, **self.kwargs)

    def __str__(self) -> str:
        return self.qualname


def public_parsers(platform: str) -> dict[str, Callable[..., Any]]:
    """Every public body parser a platform's ``parse.py`` defines (imports left out)."""
    module = importlib.import_module(f"connectors.{platform}.parse")
    out = {}
    for name, fn in vars(module).items():
        if not callable(fn) or getattr(fn, "__module__", None) != module.__name__:
            continue
        if name.startswith("parse_") or name in EXTRA_PUBLIC.get(platform, ()):
            if name == "parse_duration":
                continue  # a scalar helper (duration text -> seconds), not a body parser
            out[name] = fn
    for endpoint in module.ENDPOINTS:
        out.setdefault(endpoint.parse.__name__, endpoint.parse)
    return out


@functools.cache
def targets() -> tuple[Target, ...]:
    seeds = _seeds()
    out = []
    for platform in PARSER_PLATFORMS:
        for name, fn in sorted(public_parsers(platform).items()):
            out.append(Target(platform, name, fn, tuple(seeds.get(f"{platform}.{name}", ()))))
    return tuple(out)


def target_names() -> list[str]:
    """Names for parametrize, without starting the simulator at collection time."""
    return [f"{p}.{name}" for p in PARSER_PLATFORMS for name in sorted(public_parsers(p))]


def target(qualname: str) -> Target:
    return next(t for t in targets() if t.qualname == qualname)


# --------------------------------------------------------------------------- mutations

ODD_TIMES = (
    "刚刚",
    "3分钟前",
    "5小时前",
    "昨天 12:30",
    "今天 08:00",
    "前天 25:61",
    "09-14",
    "9月14日 10:00",
    "2024年2月30日",
    "2024-13-45 99:99",
    "Sat Sep 14 10:00:00 +0800 2024",
    "Mon Foo 99 10:00:00 +9999 2024",
    "1726279200",
    "1726279200000",
    "99999999999999999999",
    "-1",
    "0",
    "",
    "   ",
    "NaN",
)
HTML = (
    '<em class="keyword">千万IP创科普</em>',
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">#千万IP创科普#</a>',
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt;&amp;&#x4e2d;&#25991;",
    "<br><br/><p>段落</p>",
    "</div>" * 50,
)
ODD_NUMBERS = (
    2**63,
    2**64 + 7,
    10**30,
    -1,
    -(2**63) - 1,
    0,
    1e300,
    -0.0,
    float("nan"),
    float("inf"),
    float("-inf"),
    3.7,
    "1.2万",
    "100万+",
    "1.1亿",
    "3,456",
    "1e5",
    "１２３",
    "-",
    "万",
    "12abc",
)
ODD_STRINGS = (
    "",
    " ",
    "\x00",
    "\ud800",
    "null",
    "None",
    "true",
    "#千万IP创科普#",
    "#千万IP创科普[话题]#",
    "a" * 5000,
    "🧪" * 100,
    "../../etc/passwd",
    "=cmd|' /C calc'!A0",
)
ODD_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    [],
    {},
    [None],
    {"": None},
    *ODD_TIMES,
    *HTML,
    *ODD_NUMBERS,
    *ODD_STRINGS,
)

KEYS = (
    "data",
    "cards",
    "card_type",
    "mblog",
    "items",
    "item_list",
    "itemList",
    "aweme_list",
    "aweme_info",
    "aweme_detail",
    "result",
    "feeds",
    "photo",
    "author",
    "user",
    "note_card",
    "id",
    "ok",
    "code",
    "msg",
    "has_more",
    "cursor",
    "paging",
    "object",
    "type",
    "status_code",
    "visionSearchPhoto",
    "created_at",
    "text",
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(ODD_VALUES[7:])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)
"""JSON-ish values as ``json.loads`` can produce them (NaN and lone surrogates included)."""


def paths(obj: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every location inside ``obj`` (not ``obj`` itself), depth first."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield (*prefix, k)
            yield from paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield (*prefix, i)
            yield from paths(v, (*prefix, i))


def _parent(obj: Any, path: Path_) -> tuple[Any, Any]:
    for key in path[:-1]:
        obj = obj[key]
    return obj, path[-1]


def _retyped(value: Any) -> Any:
    """The same information in the wrong type (what an API version change does)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return [value]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return value


OPS = ("drop", "replace", "retype", "duplicate", "wrap", "empty")

_MUTATIONS = st.integers(min_value=1, max_value=4)
_OPS = st.sampled_from(OPS)
_REPLACEMENTS = st.sampled_from(ODD_VALUES) | json_values
"""Built once: a strategy made inside a draw is validated and labelled again every example."""


@dataclass(frozen=True)
class _Plan:
    """What ``mutated`` needs of one seed, computed once (seeds never change; copies do)."""

    seed: Any
    locations: st.SearchStrategy[Path_] | None


_PLANS: dict[int, _Plan] = {}
_MAX_PLANS = 512
"""Callers that build a new seed per example (the import fuzz) must not grow the cache."""


def _plan(seed: Any) -> _Plan:
    plan = _PLANS.get(id(seed))
    if plan is None or plan.seed is not seed:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        where = tuple(paths(seed))
        plan = _Plan(seed, st.sampled_from(where) if where else None)
        _PLANS[id(seed)] = plan
    return plan


def _mutate_at(draw: st.DrawFn, body: Any, path: Path_) -> None:
    """One drawn mutation at ``path``; nothing when an earlier one removed or retyped it."""
    try:
        parent, key = _parent(body, path)
        if not isinstance(parent, dict | list):
            return
        parent[key]  # noqa: B018 - still there?
    except (KeyError, IndexError, TypeError):
        return
    op = draw(_OPS)
    if op == "drop":
        del parent[key]
    elif op == "replace":
        parent[key] = thaw(draw(_REPLACEMENTS))
    elif op == "retype":
        parent[key] = _retyped(parent[key])
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(key, thaw(parent[key]))
    elif op == "wrap":
        parent[key] = [parent[key]]
    elif op == "empty":
        value = parent[key]
        parent[key] = type(value)() if isinstance(value, dict | list | str) else None


def thaw(obj: Any) -> Any:
    """A copy that mutations cannot leak out of: in JSON only dicts and lists are mutable, so
    they alone are copied (``copy.deepcopy`` dispatches and memoises every node, strings too,
    and took four times as long)."""
    if type(obj) is dict:
        return {k: thaw(v) for k, v in obj.items()}
    if type(obj) is list:
        return [thaw(v) for v in obj]
    return obj


@st.composite
def _mutated(draw: st.DrawFn, pick: st.SearchStrategy[Any]) -> Any:
    plan = _plan(draw(pick))
    body = thaw(plan.seed)
    if plan.locations is None:
        return body
    for _ in range(draw(_MUTATIONS)):
        _mutate_at(draw, body, draw(plan.locations))
    return body


def mutated(seeds: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """A seed body with one to four mutations at drawn locations.

    Locations are drawn from the seed's own; one that an earlier mutation removed or retyped
    is skipped, so each example walks the seed once instead of after every mutation.
    """
    return _mutated(st.sampled_from(seeds))


def post_bearing_lists(target: Target, body: Any) -> Iterator[tuple[Path_, int]]:
    """(list path, index) of list elements whose loss removes a post from the parse."""
    base = target(body)
    n_posts = len(base.posts)
    if not n_posts:
        return
    for path in [(), *paths(body)]:
        node = body
        for key in path:
            node = node[key]
        if not isinstance(node, list) or not node or not isinstance(node[0], dict):
            continue
        for i in range(len(node)):
            trial = copy.deepcopy(body)
            container = trial
            for key in path:
                container = container[key]
            container[i] = 12345
            try:
                page = target(trial)
            except Exception:  # noqa: BLE001 - judged by the caller, element by element
                yield path, i
                continue
            if len(page.posts) < n_posts:
                yield path, i
