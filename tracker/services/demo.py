"""``tracker demo``: the whole job, end to end, on a simulated world, in one command.

A newcomer sees every door work without a cookie or a network: the simulator plays the six
live platforms on loopback, every live connector collects from it with the development signer,
a units' submission list is imported (its article pages fetched from the simulator), metrics are
refreshed a virtual day later, works are ranked, and the report and the commendation workbooks
are written. It always uses a fresh ``DIR/tracker.db``, never the user's database.

A campaign is collected on many days, and the notice's lists are due on fixed dates while
collection goes on: the demo collects twice (:data:`DEMO_COLLECTIONS`), on the first deadline
(9-27) and on the campaign's last day (9-30), before the import and the refresh. So the
database has works first seen on either side of the deadline and works read on both days, and
``tracker pack --as-of 2024-09-27`` (one of the :func:`next_commands`) shows a real cut.

The report is presentation, above this use case: the command line passes its builder in as
``write_report`` (:class:`ReportWriter`), so the demo runs the step without importing it.

The demo world looks like the campaign: no hostile test strings in titles (only ``--faults
hostile`` plants them) and no platform the campaign does not cover. The shipped TikTok capture
(:func:`capture_sample_path`, a real Zeeschuimer file) is imported only when the campaign
configures a ``tiktok`` platform; the import path itself is covered by the test suite.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from connectors import catalogue
from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import TrackerConfig, load_units, read_units_text
from tracker.http import HttpSettings
from tracker.imports.online import HttpArticleFetcher
from tracker.imports.service import import_paths
from tracker.safe_files import atomic_output_path, atomic_text_output, check_output
from tracker.services.collect import (
    CollectOptions,
    PageCallback,
    PlatformResult,
    collect,
    refresh_platform,
)
from tracker.services.comments import collect_comments
from tracker.services.database import init_database
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth
from tracker.sim.units import write_units_csv
from tracker.store.engine import make_engine, sqlite_url
from tracker.store.models import Post, PostCampaign
from tracker.store.stored_config import StoredTexts

if TYPE_CHECKING:
    from tracker.services.rank import RankingHandoff

DEMO_SEED = 2024
DEMO_DEADLINE = date(2024, 9, 27)
"""The notice's first deadline (Beijing): the day the demo's first collection runs and the
day of the deadline pack among the next commands."""
DEMO_START = datetime(2024, 9, 30, 12, 0, tzinfo=UTC)
"""Virtual time of the last collection: the evening of the campaign's last day (Beijing). The
import runs at this time and the refresh a virtual day later."""
DEMO_COLLECTIONS = (datetime(2024, 9, 27, 4, 0, tzinfo=UTC), DEMO_START)
"""Virtual times of the demo's collections: noon (Beijing) of the deadline day, when works
published later are not yet on the platforms, then :data:`DEMO_START`."""
BEIJING = ZoneInfo("Asia/Shanghai")

CAPTURE_SAMPLE = "tiktok-test.ndjson"
CAPTURE_PLATFORM = "tiktok"

Step = Callable[[str], None]


class WrittenReport(Protocol):
    """What the demo tells the user about the report it wrote."""

    path: Path
    works: int
    size_bytes: int


class ReportWriter(Protocol):
    """Writes the HTML report of ``engine``'s data to ``out_path`` as of ``now``; ``ranking``
    is the demo's own ranking of the same data, which the writer may take instead of ranking
    again."""

    def __call__(
        self,
        engine: Engine,
        config: TrackerConfig,
        out_path: Path,
        *,
        now: datetime,
        ranking: RankingHandoff | None = None,
    ) -> WrittenReport: ...


@dataclass(slots=True)
class DemoSummary:
    out_dir: Path
    database: Path
    steps: list[tuple[str, str, float]] = field(default_factory=list)
    per_platform: dict[str, dict[str, int]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    generated_at: datetime | None = None
    """The simulator's virtual "now" when the report and lists were written: the one clock of
    every time the demo shows, never the machine's."""

    def as_json(self) -> dict[str, Any]:
        generated = self.generated_at.astimezone(BEIJING).isoformat() if self.generated_at else None
        return {
            "out_dir": str(self.out_dir),
            "database": str(self.database),
            "generated_at": generated,
            "steps": [{"step": s, "result": r, "seconds": round(t, 2)} for s, r, t in self.steps],
            "per_platform": self.per_platform,
            "files": [str(p) for p in self.files],
        }


