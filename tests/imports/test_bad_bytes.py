"""A text file with a bad byte loses that line only, never the whole file.

Units' lists come as GBK or UTF-8 CSV and are sometimes damaged by a copy through a chat tool
or an editor in the wrong encoding. Detection and reading decode line by line: the damaged line
is a reject (file and line number, its bytes kept as the payload) and every other row imports.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.helpers.cli import cli
from tests.helpers.database import count, rows
from tests.imports.test_submissions import ROWS, write_csv
from tracker.config import TrackerConfig
from tracker.imports.detect import detect_format
from tracker.imports.service import import_paths

GOOD = ROWS[:4]  # weibo, douyin, kuaishou, bilibili: four works that need no network
MC_CSV = (
    Path(__file__).resolve().parents[1]
    / "fixtures/imports/mediacrawler/douyin/csv/search_contents_2024-09-15.csv"
)


def _damage(path: Path, line: int, at: int = 2, byte: bytes = b"\xff") -> Path:
    """Insert ``byte`` at offset ``at`` of 1-based ``line`` (a byte no encoding accepts there)."""
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1][:at] + byte + lines[line - 1][at:]
    path.write_bytes(b"\n".join(lines))
    return path


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_one_bad_byte_rejects_only_its_line(
    tmp_path: Path, engine: Engine, config: TrackerConfig, encoding: str
) -> None:
    path = _damage(write_csv(tmp_path / f"list-{encoding}.csv", GOOD, encoding=encoding), 3)
    assert detect_format(path).format == "submission"
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 3 and report.counts.rejected == 1
    assert report.status == "ok" and not report.failed_files
    (reject,) = rows(engine, "SELECT location, reason, payload FROM reject")
    assert reject["location"] == f"{path}:3"
    assert "无法读取" in reject["reason"] and f"{path}:3:" in reject["reason"]
    assert "\\xff" in reject["payload"]  # the damaged line is kept for the staff to fix


def test_gbk_csv_with_a_bad_byte_through_the_cli(tmp_path: Path, db_url: str) -> None:
    path = _damage(write_csv(tmp_path / "深圳报送.csv", GOOD, encoding="gbk"), 4)
    result = cli(db_url, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "新作品 3" in result.stdout and "拒绝 1" in result.stdout
    assert f"{path}:4" in result.stderr


def test_mediacrawler_csv_with_a_bad_byte(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_bytes(MC_CSV.read_bytes())
    expected = import_paths(None, [clean], config=config, dry_run=True).counts.new
    path = tmp_path / "search_contents_2024-09-15.csv"
    path.write_bytes(MC_CSV.read_bytes())
    _damage(path, 2, at=0)
    assert detect_format(path).format == "mediacrawler"
    report = import_paths(engine, [path], config=config, platform="douyin")
    assert report.counts.new == expected - 1 and report.counts.rejected == 1
    (reject,) = report.rejects
    assert reject.location == f"{path}:2" and "无法读取" in reject.reason
    assert count(engine, "reject", "location = :p", p=f"{path}:2") == 1


def test_decode_lines_picks_the_files_encoding() -> None:
    from tracker.imports.textlines import decode_lines

    gbk = "单位,作品链接\n广州,https://a\n".encode("gbk")
    decoded = decode_lines(gbk[:8] + b"\xff" + gbk[8:])
    assert decoded.encoding == "gb18030" and list(decoded.bad) == [1]
    utf8 = "单位,作品链接\n广州,https://a\n".encode()
    decoded = decode_lines(utf8 + b"\x80oops\n")
    assert decoded.encoding == "utf-8" and list(decoded.bad) == [3]
    assert decoded.text().splitlines()[:2] == ["单位,作品链接", "广州,https://a"]
    cut = decode_lines("作品链接".encode()[:-1], complete=False)  # a head cut mid-character
    assert cut.bad == {} and cut.text() == "作品链"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    encoding=st.sampled_from(["gbk", "utf-8", "utf-8-sig"]),
    line=st.integers(min_value=2, max_value=len(GOOD) + 1),
    at=st.integers(min_value=0, max_value=200),
    byte=st.sampled_from([b"\xff", b"\x80\xff", b"\xfe\xff"]),
)
def test_any_bad_byte_in_any_row_loses_that_row_only(
    tmp_path: Path, config: TrackerConfig, encoding: str, line: int, at: int, byte: bytes
) -> None:
    """Property: wherever a byte invalid in every encoding lands in a data row, that row is a
    reject at its own line and every other row imports."""
    path = write_csv(tmp_path / "p.csv", GOOD, encoding=encoding)
    length = len(path.read_bytes().split(b"\n")[line - 1].rstrip(b"\r"))  # within the row
    _damage(path, line, at=min(at, length), byte=byte)
    assert detect_format(path).format == "submission"
    report = import_paths(None, [path], config=config, dry_run=True)
    assert report.counts.new == len(GOOD) - 1 and report.counts.rejected == 1
    assert [r.location for r in report.rejects] == [f"{path}:{line}"]


def test_utf16_csv_with_a_lone_surrogate(tmp_path: Path, config: TrackerConfig) -> None:
    """Excel's "Unicode text" export is UTF-16: a broken code unit used to crash the reader."""
    path = write_csv(tmp_path / "u16.csv", GOOD, encoding="utf-16")
    raw = path.read_bytes()
    at = raw.index("深圳".encode("utf-16-le"))
    path.write_bytes(raw[:at] + b"\x00\xd8" + raw[at:])  # a high surrogate with no partner
    report = import_paths(None, [path], config=config, dry_run=True)
    assert report.counts.new == 3 and [r.location for r in report.rejects] == [f"{path}:3"]


