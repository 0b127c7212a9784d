"""``tracker report --print-cities``: one printable A4 page per city (各市简报).

Each page is the short form of that city's report (``tracker report --city``, built by
:mod:`dashboards.report_build`): its registry units and participation rate, the city's row of
the week-over-week table, its best works (a top 10), how many of its works await review and
the units that have not reported, with the campaign name, the as-of time and "第 N 页 / 共 M 页"
on every page. The figures come from the same pure builders as the city report
(:func:`tracker.membership.cityview.city_units`, :func:`tracker.membership.weekly.week_over_week`,
``top_by_rank``/``city_works``, :func:`tracker.membership.unreported.load_unreported`), computed
once for all cities; the cells are formatted by :mod:`dashboards.cells`, as in the report.

Lists are capped so that each city fits one page; a cut list says "另有 N 项未列出". The page
carries no charts (and no plotly.js): tables and figures only, in print CSS for A4 portrait.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from dashboards.cells import kind_cell, platform_cell
from dashboards.figures import FONT_FAMILY
from dashboards.filters import Selection
from dashboards.leaderboards import labelled, rank_and_count, top_by_rank
from dashboards.pdf import html_to_pdf
from dashboards.report import Column, safe_link, table_html
from dashboards.report_inputs import (
    ReportResult,
    campaign_id,
    end_of_day,
    resolve_city,
    weekly_as_of,
)
from tracker.config import CampaignConfig, TrackerConfig
from tracker.membership.cityview import CityUnits, city_units, city_works
from tracker.membership.participation import participation_frames
from tracker.membership.unreported import load_unreported
from tracker.membership.weekly import WeekOverWeek, change_text
from tracker.ranking import RankingSettings
from tracker.readmodel import facts as aggregate
from tracker.safe_files import atomic_text_output, check_output
from tracker.store.queries import Connection, Engine
from tracker.store.queries.units import registry_cities

__all__ = ["CityPage", "build_city_print", "city_page", "gather_city_pages", "render_city_pages"]

BEIJING = ZoneInfo("Asia/Shanghai")
TOP_WORKS = 10
MAX_UNITS = 10
MAX_UNREPORTED = 10
LABEL_CHARS = 30


@dataclass(slots=True)
class CityPage:
    """One city's figures, as the city report computes them."""

    city: str
    units: CityUnits
    works: int
    interactions: int
    week: dict[str, Any] | None
    """The city's row of ``WeekOverWeek.cities`` (None without collected data)."""
    top: pd.DataFrame
    n_review: int
    unreported: pd.DataFrame


def city_page(
    city: str,
    *,
    ranked_units: pd.DataFrame,
    participation: pd.DataFrame | None,
    works: pd.DataFrame,
    weekly: WeekOverWeek | None,
    unreported: pd.DataFrame,
    head: dict[str, Any],
    top_n: int = TOP_WORKS,
) -> CityPage:
    """The city's page from the campaign-wide frames (pure)."""
    mine = city_works(works, city)
    week = None
    if weekly is not None:
        rows = weekly.cities[(weekly.cities["group"] == city).to_numpy()]
        week = rows.iloc[0].to_dict() if len(rows) else None
    n_review = int(mine["risk_flag"].fillna(False).astype(bool).sum()) if len(mine) else 0
    return CityPage(
        city=city,
        units=city_units(ranked_units, participation, city),
        works=int(head["works"]),
        interactions=int(head["interactions"]),
        week=week,
        top=top_by_rank(mine, top_n),
        n_review=n_review,
        unreported=unreported[(unreported["group"] == city).to_numpy()].reset_index(drop=True),
    )


def gather_city_pages(
    conn: Connection,
    config: TrackerConfig,
    camp: CampaignConfig,
    *,
    day: date | None = None,
    city: str | None = None,
) -> tuple[list[CityPage], datetime | None]:
    """Every registry city with units or works (or just ``city``), and the data's as-of time."""
    zone = ZoneInfo(camp.timezone)
    cid = campaign_id(conn, camp.name)
    until = end_of_day(day, zone) if day is not None else None
    wanted = [resolve_city(conn, city)] if city else registry_cities(conn)
    settings = RankingSettings.from_mapping(config.ranking)
    frames, result, counted = rank_and_count(conn, cid, settings, until=until)
    everything = Selection(campaign_id=cid, timezone=camp.timezone, include_unreviewed=True)
    facts = aggregate.ranked_facts(result.works, frames.account_units, everything)
    part = participation_frames(conn, cid, counted=counted).units
    weekly = weekly_as_of(conn, cid, frames, until, counted)
    unreported = load_unreported(conn, cid, counted=counted)
    pages = []
    for name in wanted:
        f = everything.with_(date_to=day, cities=(name,))
        page = city_page(
            name,
            ranked_units=result.units,
            participation=part,
            works=result.works,
            weekly=weekly,
            unreported=unreported,
            head=aggregate.headline(facts, f),
        )
        if city or page.units.registered or page.works:
            page.top = labelled(conn, page.top)
            pages.append(page)
    return pages, (weekly.as_of if weekly is not None else until)