DB_FILES = ("", "-wal", "-shm", ".scheduler.lock")
WORKBOOKS = {
    "works": "优质作品.xlsx",
    "creators": "创作者.xlsx",
    "units": "组织单位.xlsx",
    "summary": "活动汇总.xlsx",
}
SUBMISSION_SAMPLE = Path("samples") / "单位报送表.xlsx"


def demo_outputs(out_dir: Path) -> list[Path]:
    """Every file the demo deletes or writes in ``out_dir``."""
    names = [f"tracker.db{suffix}" for suffix in DB_FILES]
    names += ["units.csv", str(SUBMISSION_SAMPLE), *WORKBOOKS.values(), "report.html"]
    return [out_dir / name for name in [*names, "summary.json"]]


def _check_outputs(out_dir: Path) -> None:
    """Refuse before anything is deleted when ``--out`` holds a file the demo must not touch.

    The demo starts by deleting ``DIR/tracker.db``: ``tracker demo --out data`` would delete
    the staff's real ``data/tracker.db``, and ``--out config`` would overwrite ``units.csv``.
    """
    for path in demo_outputs(out_dir):
        check_output(path)


def _fresh_database(path: Path) -> None:
    for suffix in DB_FILES:
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            candidate.unlink()


def _sim_options(sim: SimServer, platforms: list[str] | None = None) -> CollectOptions:
    return CollectOptions(
        platforms=platforms,
        base_urls=sim.base_urls,
        signer="dev",
        clock=lambda: sim.now,
        # The simulator's Retry-After values are short; waiting them out keeps the demo honest
        # about what the collector does, and the faults profile decides how often.
        http_overrides={
            "rate_per_s": None,
            "timeout_s": 5.0,
            "backoff_initial_s": 0.05,
            "max_attempts": 8,
            # The simulator's blocks clear on the next try; a real platform's pause
            # (block_pause_s, minutes) would keep `demo --faults hostile` from finishing.
            "block_pause_s": 0.2,
        },
    )


def _collect_all(
    engine: Engine,
    config: TrackerConfig,
    sim: SimServer,
    on_page: PageCallback | None,
    max_runs: int = 6,
) -> list[PlatformResult]:
    """Collect every live platform; platforms stopped by a fault resume from their cursor."""
    final: dict[str, PlatformResult] = {}
    pending = list(catalogue.live_platforms())
    for _ in range(max_runs):
        for r in collect(engine, config, _sim_options(sim, pending), on_page):
            final[r.platform] = r
        pending = [p for p in pending if final[p].status != "ok"]
        if not pending:
            break
    return [final[p] for p in catalogue.live_platforms() if p in final]


def _collect_result(results: list[PlatformResult]) -> str:
    """One collection's line: platforms done, works new to the database, works read again."""
    ok = sum(r.status == "ok" for r in results)
    new = sum(r.counts.new for r in results)
    again = sum(r.counts.updated for r in results)
    done = f"{ok}/{len(catalogue.live_platforms())} 个平台完成，新增作品 {new} 条"
    return f"{done}，再次读取 {again} 条" if again else done


def write_submission_sample(sim: SimServer, path: Path, per_site: int = 8) -> int:
    """A units' submission list, filled in the way units fill it: one row per reported work."""
    wb = Workbook()
    ws = wb.active
    ws.title = "报送作品"
    ws.append(["2024年全国科普日 #千万IP创科普# 优质作品报送表"])
    ws.append(
        [
            "单位",
            "平台",
            "作品链接",
            "作者/账号",
            "发布时间",
            "阅读量/播放量",
            "点赞",
            "评论",
            "转发",
        ]
    )
    rows = 0
    units = ["广州市科学技术协会", "深圳市科学技术协会", "广东省气象学会", "中山大学"]
    for site in catalogue.platforms_of_kind("article"):
        truth = [
            t for t in iter_world_truth(sim.world, sim.now, platforms=[site]) if not t["deleted"]
        ]
        for i, t in enumerate(truth[:per_site]):
            views = (i + 3) * 1234
            ws.append(
                [
                    t["unit"] or units[i % len(units)],
                    PLATFORM_NAMES_ZH[site],
                    t["url"],
                    t["account_name"],
                    t["published_at"][:16].replace("T", " "),
                    views,
                    views // 20,
                    views // 200,
                    views // 500,
                ]
            )
            rows += 1
    with atomic_output_path(path) as tmp:
        wb.save(tmp)
    return rows