def test_a_damaged_header_line_is_still_read(tmp_path: Path, config: TrackerConfig) -> None:
    path = _damage(write_csv(tmp_path / "hdr.csv", GOOD, encoding="gbk"), 1, at=4)  # in 序号
    report = import_paths(None, [path], config=config, dry_run=True)
    assert report.counts.new == len(GOOD) and report.counts.rejected == 0
    assert any(f"{path}:1: 表头或标题行含有无法解码的字节" in n for n in report.notes)


def test_a_bad_byte_inside_a_quoted_multiline_field(tmp_path: Path, config: TrackerConfig) -> None:
    """Blanking the bad line used to leave the quote open, swallowing the rows after it."""
    path = tmp_path / "multiline.csv"
    text = (
        "单位,作品链接,作品名称\n"
        'A,https://www.bilibili.com/video/BV117411r7R1,"第一行\n第二BAD行"\n'
        "B,https://weibo.com/1959830294/4069372986738497,x\n"
    )
    path.write_bytes(text.encode("utf-8").replace(b"BAD", b"\xff"))
    report = import_paths(None, [path], config=config, dry_run=True)
    assert report.platforms == {"weibo": 1} and report.counts.rejected == 1
    assert [r.location for r in report.rejects] == [f"{path}:3"]


def test_mediacrawler_jsonl_with_a_bad_byte(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    """The damaged line is a reject, not a row imported with every Chinese character garbled."""
    src = MC_CSV.parents[2] / "weibo/jsonl/search_contents_2024-09-15.jsonl"
    path = tmp_path / src.name
    lines = src.read_bytes().split(b"\n")
    lines[0] = lines[0][:40] + b"\xff" + lines[0][40:]
    path.write_bytes(b"\n".join(lines))
    report = import_paths(engine, [path], config=config)
    damaged = [r for r in report.rejects if r.location == f"{path}:1"]
    assert len(damaged) == 1 and "无法读取" in damaged[0].reason
    titles = [r["title"] or "" for r in rows(engine, "SELECT title FROM post")]
    assert titles and not any("\ufffd" in t for t in titles)


def test_mediacrawler_csv_bad_byte_in_a_multiline_desc(
    tmp_path: Path, config: TrackerConfig
) -> None:
    """MediaCrawler's ``desc`` often spans lines: the damaged row is rejected, the next kept."""
    raw = MC_CSV.read_bytes()
    desc = ",显微镜下的一滴水 #千万IP创科普#,".encode()
    assert raw.count(desc) == 1
    path = tmp_path / "search_contents_2024-09-15.csv"
    path.write_bytes(raw.replace(desc, ',"显微镜下\n的BAD一滴水 #千万IP创科普#",'.encode()))
    path.write_bytes(path.read_bytes().replace(b"BAD", b"\xff"))
    report = import_paths(None, [path], config=config, dry_run=True, platform="douyin")
    assert report.counts.new == 1 and [r.location for r in report.rejects] == [f"{path}:3"]
