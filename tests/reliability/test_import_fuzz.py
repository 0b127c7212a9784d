"""Fuzzing every import format through the import service, into a real database.

Each example writes one file — a HAR capture, a Zeeschuimer NDJSON export, a saved API body, a
MediaCrawler JSONL/CSV table or a units' submission CSV — built from real and simulated bodies
and then broken (mutated bodies, mutated file structure, cut bytes, bad encodings) and imports
it. The only exception allowed is ``ImportFormatError``/``TrackerError`` for a file that cannot
be read at all; otherwise the run's reject rows must be exactly the rejects it reported, each
with a reason. Short: 100 examples per format (an import costs ~50 ms; the short suite has a
time budget); ``-m long``: 10,000
(``TRACKER_IMPORT_FUZZ_LONG_EXAMPLES`` overrides).
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import json
import os
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from tracker.config import TrackerConfig
from tracker.errors import TrackerError
from tracker.store.models import Reject

from .fuzzing import FIXTURES, ODD_VALUES, json_values, mutated, sim_bodies, trim

pytest.importorskip("tracker.imports.service", reason="the import service is not there yet")
from tracker.imports.service import import_paths  # noqa: E402

SHORT = 100
LONG = int(os.environ.get("TRACKER_IMPORT_FUZZ_LONG_EXAMPLES", "10000"))
NOW = datetime(2024, 9, 20, 12, 0, tzinfo=UTC)
MC = FIXTURES / "imports" / "mediacrawler"


# --------------------------------------------------------------------------- seeds per format


@functools.cache
def _captured() -> tuple[tuple[str, Any], ...]:
    """(URL as a browser saw it, body) from the simulator, one per endpoint and platform.

    Cached, like the other seed lists here: strategies ask for them on every example, and the
    same objects let ``mutated`` reuse what it worked out about each seed. Never mutated."""
    seen: set[str] = set()
    out = []
    for platform, bodies in sim_bodies().items():
        for url, body in bodies:
            path = url.split("?")[0].split(f"/{platform}/", 1)[-1]
            key = f"{platform}:{path.rstrip('0123456789/')}"
            if key not in seen:
                seen.add(key)
                out.append((url, body))
    return tuple(out)


def har_entry(url: str, body: Any) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return {
        "startedDateTime": "2024-09-20T08:00:00.000Z",
        "request": {"method": "GET", "url": url, "headers": []},
        "response": {
            "status": 200,
            "headers": [{"name": "content-type", "value": "application/json"}],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
        },
    }


@functools.cache
def _tiktok_lines() -> tuple[dict[str, Any], ...]:
    lines = (FIXTURES / "tiktok" / "tiktok-test.ndjson").read_text(encoding="utf-8").splitlines()
    return tuple(trim(json.loads(line)) for line in lines[:3])


@functools.cache
def _mc_rows() -> tuple[tuple[str, list[dict[str, Any]]], ...]:
    """(file name, rows) of every MediaCrawler fixture table."""
    out = []
    for path in sorted(MC.rglob("*")):
        if path.suffix == ".jsonl":
            rows = []
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    continue  # the fixtures hold a deliberately broken line
        elif path.suffix == ".json":
            rows = json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".csv":
            rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        else:
            continue
        out.append((f"{path.parent.parent.name}_{path.name}", rows[:3]))
    return tuple(out)


SUBMISSION_HEADER = [
    "单位",
    "作品链接",
    "平台",
    "作者/账号",
    "作品名称",
    "发布时间",
    "阅读量/播放量",
]
SUBMISSION_HEADER += ["点赞", "评论", "转发"]
SUBMISSION_ROW = [
    "广州市科协",
    "https://www.bilibili.com/video/BV1bXWYewEBg",
    "B站",
    "科普君",
    "听专家讲芯片",
    "2024-09-15 10:00",
    "1.2万",
    "300",
    "12",
    "5",
]
ODD_URLS = (
    "https://weibo.com/1234567890/O8DtSxKzE",
    "https://www.douyin.com/video/7412345678901234567",
    "https://v.douyin.com/abcdEFG/",
    "https://b23.tv/xyz",
    "https://www.xiaohongshu.com/explore/66e0f1a2000000001e01a2b3?xsec_token=AB",
    "https://www.zhihu.com/question/1/answer/2",
    "http://127.0.0.1:1/../../etc/passwd",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "见附件",
    "https://www.kuaishou.com/short-video/3xabc",
)


# --------------------------------------------------------------------------- file strategies

FileMaker = tuple[str, bytes]


@st.composite
def har_files(draw: st.DrawFn) -> FileMaker:
    captured = _captured()
    picks = draw(st.lists(st.sampled_from(captured), min_size=1, max_size=3))
    entries = []
    for url, body in picks:
        if draw(st.booleans()):
            body = draw(mutated((body,)))
        entries.append(har_entry(url, body))
    har: Any = {"log": {"version": "1.2", "creator": {"name": "fuzz"}, "entries": entries}}
    if draw(st.integers(0, 3)) == 0:
        har = draw(mutated((har,)))
    return "capture.har", json.dumps(har, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def zeeschuimer_files(draw: st.DrawFn) -> FileMaker:
    lines = _tiktok_lines()
    out = []
    for line in draw(st.lists(st.sampled_from(lines), min_size=1, max_size=4)):
        kind = draw(st.integers(0, 5))
        if kind <= 2:
            line = draw(mutated((line,)))
        elif kind == 3:
            line = {**line, "data": draw(json_values)}
        out.append(json.dumps(line, ensure_ascii=False))
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(["{", "not json", "\x00\x00", "[]", "null", "{}"])))
    return "export.ndjson", "\n".join(out).encode("utf-8", "surrogatepass")


@st.composite
def raw_json_files(draw: st.DrawFn) -> FileMaker:
    _, body = draw(st.sampled_from(_captured()))
    body = draw(st.one_of(mutated((body,)), json_values))
    return "saved.json", json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def mediacrawler_files(draw: st.DrawFn) -> FileMaker:
    name, rows = draw(st.sampled_from(_mc_rows()))
    rows = [draw(mutated((row,))) if draw(st.booleans()) else copy.deepcopy(row) for row in rows]
    if name.endswith(".csv"):
        header = list(rows[0]) if rows and isinstance(rows[0], dict) else ["aweme_id"]
        body = [[r.get(h) if isinstance(r, dict) else r for h in header] for r in rows]
        return name, _csv_bytes(header, body)
    if name.endswith(".json"):
        return name, json.dumps(rows, ensure_ascii=False).encode("utf-8", "surrogatepass")
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    return name, text.encode("utf-8", "surrogatepass")


cell = st.one_of(
    st.sampled_from(ODD_VALUES[7:]).map(str),
    st.sampled_from(ODD_URLS),
    st.text(max_size=30),
    st.integers(-(10**20), 10**20).map(str),
)


@st.composite
def submission_files(draw: st.DrawFn) -> FileMaker:
    header = list(SUBMISSION_HEADER)
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        row = dict(zip(SUBMISSION_HEADER, SUBMISSION_ROW, strict=True))
        for col in draw(st.lists(st.sampled_from(SUBMISSION_HEADER), max_size=5)):
            row[col] = draw(cell)
        rows.append([row[h] for h in header])
    return "报送表.csv", _csv_bytes(header, rows)


@st.composite
def broken_bytes(draw: st.DrawFn) -> FileMaker:
    """A valid file of any format, then cut short, re-encoded or sprinkled with bad bytes."""
    name, data = draw(st.one_of(har_files(), zeeschuimer_files(), submission_files()))
    how = draw(st.sampled_from(["cut", "gbk", "bom", "nul", "bytes"]))
    if how == "cut" and len(data) > 1:
        data = data[: draw(st.integers(1, len(data) - 1))]
    elif how == "gbk":
        data = data.decode("utf-8", "ignore").encode("gbk", "replace")
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how == "nul":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00\xff\xfe" + data[at:]
    else:
        data = draw(st.binary(min_size=1, max_size=200))
    return name, data


FORMATS: dict[str, Callable[[], st.SearchStrategy[FileMaker]]] = {
    "har": har_files,
    "zeeschuimer": zeeschuimer_files,
    "json": raw_json_files,
    "mediacrawler": mediacrawler_files,
    "submission": submission_files,
    "broken-bytes": broken_bytes,
}


# --------------------------------------------------------------------------- the property


def _raised_in(exc: BaseException, filename: str, function: str) -> bool:
    return any(
        f.filename.endswith(filename) and f.name == function
        for f in traceback.extract_tb(exc.__traceback__)
    )


def import_one(
    engine: Engine, config: TrackerConfig, folder: Path, made: FileMaker, known: list[str]
) -> None:
    name, data = made
    path = folder / name
    path.write_bytes(data)
    try:
        report = import_paths(engine, [path], config=config, now=NOW)
    except TrackerError:
        return  # the whole file is unreadable: one clear error, nothing half-imported
    finally:
        path.unlink()
    reject = Reject.__table__
    with engine.connect() as conn:
        stored = conn.execute(
            select(reject.c.reason, reject.c.payload).where(reject.c.run_id == report.run_id)
        ).all()
    assert all(r.reason and r.reason.strip() for r in stored)
    assert all(isinstance(r.payload, str) for r in stored)
    # Every reject counted (file-level errors included) is in the reject table with its reason.
    assert report.counts.rejected == len(stored), (len(stored), report.counts.rejected)


def fuzz_format(db: Engine, config: TrackerConfig, fmt: str, examples: int, derand: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="import-fuzz-"))
    known: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=derand,
        suppress_health_check=list(HealthCheck),
    )
    @given(made=FORMATS[fmt]())
    def check(made: FileMaker) -> None:
        import_one(db, config, folder, made, known)

    check()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_import_fuzz(db: Engine, config: TrackerConfig, fmt: str) -> None:
    fuzz_format(db, config, fmt, SHORT, derand=True)


@pytest.mark.long
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_import_fuzz_long(db: Engine, config: TrackerConfig, fmt: str) -> None:
    fuzz_format(db, config, fmt, LONG, derand=False)
