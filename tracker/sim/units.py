"""The organisations of the simulated world and the ``units.csv`` registry that lists them.

The campaign is organised by Guangdong's provincial science association with 25 other
departments; the 21 city associations and the provincial societies summarise their members'
work. The simulated world mirrors that: every account that belongs to an organisation carries the
unit's name, and ``units.csv`` (one row per linked account) is what a user would hand the tracker
as ``config/units.csv``. The reference lists are embedded here (they are small) so the package
needs no data files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.regions import GUANGDONG_PREFECTURES
from tracker.safe_files import atomic_text_output

if TYPE_CHECKING:
    from tracker.sim.world import World

UNIT_KINDS = ("city_association", "society", "university", "department", "media", "enterprise")


ORGANISING_DEPARTMENTS: tuple[str, ...] = (
    "广东省科学技术协会",
    "中共广东省委宣传部",
    "中共广东省委网络安全和信息化委员会办公室",
    "广东省教育厅",
    "广东省科学技术厅",
    "广东省工业和信息化厅",
    "广东省自然资源厅",
    "广东省生态环境厅",
    "广东省交通运输厅",
    "广东省水利厅",
    "广东省农业农村厅",
    "广东省卫生健康委员会",
    "广东省应急管理厅",
    "广东省人民政府国有资产监督管理委员会",
    "广东省市场监督管理局",
    "广东省林业局",
    "中国科学院广州分院",
    "广东省科学院",
    "广东省总工会",
    "共青团广东省委员会",
    "广东省妇女联合会",
    "广东省作家协会",
    "广东省工商业联合会",
    "广东省地震局",
    "广东省气象局",
    "广东省消防救援总队",
)
"""The 26 co-organising provincial departments named in the 2024 notice."""

SOCIETIES: tuple[str, ...] = (
    "广东省气象学会",
    "广东省地震学会",
    "广东省天文学会",
    "广东省医学会",
    "广东省药学会",
    "广东省营养学会",
    "广东省海洋学会",
    "广东省林学会",
    "广东省水利学会",
    "广东省农学会",
    "广东省计算机学会",
    "广东省电子学会",
    "广东省机械工程学会",
    "广东省化学会",
    "广东省物理学会",
    "广东省动物学会",
    "广东省植物学会",
    "广东省昆虫学会",
    "广东省地质学会",
    "广东省环境科学学会",
    "广东省心理学会",
    "广东省护理学会",
    "广东省预防医学会",
    "广东省中医药学会",
    "广东省科普作家协会",
    "广东省土木建筑学会",
    "广东省自动化学会",
    "广东省人工智能学会",
)

UNIVERSITIES: tuple[tuple[str, str], ...] = (
    ("中山大学", "广州市"),
    ("华南理工大学", "广州市"),
    ("暨南大学", "广州市"),
    ("华南师范大学", "广州市"),
    ("华南农业大学", "广州市"),
    ("南方医科大学", "广州市"),
    ("广东工业大学", "广州市"),
    ("广州大学", "广州市"),
    ("南方科技大学", "深圳市"),
    ("深圳大学", "深圳市"),
    ("汕头大学", "汕头市"),
    ("广东海洋大学", "湛江市"),
    ("广东医科大学", "湛江市"),
    ("岭南师范学院", "湛江市"),
    ("五邑大学", "江门市"),
    ("韶关学院", "韶关市"),
    ("嘉应学院", "梅州市"),
    ("惠州学院", "惠州市"),
    ("肇庆学院", "肇庆市"),
    ("东莞理工学院", "东莞市"),
    ("佛山科学技术学院", "佛山市"),
    ("广东石油化工学院", "茂名市"),
    ("韩山师范学院", "潮州市"),
)

MEDIA: tuple[tuple[str, str], ...] = (
    ("南方日报", "广州市"),
    ("羊城晚报", "广州市"),
    ("广州日报", "广州市"),
    ("广东广播电视台", "广州市"),
    ("深圳特区报", "深圳市"),
)

ENTERPRISES: tuple[tuple[str, str], ...] = (
    ("中国南方电网", "广州市"),
    ("广汽集团", "广州市"),
    ("比亚迪", "深圳市"),
    ("美的集团", "佛山市"),
    ("格力电器", "珠海市"),
)


@dataclass(frozen=True, slots=True)
class Unit:
    """An organisation; ``short`` is the name its official accounts use."""

    name: str
    kind: str
    city: str
    short: str


def _city_short(city: str) -> str:
    return city.removesuffix("市")


def build_units() -> tuple[Unit, ...]:
    """Every unit of the world, in a fixed order (the order is part of the seeded world)."""
    units: list[Unit] = []
    for _adcode, city in GUANGDONG_PREFECTURES:
        units.append(
            Unit(f"{city}科学技术协会", "city_association", city, f"{_city_short(city)}科协")
        )
    for name in SOCIETIES:
        units.append(Unit(name, "society", "广州市", name.removeprefix("广东省")))
    for name, city in UNIVERSITIES:
        units.append(Unit(name, "university", city, name))
    for name in ORGANISING_DEPARTMENTS:
        units.append(Unit(name, "department", "广州市", name))
    for name, city in MEDIA:
        units.append(Unit(name, "media", city, name))
    for name, city in ENTERPRISES:
        units.append(Unit(name, "enterprise", city, name))
    return tuple(units)


UNITS: tuple[Unit, ...] = build_units()
UNITS_BY_NAME: dict[str, Unit] = {u.name: u for u in UNITS}

UNITS_CSV_COLUMNS = ("unit", "kind", "city", "platform", "account_id", "url")


def unit_rows(world: World) -> Iterator[dict[str, str]]:
    """One row per (unit, linked account); a unit with no account gets one row without one.

    Bounded by the world's linked-account cap, not by its scale, so a 10^6-post world still
    writes a registry a person could review.
    """
    linked: dict[str, list[dict[str, str]]] = {u.name: [] for u in UNITS}
    for account in world.linked_accounts():
        assert account.unit is not None
        linked[account.unit].append(
            {
                "platform": account.platform,
                "account_id": account.uid,
                "url": world.account_url(account),
            }
        )
    for unit in UNITS:
        base = {"unit": unit.name, "kind": unit.kind, "city": unit.city}
        rows = linked[unit.name]
        if not rows:
            yield {**base, "platform": "", "account_id": "", "url": ""}
        for row in rows:
            yield {**base, **row}


def write_units_csv(world: World, path: str | Path) -> int:
    """Write ``units.csv`` (plain UTF-8, header first); returns the number of data rows.

    Atomically and checked like every output: ``tracker sim units -o config/units.csv`` must
    not replace the staff's own registry (``tracker.safe_files``).
    """
    count = 0
    with atomic_text_output(path, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=UNITS_CSV_COLUMNS)
        writer.writeheader()
        for row in unit_rows(world):
            writer.writerow(row)
            count += 1
    return count
