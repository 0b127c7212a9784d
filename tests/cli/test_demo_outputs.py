"""One ``tracker demo`` run read the way staff read it: every page, sheet and chart label.

Two trust defects are checked on the same run. A missing value must never reach staff as a
programming word ("nan", "None", "NaT"...): a reader takes it for a broken export. And a demo
runs on the simulator's virtual clock, so every time it shows (report header, latest
collection, the 说明 sheet's export time, the run log, ``summary.json``) must come from that one
clock: a report "generated" in 2024 whose last collection is today reads as tampered data.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tracker.config import TrackerConfig, load_config
from tracker.membership.participation import participation_frames
from tracker.services.demo import DEMO_COLLECTIONS, DEMO_START
from tracker.store.engine import make_engine
from tracker.store.registry import campaign_id

from ..helpers.demo import demo_copy

REPO_ROOT = Path(__file__).resolve().parents[2]
BEIJING = ZoneInfo("Asia/Shanghai")
MISSING_WORD = re.compile(r"\b(?:nan|nat|none|null|undefined)\b", re.IGNORECASE)
URL = re.compile(r"(?:https?|file)://\S+")
SHOWN_TIME = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d))?")
NOT_TEXT_ATTRS = {"href", "src", "id", "class", "style", "name", "for", "lang", "charset"}
NOT_TEXT_KEYS = {
    "id",
    "className",
    "href",
    "src",
    "field",
    "tooltipField",
    "type",
    "namespace",
    "getRowId",
    "filter",
    "key",
    "platform_id",
    "post_id",
    "url",
}
"""Keys of the dashboard's component JSON that hold ids and code names, not words staff read."""
CHART_TEXT_KEYS = {
    "text",
    "hovertext",
    "hovertemplate",
    "texttemplate",
    "name",
    "ticktext",
    "customdata",
    "labels",
    "x",
    "y",
}
"""The chart attributes staff read (titles and annotations are ``{"text": ...}``, hover labels,
legend names, category axes); the others are plotly's enumerated options (``"none"``...)."""


@dataclass(frozen=True)
class Demo:
    out: Path
    config: TrackerConfig
    html: str
    summary: dict[str, Any]

    @property
    def clock(self) -> datetime:
        """The demo's virtual "now" as ``summary.json`` states it."""
        return datetime.fromisoformat(self.summary["generated_at"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = demo_copy(tmp_path_factory, "demo")
    toml = root / "config" / "campaign.toml"
    out = root / "out"
    yield Demo(
        out=out,
        config=load_config(toml),
        html=(out / "report.html").read_text(encoding="utf-8"),
        summary=json.loads((out / "summary.json").read_text(encoding="utf-8")),
    )


# --- what staff read ------------------------------------------------------------------------


class _Text(HTMLParser):
    """Text nodes and attribute values (title=, aria-label=...) outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.scripts: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in_code += 1
        self.texts += [v for k, v in attrs if v and k not in NOT_TEXT_ATTRS]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_code else self.texts).append(data)


def _report_texts(html: str) -> list[str]:
    """The page's words, and the words its charts show (titles, axis labels, hover texts):
    each chart's data and layout are read from its ``Plotly.newPlot`` call, never the library
    code inlined before them."""
    parser = _Text()
    parser.feed(html)
    texts = list(parser.texts)
    decoder = json.JSONDecoder()
    charts = 0
    for script in parser.scripts:
        for call in re.finditer(r"Plotly\.newPlot\(\s*", script):
            pos = call.end()
            for _ in range(3):  # div id, data, layout
                value, end = decoder.raw_decode(script, pos)
                texts += _chart_strings(value)
                pos = re.compile(r"\s*,\s*").match(script, end).end()  # type: ignore[union-attr]
            charts += 1
    assert charts >= 5, "the report's charts were not found"
    return texts


def _chart_strings(value: Any, key: str = "") -> list[str]:
    """The strings of a plotly figure's JSON that are shown as text (see CHART_TEXT_KEYS)."""
    if isinstance(value, str):
        return [value] if key in CHART_TEXT_KEYS else []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _chart_strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _chart_strings(v, key)]
    return []


def _strings(value: Any, key: str = "") -> list[str]:
    """Every string in a JSON value except those under keys that hold ids or code names;
    a chart (a dashboard graph's ``figure``) gives only its shown text."""
    if key in NOT_TEXT_KEYS:
        return []
    if key == "figure":
        return _chart_strings(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, key)]
    return []


def _cells(out: Path) -> Iterator[tuple[str, Any]]:
    """(where, value) of every non-empty cell of every workbook the demo wrote."""
    for path in sorted(out.rglob("*.xlsx")):
        for sheet in load_workbook(path):
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        yield f"{path.name}!{sheet.title}!{cell.coordinate}", cell.value


