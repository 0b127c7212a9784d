"""``tracker report --print-cities``: one A4 page per city, with the city report's figures."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from dashboards.city_print import MAX_UNREPORTED, TOP_WORKS, build_city_print
from dashboards.leaderboards import compute_ranking, top_by_rank
from dashboards.report_build import build_report
from dashboards.report_inputs import campaign_id, weekly_as_of
from tracker.membership.cityview import city_units, city_works
from tracker.membership.participation import participation_frames
from tracker.membership.unreported import load_unreported
from tracker.membership.weekly import change_text
from tracker.ranking import RankingSettings

from ..helpers.worlds import SimDB

NOW = datetime(2024, 10, 20, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def printed(sim_db: SimDB, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("print") / "各市简报.html"
    result = build_city_print(sim_db.engine, sim_db.config, out, now=NOW)
    assert result.path == out and result.pdf_path is None
    return out.read_text(encoding="utf-8")


def _pages(page: str) -> dict[str, str]:
    parts = re.split(r'(?=<section class="city-page")', page)[1:]
    found = {}
    for part in parts:
        m = re.match(r'<section class="city-page" id="[^"]*" data-city="([^"]+)"', part)
        assert m, part[:200]
        found[html.unescape(m.group(1))] = part
    assert len(found) == len(parts)
    return found


def _expected_cities(sim_db: SimDB) -> set[str]:
    """Registry cities with a (non-provincial) unit or a counted work, in plain SQL."""
    with sim_db.engine.connect() as conn:
        with_units = {
            r[0]
            for r in conn.execute(
                text(
                    "SELECT DISTINCT city FROM unit WHERE city IS NOT NULL AND kind != 'department'"
                )
            )
        }
        with_works = {
            r[0]
            for r in conn.execute(
                text(
                    "SELECT DISTINCT u.city FROM post p JOIN post_campaign pc"
                    " ON pc.platform = p.platform AND pc.platform_post_id = p.platform_post_id"
                    " JOIN account_unit au ON au.platform = p.platform"
                    "  AND au.platform_uid = p.account_uid"
                    " JOIN unit u ON u.id = au.unit_id"
                    " WHERE pc.excluded = 0 AND p.deleted = 0 AND u.city IS NOT NULL"
                )
            )
        }
    return {c.strip() for c in with_units | with_works if c and c.strip()}


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_one_page_per_city_with_the_city_figures(printed: str, sim_db: SimDB) -> None:
    pages = _pages(printed)
    assert set(pages) == _expected_cities(sim_db) and len(pages) > 1
    camp = sim_db.config.campaign(None)
    settings = RankingSettings.from_mapping(sim_db.config.ranking)
    with sim_db.engine.connect() as conn:
        cid = campaign_id(conn, camp.name)
        frames, result = compute_ranking(conn, cid, settings)
        part = participation_frames(conn, cid).units
        weekly = weekly_as_of(conn, cid, frames, None)
        unreported = load_unreported(conn, cid)
    assert weekly is not None
    as_of = weekly.as_of.astimezone(NOW.tzinfo).strftime("%Y-%m-%d")
    total = len(pages)
    for n, (city, page) in enumerate(pages.items(), 1):
        body = _plain(page)
        assert f"第 {n} 页 / 共 {total} 页" in body
        assert f"活动：{camp.name}" in body
        assert "数据截至 " in body and "（北京时间）" in body and as_of[:4] in body
        view = city_units(result.units, part, city)
        assert (
            f"{city}名册登记 {view.registered:,} 个单位（不含省直单位），已参与 "
            f"{view.participating:,} 个，参与率 {view.rate_text}"
        ) in body
        mine = city_works(result.works, city)
        flagged = int(mine["risk_flag"].fillna(False).astype(bool).sum()) if len(mine) else 0
        assert f"待核查作品 {flagged:,} 件" in body
        # week over week: the city's row of the same table
        row = weekly.cities[weekly.cities["group"] == city].iloc[0]
        week = page.split('<div class="t-week">')[1].split("</table>")[0]
        cells = [_plain(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", week)]
        for i, m in enumerate(("works", "interactions", "participants")):
            this, prev, change = cells[4 * i + 1 : 4 * i + 4]
            assert int(this.replace(",", "")) == row[f"{m}_this"]
            assert int(prev.replace(",", "")) == row[f"{m}_prev"]
            assert change == change_text(int(row[f"{m}_change"]), row[f"{m}_pct"])
        # the top works: the city's best by the campaign ranking
        top = top_by_rank(mine, TOP_WORKS)
        block = page.split('<div class="t-works">')[1].split("</div>")[0]
        ranks = [int(_plain(r).strip()) for r in re.findall(r"<tr><td[^>]*>(.*?)</td>", block)]
        assert ranks == [int(r) for r in top["rank"]]
        # who has not reported, capped with a count of the rest
        missing = unreported[unreported["group"] == city]
        block = page.split('<div class="t-unreported">')[1].split("</div>")[0]
        names = [_plain(r).strip() for r in re.findall(r"<tr><td[^>]*>(.*?)</td>", block)]
        assert names == list(missing["unit_name"].head(MAX_UNREPORTED))
        if len(missing) > MAX_UNREPORTED:
            assert f"另有 {len(missing) - MAX_UNREPORTED:,} 项未列出" in body
        assert not re.search(r"\bnan\b|None|NaN", body), city


def test_figures_match_the_city_report(printed: str, sim_db: SimDB, tmp_path: Path) -> None:
    pages = _pages(printed)
    city = max(pages, key=lambda c: pages[c].count("<tr>"))
    out = tmp_path / "city.html"
    build_report(sim_db.engine, sim_db.config, out, city=city, now=NOW)
    report = _plain(out.read_text(encoding="utf-8"))
    lead = re.search(
        rf"{city}名册登记 [\d,]+ 个单位（不含省直单位），已参与 [\d,]+ 个，参与率 \S+?%", report
    )
    assert lead and lead.group(0) in _plain(pages[city])
    works = re.search(r"作品总数\s+([\d,]+)", report)
    assert works and f"作品 {works.group(1)} 件" in _plain(pages[city])


def test_print_css_and_no_network(printed: str) -> None:
    assert "@page { size: A4;" in printed and "@bottom-center" in printed
    assert "break-after: page" in printed and "counter(page)" in printed
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", printed)
    assert "<script" not in printed


def test_one_city_gives_one_page(sim_db: SimDB, tmp_path: Path) -> None:
    out = tmp_path / "sz.html"
    build_city_print(sim_db.engine, sim_db.config, out, city="深圳", now=NOW)
    pages = _pages(out.read_text(encoding="utf-8"))
    assert list(pages) == ["深圳市"]
    assert "第 1 页 / 共 1 页" in _plain(pages["深圳市"])