# --- rendering -----------------------------------------------------------------------------------

_CSS = """
* { box-sizing: border-box; }
html { font-family: %(font)s; color: #1f2328; background: #e9edf3; }
body { margin: 0; font-size: 12px; line-height: 1.45; }
@page { size: A4; margin: 12mm 12mm 14mm;
  @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 9pt;
    color: #5f6b7a; } }
section.city-page { width: 210mm; height: 297mm; margin: 8mm auto; padding: 12mm 12mm 14mm;
  background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.15); overflow: hidden; }
.page-head { border-bottom: 2px solid #1d4f91; padding-bottom: 4px; margin-bottom: 8px; }
.page-head h1 { margin: 0; font-size: 19px; color: #1d4f91; }
.page-head .meta { display: flex; justify-content: space-between; color: #5f6b7a; font-size: 11px; }
.figures { display: grid; grid-template-columns: repeat(6, 1fr); gap: 6px; margin-bottom: 6px; }
.figure { border: 1px solid #e3e7ee; border-radius: 4px; padding: 3px 6px; }
.figure .label { color: #5f6b7a; font-size: 10.5px; }
.figure .value { font-size: 16px; font-weight: 600; font-variant-numeric: tabular-nums; }
h2 { font-size: 13px; margin: 7px 0 2px; color: #1d4f91; }
p.lead { margin: 4px 0; }
table { border-collapse: collapse; width: 100%%; table-layout: fixed; font-size: 10.5px; }
.t-units th:nth-child(1) { width: 36%%; } .t-units th:nth-child(2) { width: 12%%; }
.t-works th:nth-child(1) { width: 7%%; } .t-works th:nth-child(2) { width: 9%%; }
.t-works th:nth-child(3) { width: 35%%; } .t-works th:nth-child(4) { width: 17%%; }
.t-works th:nth-child(6) { width: 10%%; }
.t-unreported th:nth-child(1) { width: 50%%; } .t-unreported th:nth-child(2) { width: 20%%; }
th, td { border-bottom: 1px solid #e3e7ee; padding: 1px 5px; text-align: left; line-height: 1.35;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
th { background: #f0f3f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: #5f6b7a; font-size: 10.5px; caption-side: bottom; padding-top: 2px; }
p.more, p.empty { color: #5f6b7a; margin: 2px 0; font-size: 10.5px; }
td a { color: inherit; text-decoration: none; }
.page-foot { color: #5f6b7a; font-size: 10px; margin-top: 6px; }
@media print {
  html, body { background: #fff; }
  section.city-page { width: auto; height: 270mm; margin: 0; padding: 0; box-shadow: none;
    break-after: page; page-break-after: always; }
  section.city-page:last-of-type { break-after: auto; page-break-after: auto; }
}
"""


def _table(cls: str, df: pd.DataFrame, columns: list[Column], *, empty: str) -> str:
    return f'<div class="{cls}">{table_html(df, columns, empty=empty)}</div>'


def _more(n: int) -> str:
    return f'<p class="more">另有 {n:,} 项未列出。</p>' if n > 0 else ""


def _short_work(_v: Any, rec: dict[str, Any]) -> str:
    label = " ".join(str(rec.get("label") or "").split())
    if len(label) > LABEL_CHARS:
        label = label[: LABEL_CHARS - 1] + "…"
    return safe_link(rec.get("url"), label or "—")


UNIT_COLUMNS = [
    Column("unit_name", "单位"),
    Column("unit_kind", "类型", kind_cell),
    Column("works_published", "发布内容", "int", True),
    Column("qa_posts", "互动问答", "int", True),
    Column("interactions", "作品互动", "int", True),
    Column("reposts", "转发活动作品", "int", True),
    Column("comments", "评论活动作品", "int", True),
    Column("works", "计入排名的作品", "int", True),
]
WORK_COLUMNS = [
    Column("rank", "排名", "int", True),
    Column("platform", "平台", platform_cell),
    Column("label", "作品", _short_work),
    Column("account_name", "账号"),
    Column("unit_name", "所属单位"),
    Column("quality_score", "质量分", "float1", True),
]
UNREPORTED_COLUMNS = [
    Column("unit_name", "单位"),
    Column("unit_kind_zh", "类型"),
    Column("person", "联系人"),
]
WEEK_MEASURES = (("works", "作品"), ("interactions", "互动"), ("participants", "参与单位"))


def _week_table(week: dict[str, Any] | None) -> str:
    if week is None:
        return '<p class="empty">尚无采集数据，无法比较。</p>'
    rows = pd.DataFrame(
        [
            {
                "measure": name,
                "this": week[f"{m}_this"],
                "prev": week[f"{m}_prev"],
                "change": change_text(int(week[f"{m}_change"]), week.get(f"{m}_pct")),
            }
            for m, name in WEEK_MEASURES
        ]
    )
    return _table(
        "t-week",
        rows,
        [
            Column("measure", "指标"),
            Column("this", "近7天", "int", True),
            Column("prev", "前7天", "int", True),
            Column("change", "变化", "text", True),
        ],
        empty="",
    )