def capture_sample_path() -> Path:
    return Path(str(resources.files("tracker.demo_data").joinpath(CAPTURE_SAMPLE)))


def _count_works(engine: Engine) -> dict[str, dict[str, int]]:
    post, link = Post.__table__, PostCampaign.__table__
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for platform, n in conn.execute(
            select(post.c.platform, func.count()).group_by(post.c.platform)
        ):
            out.setdefault(platform, {})["works"] = n
        q = (
            select(link.c.platform, func.count(func.distinct(link.c.platform_post_id)))
            .where(link.c.excluded.is_(False))
            .group_by(link.c.platform)
        )
        for platform, n in conn.execute(q):
            out.setdefault(platform, {})["campaign_works"] = n
    return out


def pack_folder(deadline: date) -> str:
    """The deadline pack's folder name, as staff would name it: ``截止9月27日``."""
    return f"截止{deadline.month}月{deadline.day}日"


def next_commands(database: Path) -> list[str]:
    """The commands to run next on the demo's database, exactly as a shell takes them.

    Each names the database with ``--db``, so they work from this folder even without a
    ``config/`` here (the demo stores its config in the database). The demo's works are not
    reviewed, so the lists include unreviewed works. The pack is the first deadline's, which
    the demo's first collection precedes.
    """
    db = shlex.quote(str(database))
    return [
        f"tracker --db {db} status",
        f"tracker --db {db} rank works --top 20 --include-unreviewed",
        f"tracker --db {db} export works --include-unreviewed -o 优质作品.xlsx",
        f"tracker --db {db} report -o 报告.html",
        f"tracker --db {db} pack --as-of {DEMO_DEADLINE.isoformat()} "
        f"-o {pack_folder(DEMO_DEADLINE)}",
        f"tracker --db {db} dashboard",
    ]


def collection_step(at: datetime) -> str:
    """The console's name of the collection at ``at``: its Beijing day, so staff see which
    collection precedes the deadline."""
    day = at.astimezone(BEIJING)
    return f"采集六个平台（{day.month}月{day.day}日，模拟器）"


