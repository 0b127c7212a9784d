"""Formats are recognised from content, whatever the file is called."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.real import IMPORT_FIXTURES as FIXTURES
from tests.helpers.real import REAL
from tests.imports.har_builder import entry, write_har
from tests.imports.test_submissions import HEADER, ROWS, write_csv, write_workbook
from tracker.errors import ImportFormatError
from tracker.imports.detect import detect_format

MC = FIXTURES / "mediacrawler"


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def test_har_under_any_name(tmp_path: Path) -> None:
    har = write_har(
        tmp_path / "capture.txt",
        [entry("https://a.example/x", {"a": 1}, started="2024-09-15T02:00:00Z")],
    )
    assert detect_format(har).format == "har"
    minified = tmp_path / "capture"
    minified.write_text(json.dumps(json.loads(har.read_text())), encoding="utf-8")
    assert detect_format(minified).format == "har"


def test_zeeschuimer_and_saved_bodies(tmp_path: Path) -> None:
    assert (
        detect_format(
            _copy(REAL / "zeeschuimer" / "tiktok-test.ndjson", tmp_path / "x.json")
        ).format
        == "zeeschuimer"
    )
    assert detect_format(REAL / "weibo" / "weibo_com_ajax_profile_info.json").format == "json"
    big = REAL / "douyin" / "tikhub_wrapped_app_general_search_v1_keyword_maomi.json"
    one_line = tmp_path / "douyin.ndjson"  # 1.2 MB on one line, longer than the detection head
    one_line.write_text(json.dumps(json.loads(big.read_text())), encoding="utf-8")
    assert detect_format(one_line).format == "json"


@pytest.mark.parametrize(
    ("path", "table"),
    [
        (MC / "weibo" / "jsonl" / "search_contents_2024-09-15.jsonl", "weibo_note"),
        (MC / "douyin" / "csv" / "search_contents_2024-09-15.csv", "douyin_aweme"),
        (MC / "douyin" / "csv" / "search_comments_2024-09-15.csv", "comment"),
        (MC / "kuaishou" / "json" / "search_contents_2024-09-15.json", "kuaishou_video"),
        (MC / "bilibili" / "jsonl" / "search_contents_2024-09-15.jsonl", "bilibili_video"),
        (MC / "bilibili" / "jsonl" / "creator_creators_2024-09-15.jsonl", "creator"),
        (MC / "zhihu" / "jsonl" / "search_contents_2024-09-15.jsonl", "zhihu_content"),
        (MC / "xhs" / "csv" / "search_contents_2024-09-15.csv", "xhs_note"),
    ],
)
def test_mediacrawler_tables(path: Path, table: str) -> None:
    detected = detect_format(path)
    assert (detected.format, detected.detail) == ("mediacrawler", table)


def test_submissions_csv_gbk_and_xlsx(tmp_path: Path) -> None:
    assert (
        detect_format(write_csv(tmp_path / "list.dat", ROWS, encoding="gbk")).format == "submission"
    )
    assert detect_format(write_workbook(tmp_path / "list.bin")).format == "submission"
    tsv = tmp_path / "list.tsv"
    tsv.write_text(
        "\t".join(HEADER) + "\n" + "\t".join(str(v) for v in ROWS[0]) + "\n", encoding="utf-8"
    )
    assert detect_format(tsv).format == "submission"


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ImportFormatError, match="旧版 .xls"):
        detect_format(xls)
    lines = tmp_path / "other.jsonl"
    lines.write_text('{"a": 1}\n{"b": 2}\n{"c": 3}\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match="既不是 Zeeschuimer"):
        detect_format(lines)
    with pytest.raises(ImportFormatError, match="是目录"):
        detect_format(tmp_path)