def _as_of_text(as_of: datetime | None) -> str:
    if as_of is None:
        return "尚无采集数据"
    ts = pd.Timestamp(as_of)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert(BEIJING).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def _page_html(
    p: CityPage, n: int, total: int, *, title: str, campaign: str, as_of: str, generated: str
) -> str:
    u = p.units
    figures = [
        ("名册单位", f"{u.registered:,}"),
        ("已参与单位", f"{u.participating:,}"),
        ("参与率", u.rate_text),
        ("作品总数", f"{p.works:,}"),
        ("待核查作品", f"{p.n_review:,}"),
        ("尚未报送单位", f"{len(p.unreported):,}"),
    ]
    cards = "".join(
        f'<div class="figure"><div class="label">{html.escape(k)}</div>'
        f'<div class="value">{html.escape(v)}</div></div>'
        for k, v in figures
    )
    units = u.table.head(MAX_UNITS)
    unrep = p.unreported.head(MAX_UNREPORTED)
    esc = html.escape
    return (
        f'<section class="city-page" id="city-{esc(p.city)}" data-city="{esc(p.city)}">'
        f'<div class="page-head"><h1>{esc(title)} · {esc(p.city)}简报</h1>'
        f'<div class="meta"><span class="campaign">活动：{esc(campaign)}</span>'
        f'<span class="as-of">数据截至 {esc(as_of)}</span>'
        f'<span class="page-no">第 {n} 页 / 共 {total} 页</span></div></div>'
        f'<div class="figures">{cards}</div>'
        f'<p class="lead">{esc(p.city)}名册登记 {u.registered:,} 个单位（不含省直单位），已参与 '
        f"{u.participating:,} 个，参与率 {esc(u.rate_text)}；作品 {p.works:,} 件，"
        f"互动 {p.interactions:,} 次；待核查作品 {p.n_review:,} 件。</p>"
        "<h2>近 7 天与前 7 天对比</h2>"
        + _week_table(p.week)
        + f"<h2>各单位参与情况（前 {MAX_UNITS}）</h2>"
        + _table("t-units", units, UNIT_COLUMNS, empty=f"{p.city}名册中没有单位。")
        + _more(len(u.table) - len(units))
        + f"<h2>优秀作品（前 {TOP_WORKS}，排名为全活动排名）</h2>"
        + _table("t-works", p.top, WORK_COLUMNS, empty="暂无作品。")
        + _more(p.works - len(p.top))
        + "<h2>尚未报送的单位</h2>"
        + _table("t-unreported", unrep, UNREPORTED_COLUMNS, empty="名册中的单位均已有作品或报送。")
        + _more(len(p.unreported) - len(unrep))
        + f'<p class="page-foot">生成时间：{esc(generated)}（北京时间）。完整名单见 '
        f"tracker report --city {esc(p.city)}。</p></section>"
    )


def render_city_pages(
    pages: list[CityPage],
    *,
    title: str,
    campaign: str,
    as_of: datetime | None,
    generated_at: datetime,
) -> str:
    """The whole printable file: one ``section.city-page`` per city."""
    total = len(pages)
    as_of_text = _as_of_text(as_of)
    generated = generated_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    body = "".join(
        _page_html(
            p, i, total, title=title, campaign=campaign, as_of=as_of_text, generated=generated
        )
        for i, p in enumerate(pages, 1)
    )
    if not pages:
        body = (
            '<section class="city-page"><p class="empty">名册中没有填写城市的单位。</p></section>'
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="kepu-tracker">'
        f"<title>{html.escape(title)} · 各市简报</title>"
        f"<style>{_CSS % {'font': FONT_FAMILY}}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def build_city_print(
    engine: Engine,
    config: TrackerConfig,
    out_path: str | Path,
    *,
    campaign: str | None = None,
    day: date | None = None,
    pdf: bool = False,
    now: datetime | None = None,
    city: str | None = None,
) -> ReportResult:
    """Write the city pages to ``out_path`` (atomically); with ``pdf`` also ``<out>.pdf``."""
    started = time.perf_counter()
    out = check_output(out_path)
    if pdf:
        check_output(out.with_suffix(".pdf"))
    camp = config.campaign(campaign)
    with engine.connect() as conn:
        pages, as_of = gather_city_pages(conn, config, camp, day=day, city=city)
    page = render_city_pages(
        pages,
        title=camp.title or camp.name,
        campaign=camp.name,
        as_of=as_of,
        generated_at=now or datetime.now(UTC),
    )
    with atomic_text_output(out) as fh:
        fh.write(page)
    pdf_path = html_to_pdf(out, out.with_suffix(".pdf")) if pdf else None
    works = sum(p.works for p in pages)
    return ReportResult(out, pdf_path, works, out.stat().st_size, time.perf_counter() - started)
