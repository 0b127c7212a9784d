"""``tracker export works|creators|units|summary`` on a collected simulator world."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, select

from tracker.ranking import RankingSettings
from tracker.store.models import Account, AccountUnit, Post, Run

from ..helpers.oracle import unreported_by_sql


def _table(url: str, table, *where) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(table.__table__).where(*where))]
    finally:
        engine.dispose()


def _sheet_rows(ws) -> tuple[list[str], list[list]]:
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    return header, rows[1:]


def _export(cli, tmp_path: Path, *args: str, name: str = "out.xlsx") -> Path:
    out = tmp_path / name
    res = cli("export", *args, "-o", str(out))
    assert res.code == 0, res.err
    return out


def test_works_xlsx_sheets_headers_text_ids_and_beijing_times(cli, world, tmp_path) -> None:
    path = _export(cli, tmp_path, "works", "--include-unreviewed")
    wb = load_workbook(path)
    assert wb.sheetnames == ["说明", "作品"]
    ws = wb["作品"]
    header, rows = _sheet_rows(ws)
    assert header[:8] == [
        "排名",
        "全活动排名",
        "作品编号",
        "平台",
        "作品ID",
        "标题",
        "账号名称",
        "账号ID",
    ]
    for h in ("发布时间（北京时间）", "质量分", "平台内公平分", "粉丝校正分", "超常表现分",
              "传播覆盖分", "加权互动量 I", "风险分", "风险原因", "审核状态", "链接", "审核结果"):  # fmt: skip
        assert h in header
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{len(rows) + 1}"

    posts = {(p["platform"], p["platform_post_id"]): p for p in _table(world.url, Post)}
    col = {h: i for i, h in enumerate(header)}
    assert len(rows) == len(
        json.loads(cli("rank", "works", "--include-unreviewed", "--format", "json").out)
    )
    douyin = 0
    for row in rows:
        wid, pid, uid = row[col["作品编号"]], row[col["作品ID"]], row[col["账号ID"]]
        for cell in (wid, pid, uid):
            assert cell.data_type == "s" and cell.number_format == "@", cell.coordinate
        platform = wid.value.split(":", 1)[0]
        post = posts[(platform, pid.value)]
        assert wid.value == f"{platform}:{post['platform_post_id']}"
        published = row[col["发布时间（北京时间）"]]
        assert published.number_format == "yyyy-mm-dd hh:mm"
        assert published.value == (post["published_at"] + timedelta(hours=8)).replace(tzinfo=None)
        if platform == "douyin":
            douyin += 1
            assert len(pid.value) == 19 and pid.value.isdigit()
    assert douyin > 0
    assert [r[col["排名"]].value for r in rows[:3]] == [1, 2, 3]


def test_no_formula_cells_even_for_formula_titles(cli, tmp_path) -> None:
    path = _export(cli, tmp_path, "works", "--include-unreviewed")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            assert not re.search(rb"<f[ >]", z.read(name)), name
    wb = load_workbook(path)
    titles = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
    header, rows = _sheet_rows(wb["作品"])
    t = header.index("标题")
    titles = {r[t].value: r[t] for r in rows}
    assert titles["=1+1"].data_type == "s"
    hyper = '=HYPERLINK("http://example.invalid/x","点我领奖")'
    assert titles[hyper].data_type == "s" and titles[hyper].hyperlink is None


def test_about_sheet_says_campaign_window_sources_and_method(cli, world, tmp_path) -> None:
    path = _export(cli, tmp_path, "works")
    ws = load_workbook(path)["说明"]
    pairs = [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=2)]
    items = dict(p for p in pairs if p[0])
    assert items["活动"] == "千万IP创科普2024"
    assert items["活动时间"].startswith("2024-09-01 至 2024-09-30")
    assert "仅审核通过的作品" in items["筛选条件"]
    runs = _table(world.url, Run)
    assert len(runs) == 6
    for run in runs:
        key = next(k for k in items if k.startswith("数据来源：") and run["kind"] == "collect" and
                   k.endswith("（采集）") and _zh(run["platform"]) in k)  # fmt: skip
        finished = (run["finished_at"] + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
        assert f"最近一次成功完成 {finished}" in items[key]
    method = RankingSettings().describe_zh().splitlines()
    values = [p[1] for p in pairs]
    assert items["计算方法"] == method[0]
    assert all(line in values for line in method[1:])


def _zh(platform: str) -> str:
    from connectors.catalogue import PLATFORM_NAMES_ZH

    return PLATFORM_NAMES_ZH[platform]


def test_csv_has_bom_crlf_quoted_ids_and_formula_guard(cli, tmp_path) -> None:
    path = _export(cli, tmp_path, "works", "--include-unreviewed", "--format", "csv", name="w.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert text.startswith('"排名","全活动排名","作品编号","平台","作品ID"')
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # CRLF only
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    t, pid = header.index("标题"), header.index("作品ID")
    titles = {r[t] for r in rows[1:]}
    assert "'=1+1" in titles and "=1+1" not in titles
    douyin = [r for r in rows[1:] if r[header.index("平台")] == "抖音"]
    assert douyin and all(f'"{r[pid]}"' in text for r in douyin)


def test_anonymise_hides_personal_names_keeps_verified(cli, world, tmp_path) -> None:
    path = _export(cli, tmp_path, "works", "--include-unreviewed", "--anonymise")
    header, rows = _sheet_rows(load_workbook(path)["作品"])
    col = {h: i for i, h in enumerate(header)}
    accounts = {(a["platform"], a["platform_uid"]): a for a in _table(world.url, Account)}
    registered = {(u["platform"], u["platform_uid"]) for u in _table(world.url, AccountUnit)}
    posts = {(p["platform"], p["platform_post_id"]): p for p in _table(world.url, Post)}
    kept = kept_org = hidden = hidden_registered = 0
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        platform, pid = row[col["作品编号"]].value.split(":", 1)
        uid = posts[(platform, pid)]["account_uid"]
        account = accounts[(platform, uid)]
        name, shown_uid = row[col["账号名称"]].value, row[col["账号ID"]].value
        if account["verified"]:
            assert (name, shown_uid) == (account["name"], uid)
            kept += 1
            kept_org += account["verify_type"] in ("org", "organization", "1", "4", "7")
        else:
            assert re.fullmatch(r"用户[0-9a-f]{10}", name) and shown_uid == name
            assert name != account["name"]
            assert seen.setdefault((platform, uid), name) == name  # stable per account
            hidden += 1
            hidden_registered += (platform, uid) in registered
    # verified organisations keep their names; registered members' private accounts do not
    assert kept_org and hidden and hidden_registered
    about = dict((r[0].value, r[1].value) for r in load_workbook(path)["说明"].iter_rows(min_row=2))
    assert "匿名化" in about

    cpath = _export(cli, tmp_path, "creators", "--include-unreviewed", "--anonymise", name="c.xlsx")
    cheader, crows = _sheet_rows(load_workbook(cpath)["创作者"])
    names = [r[cheader.index("创作者")].value for r in crows]
    assert any(re.fullmatch(r"用户[0-9a-f]{10}", n) for n in names)
    personal = {a["name"] for a in accounts.values() if not a["verified"]}
    public = {a["name"] for a in accounts.values() if a["verified"]}
    assert not (personal - public).intersection(names)
    assert public.intersection(names)


def test_summary_by_city(cli, tmp_path) -> None:
    path = _export(cli, tmp_path, "summary", "--by", "city", "--include-unreviewed")
    wb = load_workbook(path)
    names = wb.sheetnames
    assert names[:6] == ["说明", "概况", "按城市", "按单位", "按平台", "优秀作品"]
    assert "广州市" in names and "深圳市" in names
    works = json.loads(cli("rank", "works", "--include-unreviewed", "--format", "json").out)

    overview = {r[0].value: r[1].value for r in wb["概况"].iter_rows(min_row=2)}
    assert overview["作品数"] == len(works)
    assert overview["账号数"] == len({(w["platform"], w["account_uid"]) for w in works})

    header, rows = _sheet_rows(wb["按城市"])
    by_city = {r[0].value: r for r in rows}
    assert len([c for c in by_city if c.endswith("市")]) == 21  # every Guangdong city, zeros too
    assert sum(r[header.index("作品数")].value for r in rows) == len(works)
    gz = [w for w in works if w["city"] == "广州市"]
    assert by_city["广州市"][header.index("作品数")].value == len(gz)
    best = max(gz, key=lambda w: w["quality_score"])
    assert (
        by_city["广州市"][header.index("最佳作品编号")].value
        == f"{best['platform']}:{best['platform_post_id']}"
    )

    # The notice's three forms of participation, per city and per unit, equal what
    # `tracker campaign participation` counts from the same database.
    forms = ["参与形式：发布内容", "参与形式：互动问答", "参与形式：作品互动"]
    assert all(f in header for f in forms)
    uheader, urows = _sheet_rows(wb["按单位"])
    assert all(f in uheader for f in forms)
    part = json.loads(cli("campaign", "participation", "--by", "city", "--format", "json").out)
    want = {c["city"]: c["works_published"] for c in part["rows"] if c.get("works_published")}
    got = {
        r[0].value: r[header.index(forms[0])].value for r in rows if r[header.index(forms[0])].value
    }
    assert want and got == want

    cheader, crows = _sheet_rows(wb["广州市"])
    assert [r[cheader.index("城市")].value for r in crows] == ["广州市"] * len(gz)
    assert [r[cheader.index("排名")].value for r in crows] == list(range(1, len(gz) + 1))

    pheader, prows = _sheet_rows(wb["按平台"])
    assert sorted(r[0].value for r in prows) == sorted(
        {"微博", "抖音", "快手", "知乎", "哔哩哔哩", "小红书"}
    )
    uheader, urows = _sheet_rows(wb["按单位"])
    assert "声量占比" in uheader and len(urows) > 100  # every registry unit

    # without --by city there are no city sheets; best works follow the review rule
    plain = load_workbook(_export(cli, tmp_path, "summary", name="s2.xlsx"))
    assert plain.sheetnames == [
        "说明", "概况", "按城市", "按单位", "按平台", "优秀作品", "未报送单位"
    ]  # fmt: skip
    assert plain["优秀作品"].max_row == 1  # nothing approved yet


def _unreported_by_sql(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return unreported_by_sql(engine)
    finally:
        engine.dispose()


def test_summary_lists_units_that_have_not_reported(cli, world, tmp_path) -> None:
    wb = load_workbook(_export(cli, tmp_path, "summary"))
    header, rows = _sheet_rows(wb["未报送单位"])
    assert header == ["分组", "单位", "单位类型", "城市", "联系人", "登记账号"]
    got = [r[1].value for r in rows]
    want = _unreported_by_sql(world.url)
    assert want and sorted(got) == sorted(want)
    groups = [r[0].value for r in rows]
    kinds = [r[2].value for r in rows]
    assert all((g == "省直单位") == (k == "厅局单位") for g, k in zip(groups, kinds, strict=True))
    assert not any(str(c.value) in ("None", "nan") for r in rows for c in r)
    # a city's export lists only that city's own units
    sz = load_workbook(_export(cli, tmp_path, "summary", "--city", "深圳市", name="sz.xlsx"))
    _, srows = _sheet_rows(sz["未报送单位"])
    assert [r[0].value for r in srows] == ["深圳市"] * len(srows)
    assert len(srows) == groups.count("深圳市")


def test_summary_csv_writes_one_file_per_sheet(cli, tmp_path) -> None:
    out = tmp_path / "汇总.csv"
    res = cli("export", "summary", "--format", "csv", "-o", str(out))
    assert res.code == 0, res.err
    files = sorted(p.name for p in tmp_path.glob("汇总_*.csv"))
    assert files == sorted(
        f"汇总_{n}.csv"
        for n in ("说明", "概况", "按城市", "按单位", "按平台", "优秀作品", "未报送单位")
    )
    assert all((tmp_path / f).read_bytes().startswith(b"\xef\xbb\xbf") for f in files)


def test_units_and_creators_xlsx(cli, tmp_path) -> None:
    units = load_workbook(_export(cli, tmp_path, "units", "--include-unreviewed", name="u.xlsx"))
    assert units.sheetnames == ["说明", "单位"]
    header, rows = _sheet_rows(units["单位"])
    assert header[:5] == ["排名", "全活动排名", "单位", "单位类型", "城市"]
    # Mobilisation counts each of the notice's participation forms separately.
    assert header[-5:] == [
        "参与形式：发布内容",
        "参与形式：互动问答",
        "参与形式：作品互动",
        "转发活动作品",
        "评论活动作品",
    ]
    assert sum(r[header.index("参与形式：发布内容")].value for r in rows) > 0
    share = header.index("声量占比")
    assert rows[0][share].number_format == "0.0%"
    creators = load_workbook(
        _export(cli, tmp_path, "creators", "--include-unreviewed", name="c.xlsx")
    )
    header, rows = _sheet_rows(creators["创作者"])
    assert header[:4] == ["排名", "全活动排名", "创作者", "创作者编号"]
    key = header.index("创作者编号")
    assert all(r[key].data_type == "s" and r[key].number_format == "@" for r in rows)


def test_export_option_errors(cli, tmp_path) -> None:
    for args, needle in (
        (("works", "--format", "pdf"), "xlsx 或 csv"),
        (("works", "--by", "city"), "只用于 export summary"),
        (("summary", "--by", "unit"), "只支持 city"),
    ):
        res = cli("export", *args, "-o", str(tmp_path / "x.xlsx"))
        assert res.code == 1 and needle in res.err, (args, res.err)


@pytest.mark.slow
def test_libreoffice_converts_the_summary_to_pdf(cli, tmp_path) -> None:
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian package libreoffice-calc)")
    path = _export(cli, tmp_path, "summary", "--by", "city", "--include-unreviewed", "--anonymise")
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(path),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "pdf" / "out.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000
