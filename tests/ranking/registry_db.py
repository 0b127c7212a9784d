"""Small campaign databases described by a unit registry (test helper, not a test).

A ``World`` lists accounts (each with its works and the registry rows that name it, with or
without a contact ``person``) and works that have no account at all, as a units' list of links
imported without ``--fetch`` leaves them. ``build`` writes the config beside the database, the
registry through ``init_database`` and the works through the store's ``Ingestor``, exactly as
``tracker init`` and an import would, so the ranking reads a real SQLite file.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.config import TrackerConfig, UnitRow, load_config
from tracker.records import AccountRecord, CampaignLink, Metrics, PostRecord
from tracker.services.review import Decision, record_decisions
from tracker.store.engine import make_engine
from tracker.store.registry import campaign_ids
from tracker.store.upsert import Ingestor

from ..helpers.database import init_sqlite

REPO_ROOT = Path(__file__).resolve().parents[2]
CAPTURED = datetime(2024, 9, 20, tzinfo=UTC)
UNITS = (
    ("广州市科学技术协会", "city_association", "广州市"),
    ("深圳大学", "university", "深圳市"),
    ("广东省气象学会", "society", "广州市"),
)
"""Registry units by index; the last one may be left without any account."""


@dataclass(frozen=True)
class Work:
    """One work; ``metrics`` None is a submitted link whose figures nobody read yet."""

    title: str | None = None
    metrics: tuple[int, int, int] | None = (10, 2, 1)


@dataclass(frozen=True)
class Account:
    platform: str
    uid: str
    name: str | None = None
    works: tuple[Work, ...] = ()
    registry: tuple[tuple[int, str | None], ...] = ()
    """(unit index, person) of each registry row that lists the account."""


@dataclass(frozen=True)
class World:
    accounts: tuple[Account, ...] = ()
    accountless: tuple[tuple[str, Work], ...] = ()
    """(platform, work) of works without an account."""
    approve_every: int = 0
    """Approve every n-th work (0: leave every work pending)."""
    unit_names: tuple[str, ...] = field(default_factory=lambda: tuple(u[0] for u in UNITS))


@dataclass(frozen=True)
class BuiltWorld:
    directory: Path
    config_path: Path
    config: TrackerConfig

    @property
    def db(self) -> Path:
        return self.directory / "tracker.db"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.db}"


def registry_rows(world: World) -> list[UnitRow]:
    """The registry as ``load_units`` would read it: every unit, then one row per account link."""
    rows = [
        UnitRow(i + 2, world.unit_names[i], kind, city, None, None, None, None)
        for i, (_, kind, city) in enumerate(UNITS)
    ]
    for acc in world.accounts:
        for unit, person in acc.registry:
            _, kind, city = UNITS[unit]
            rows.append(
                UnitRow(len(rows) + 2, world.unit_names[unit], kind, city, acc.platform,
                        acc.uid, None, person)
            )  # fmt: skip
    return rows


def write_units_csv(path: Path, rows: Sequence[UnitRow]) -> None:
    """``config/units.csv`` for the CLI (the ``person`` column filled where given)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["unit", "kind", "city", "platform", "account_id", "url", "person"])
        for r in rows:
            out.writerow([r.unit, r.kind, r.city or "", r.platform or "", r.account_id or "",
                          r.url or "", r.person or ""])  # fmt: skip


def build(directory: Path, world: World) -> BuiltWorld:
    """Config, registry and database for ``world`` in ``directory`` (created)."""
    directory.mkdir(parents=True, exist_ok=True)
    config_path = directory / "campaign.toml"
    shutil.copyfile(REPO_ROOT / "config" / "campaign.toml", config_path)
    rows = registry_rows(world)
    write_units_csv(directory / "units.csv", rows)
    config = load_config(config_path)
    built = BuiltWorld(directory, config_path, config)
    init_sqlite(built.db, config, rows)
    _ingest(built, world)
    return built


def _post(platform: str, pid: str, uid: str | None, work: Work, day: int) -> PostRecord:
    metrics = Metrics()
    if work.metrics is not None:
        likes, comments, shares = work.metrics
        metrics = Metrics(views=likes * 20, likes=likes, comments=comments, shares=shares)
    return PostRecord(
        platform,
        pid,
        CAPTURED,
        account_uid=uid,
        url=f"https://example.invalid/{platform}/{pid}",
        title=work.title,
        published_at=datetime(2024, 9, 1, tzinfo=UTC) + timedelta(days=day % 28, hours=day),
        metrics=metrics,
        source="live" if uid else "submission",
    )


def _ingest(built: BuiltWorld, world: World) -> None:
    name = built.config.campaigns[0].name
    posts: list[PostRecord] = []
    accounts: list[AccountRecord] = []
    for acc in world.accounts:
        accounts.append(AccountRecord(acc.platform, acc.uid, name=acc.name, followers=100))
        for i, work in enumerate(acc.works):
            posts.append(_post(acc.platform, f"{acc.uid}w{i}", acc.uid, work, len(posts)))
    for i, (platform, work) in enumerate(world.accountless):
        posts.append(_post(platform, f"link{i}", None, work, len(posts)))
    links = [CampaignLink(p.platform, p.platform_post_id, name) for p in posts]
    engine = make_engine(built.url)
    try:
        with engine.begin() as conn:
            Ingestor(conn).ingest(
                posts=posts,
                accounts=accounts,
                links=links,
                campaign_ids=campaign_ids(conn),
                seen_at=CAPTURED,
            )
        if world.approve_every:
            chosen = posts[:: world.approve_every]
            record_decisions(
                engine,
                [Decision(p.platform, p.platform_post_id, "approved", "测试") for p in chosen],
                now=CAPTURED,
            )
    finally:
        engine.dispose()