def _missing_words(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, t[:160]) for where, t in texts if MISSING_WORD.search(URL.sub("", t))]


def test_no_missing_value_word_in_the_report(demo: Demo) -> None:
    texts = _report_texts(demo.html)
    assert any("生成时间" in t for t in texts)  # the scan reads the page's text
    assert _missing_words([("report.html", t) for t in texts]) == []


def test_no_missing_value_word_in_any_workbook(demo: Demo) -> None:
    cells = [(where, str(v)) for where, v in _cells(demo.out)]
    assert len({w.split("!")[0] for w, _ in cells}) == 5  # four lists and the sample form
    assert _missing_words(cells) == []


def _dashboard_pages(demo: Demo) -> dict[str, Any]:
    """Each page of the dashboard on the demo database, as the app's page callback returns it
    to the browser (the component tree as JSON)."""
    pytest.importorskip("dash", reason="the dashboard extra is not installed")
    from dashboards.app import FILTERS, NAV, create_app
    from tracker.store.engine import make_engine, sqlite_url

    engine = make_engine(sqlite_url(demo.out / "tracker.db"))
    try:
        client = create_app(engine, demo.config).server.test_client()
        with sqlite3.connect(demo.out / "tracker.db") as db:
            platform, pid = db.execute(
                "SELECT platform, platform_post_id FROM post_campaign ORDER BY 1, 2 LIMIT 1"
            ).fetchone()
        filters = [(i.component_id, i.component_property) for i in FILTERS]
        pages = {}
        for path in [p for p, _ in NAV] + [f"/work/{platform}/{pid}", "/no-such-page"]:
            inputs = [{"id": "url", "property": "pathname", "value": path}]
            inputs += [{"id": i, "property": p, "value": None} for i, p in filters]
            body = {
                "output": "page.children",
                "outputs": {"id": "page", "property": "children"},
                "inputs": inputs,
                "changedPropIds": ["url.pathname"],
            }
            response = client.post("/_dash-update-component", json=body)
            assert response.status_code == 200, (path, response.get_data(as_text=True)[:500])
            pages[path] = response.get_json()["response"]["page"]["children"]
        return pages
    finally:
        engine.dispose()


def test_no_missing_value_word_on_any_dashboard_page(demo: Demo) -> None:
    pages = _dashboard_pages(demo)
    texts = [(path, s) for path, page in pages.items() for s in _strings(page)]
    assert any("运行日志" in t for _, t in texts)
    assert _missing_words(texts) == []


# --- one clock --------------------------------------------------------------------------------


def _shown_times(texts: list[str]) -> list[tuple[datetime | date, str]]:
    """Every ``YYYY-MM-DD[ HH:MM]`` in ``texts`` (Beijing wall time, as every output shows)."""
    found: list[tuple[datetime | date, str]] = []
    for text in texts:
        for m in SHOWN_TIME.finditer(text):
            y, mo, d, h, mi = m.groups()
            day = date(int(y), int(mo), int(d))
            if h is None:
                found.append((day, text[:120]))
            else:
                at = datetime(day.year, day.month, day.day, int(h), int(mi), tzinfo=BEIJING)
                found.append((at, text[:120]))
    return found


def _after(shown: datetime | date, clock: datetime) -> bool:
    local = clock.astimezone(BEIJING)
    if isinstance(shown, datetime):
        return shown > local
    return shown > local.date()


def _naive_beijing(value: datetime) -> datetime:
    return value.replace(tzinfo=BEIJING)


def _stamp(text: str) -> datetime:
    """``2024-10-01 20:00`` (Beijing) at the start of ``text``."""
    m = SHOWN_TIME.match(text.strip())
    assert m is not None and m.group(4) is not None, text
    return _shown_times([m.group()])[0][0]  # type: ignore[return-value]


def test_the_demo_clock_is_the_simulators(demo: Demo) -> None:
    """summary.json names the virtual "now": the start plus the refresh's virtual day."""
    assert demo.clock == DEMO_START + timedelta(days=1)
    assert demo.clock.utcoffset() is not None


def test_the_report_shows_the_virtual_clock_only(demo: Demo) -> None:
    texts = _report_texts(demo.html)
    generated = [t.split("生成时间：", 1)[1] for t in texts if "生成时间：" in t]
    latest = [t.split("最近一次采集时间：", 1)[1] for t in texts if "最近一次采集时间：" in t]
    assert len(generated) == 1 and len(latest) == 1
    assert _stamp(generated[0]) == demo.clock
    assert _stamp(latest[0]).date() == demo.clock.astimezone(BEIJING).date()
    shown = _shown_times(texts)
    assert len(shown) > 20
    assert [(t, s) for t, s in shown if _after(t, demo.clock)] == []