def run_demo(
    config: TrackerConfig,
    out_dir: Path,
    *,
    write_report: ReportWriter,
    scale: int = 200,
    faults: str = "none",
    seed: int = DEMO_SEED,
    on_step: Step | None = None,
    on_page: PageCallback | None = None,
    config_text: str | None = None,
    config_source: str | None = None,
) -> DemoSummary:
    """Run the demo into ``out_dir``. ``config_text`` (the text ``config`` was read from) is
    stored in the demo database with its units registry, so ``tracker --db DIR/tracker.db``
    works from any folder. ``write_report`` writes ``report.html`` (the report builder of the
    presentation layer)."""
    from tracker.exports.service import export_list
    from tracker.ranking.selection import Selection
    from tracker.services.rank import rank_for_handoff

    _check_outputs(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "tracker.db"
    _fresh_database(db_path)
    summary = DemoSummary(out_dir, db_path)

    def step(name: str, fn: Callable[[], str]) -> None:
        if on_step:
            on_step(name)
        started = time.perf_counter()
        result = fn()
        summary.steps.append((name, result, time.perf_counter() - started))

    with SimServer(seed=seed, scale=scale, faults=faults, clock=DEMO_COLLECTIONS[0]) as sim:
        units_csv = out_dir / "units.csv"
        write_units_csv(sim.world, units_csv)
        url = sqlite_url(db_path)  # a folder named "演示 输出%" is a path, not URL syntax
        texts = None
        if config_text is not None:
            texts = StoredTexts(
                config_text, read_units_text(units_csv), config_source, str(units_csv)
            )
        init_database(url, config, load_units(units_csv), texts, now=sim.now)
        engine = make_engine(url)
        try:

            def collect_at(at: datetime) -> Callable[[], str]:
                """The collection step at virtual time ``at`` (the clock is set when it runs)."""

                def do_collect() -> str:
                    sim.set_clock(at)
                    return _collect_result(_collect_all(engine, config, sim, on_page))

                return do_collect

            for at in DEMO_COLLECTIONS:
                step(collection_step(at), collect_at(at))

            submission = out_dir / SUBMISSION_SAMPLE

            def do_import() -> str:
                rows = write_submission_sample(sim, submission)
                # An import dates a file's rows by the file's modification time: the sample
                # was made in the virtual world, so it carries the virtual clock.
                made = sim.now.timestamp()
                os.utime(submission, (made, made))
                fetcher = HttpArticleFetcher(
                    base_urls=sim.base_urls, settings=HttpSettings(rate_per_s=None, timeout_s=5.0)
                )
                paths = [submission]
                capture = config.platforms.get(CAPTURE_PLATFORM)
                if capture is not None and capture.enabled:  # no platform outside the campaign
                    paths.insert(0, capture_sample_path())
                try:
                    report = import_paths(
                        engine,
                        paths,
                        config=config,
                        articles=fetcher,
                        now=sim.now,
                    )
                finally:
                    fetcher.close()
                c = report.counts
                what = "抓包 + 报送表" if len(paths) > 1 else "报送表"
                return f"{what}（{rows} 行）：新增 {c.new}，更新 {c.updated}，拒收 {c.rejected}"

            step("导入单位报送表", do_import)

            def do_refresh() -> str:
                sim.advance(86_400)
                options = _sim_options(sim)
                refreshed = [
                    refresh_platform(engine, config, p, options, timedelta(days=14))
                    for p in catalogue.live_platforms()
                ]
                snaps = sum(r.counts.items_read for r in refreshed)
                return f"一天后重新读取 {snaps} 条作品的指标（追加快照）"

            step("指标刷新（虚拟时间 +1 天）", do_refresh)

            def do_comments() -> str:
                read = collect_comments(engine, config, _sim_options(sim))
                comments = sum(int(r.counts.detail.get("comments", 0)) for r in read)
                works = sum(len(r.counts.detail.get("read", {})) for r in read)
                return f"读取 {works} 个作品的评论 {comments} 条（作品互动）"

            step("评论读取", do_comments)

            # The lists and the report use one ranking: nothing is written to the database
            # between this step and the report.
            ranked_holder: dict[str, RankingHandoff] = {}

            def do_rank() -> str:
                ranking = rank_for_handoff(engine, config, include_unreviewed=True, now=sim.now)
                ranked_holder["ranking"] = ranking
                r = ranking.ranked.result
                return f"作品 {len(r.works)}，创作者 {len(r.creators)}，单位 {len(r.units)}"

            step("评分排名", do_rank)

            def do_exports() -> str:
                ranked = ranked_holder["ranking"].ranked
                filters = Selection(include_unreviewed=True)
                names = WORKBOOKS
                for which, name in names.items():
                    path = out_dir / name
                    export_list(
                        ranked, which, filters, path, fmt="xlsx", by_city=which == "summary"
                    )
                    summary.files.append(path)
                return "、".join(names.values())

            step("导出 Excel 名单", do_exports)

            def do_report() -> str:
                result = write_report(
                    engine,
                    config,
                    out_dir / "report.html",
                    now=sim.now,
                    ranking=ranked_holder["ranking"],
                )
                summary.files.insert(0, result.path)
                return f"report.html（{result.size_bytes / 1e6:.1f} MB，{result.works} 件作品）"

            step("生成报告", do_report)
            summary.generated_at = sim.now
            summary.per_platform = _count_works(engine)
        finally:
            engine.dispose()
    summary.files.append(units_csv)
    summary.files.append(submission)
    summary_path = out_dir / "summary.json"
    with atomic_text_output(summary_path) as fh:
        fh.write(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))
    summary.files.append(summary_path)
    return summary