def test_the_workbooks_show_the_virtual_clock_only(demo: Demo) -> None:
    cells = list(_cells(demo.out))
    exported = [
        str(value)
        for where, value in cells
        if "!说明!B" in where and _neighbour(cells, where, "A") == "导出时间"
    ]
    assert len(exported) == 4  # one per list
    assert {_stamp(e) for e in exported} == {demo.clock}
    times = [(_naive_beijing(v), w) for w, v in cells if isinstance(v, datetime)]
    times += [(t, w) for w, v in cells if isinstance(v, str) for t, _ in _shown_times([v])]
    assert len(times) > 50
    assert [(t, w) for t, w in times if _after(t, demo.clock)] == []


def _neighbour(cells: list[tuple[str, Any]], where: str, column: str) -> Any:
    """The value in ``column`` of the same row as ``where`` (``file!sheet!B6`` -> ``A6``)."""
    book, sheet, ref = where.split("!")
    row = re.sub(r"^[A-Z]+", "", ref)
    wanted = f"{book}!{sheet}!{column}{row}"
    return next((v for w, v in cells if w == wanted), None)


def test_the_database_keeps_the_virtual_clock_only(demo: Demo) -> None:
    """Run rows (the run log, 说明 sheet's data sources) and every stored time of the demo lie
    between the virtual start (its first collection, on the 9-27 deadline) and the virtual end."""
    columns = {
        "run": ("started_at", "finished_at"),
        "metric_snapshot": ("captured_at",),
        "post": ("first_collected_at", "last_collected_at"),
        "account": ("first_seen_at", "last_seen_at"),
        "post_campaign": ("linked_at",),
        "stored_config": ("updated_at",),
    }
    start = DEMO_COLLECTIONS[0].astimezone(UTC).replace(tzinfo=None)
    end = demo.clock.astimezone(UTC).replace(tzinfo=None)
    outside = []
    with sqlite3.connect(demo.out / "tracker.db") as db:
        for table, cols in columns.items():
            for col in cols:
                rows = db.execute(f"SELECT {col} FROM {table} WHERE {col} IS NOT NULL").fetchall()
                assert rows, f"{table}.{col}"
                for (value,) in rows:
                    at = datetime.fromisoformat(value).replace(tzinfo=None)
                    if not start <= at <= end:
                        outside.append((f"{table}.{col}", value))
    assert outside == []


def test_the_dashboard_shows_the_virtual_clock_only(demo: Demo) -> None:
    pages = _dashboard_pages(demo)
    texts = [s for page in pages.values() for s in _strings(page)]
    shown = _shown_times(texts)
    assert any(isinstance(t, datetime) for t, _ in shown)  # the run log's times at least
    assert [(t, s) for t, s in shown if _after(t, demo.clock)] == []


# --- comments (作品互动) ------------------------------------------------------------------------


def test_the_demo_reads_comments_and_its_outputs_count_them(demo: Demo) -> None:
    """The demo's comment stage reads six platforms' comments; the report's data sources give
    what the database holds, and the registry's commenters count for their units."""
    with sqlite3.connect(demo.out / "tracker.db") as db:
        comments, works = db.execute(
            "SELECT count(*), count(DISTINCT platform || ':' || platform_post_id) FROM comment"
        ).fetchone()
        platforms = {p for (p,) in db.execute("SELECT DISTINCT platform FROM comment")}
        runs = db.execute("SELECT count(*) FROM run WHERE kind = 'comments'").fetchone()[0]
    assert runs == 6 and len(platforms) == 6, platforms
    assert comments > works > 0
    text = " ".join(" ".join(_report_texts(demo.html)).split())
    assert f"已读取评论 {comments:,} 条，来自 {works:,} 个作品" in text
    # the report's participation section gives each city's forms as the participation table does
    engine = make_engine(f"sqlite:///{demo.out / 'tracker.db'}")
    try:
        with engine.connect() as conn:
            cid = campaign_id(conn, demo.config.campaigns[0].name)
            cities = participation_frames(conn, cid).cities
    finally:
        engine.dispose()
    top = cities.sort_values("participating_accounts", ascending=False).iloc[0]
    assert top["comments"] > 0
    forms = ("works_published", "qa_posts", "interactions", "reposts", "comments")
    row = " ".join(f"{int(top[c]):,}" for c in forms)
    assert f"{top['city']} " in text and row in text, (top.to_dict(), row)
