"""Who has not reported: the registry minus units with any work or submission."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from tracker.membership.unreported import (
    NO_CITY,
    PROVINCIAL_GROUP,
    load_unreported,
    unreported_units,
)

from ..helpers.oracle import unreported_by_sql
from ..helpers.worlds import SimDB

CAMPAIGN = "千万IP创科普2024"


def test_unreported_equals_registry_minus_units_with_work_or_submission(
    sim_db_copy: SimDB,
) -> None:
    engine = sim_db_copy.engine
    with engine.begin() as conn:
        # A unit that only sent a submission (its work's account is not known) has reported.
        silent = conn.execute(
            text(
                "SELECT u.name FROM unit u WHERE u.id NOT IN (SELECT au.unit_id FROM account_unit au"
                " JOIN post p ON p.platform = au.platform AND p.account_uid = au.platform_uid)"
                " ORDER BY u.id LIMIT 1"
            )
        ).scalar_one()
        conn.execute(
            text(
                "UPDATE post_campaign SET matched_by = 'submission', matched_value = :u"
                " WHERE rowid = (SELECT MIN(rowid) FROM post_campaign)"
            ),
            {"u": silent},
        )
    want = unreported_by_sql(engine, CAMPAIGN)
    assert silent not in want
    with engine.connect() as conn:
        got = load_unreported(conn, CAMPAIGN)
    assert len(want) > 0
    assert set(got["unit_name"]) == want
    assert got["unit_name"].is_unique
    # grouped: 省直单位 apart, then cities; no missing values in staff-facing columns
    provincial = got[got["unit_kind"] == "department"]
    assert (provincial["group"] == PROVINCIAL_GROUP).all()
    others = got[got["unit_kind"] != "department"]
    assert (others["group"] != PROVINCIAL_GROUP).all()
    assert not got[["group", "city", "unit_kind_zh", "person", "accounts"]].isna().any().any()
    text_cells = got[["group", "city", "unit_kind_zh", "person", "accounts"]].astype(str)
    assert not text_cells.isin(["nan", "None"]).any().any()
    groups = list(dict.fromkeys(got["group"]))
    assert groups == sorted(groups, key=lambda g: (g != PROVINCIAL_GROUP, g == NO_CITY, g))


def test_pure_function_on_hand_made_frames() -> None:
    units = pd.DataFrame(
        {
            "unit_id": [1, 2, 3, 4, 5, 6],
            "unit_name": ["甲市科协", "乙学会", "省卫健委", "丙大学", "丁中学", "省教育厅"],
            "unit_kind": ["city_association", "society", "department", "university", "school",
                          "department"],
            "city": ["深圳市", "深圳市", "广州市", None, "广州市", "广州市"],
        }
    )  # fmt: skip
    account_units = pd.DataFrame(
        {
            "platform": ["weibo", "weibo", "douyin", "bilibili"],
            "platform_uid": ["a1", "a2", "d3", "b4"],
            "unit_id": [1, 2, 3, 3],
            "person": ["张三", None, "李四", "李四"],
        }
    )
    works = pd.DataFrame({"platform": ["weibo"], "account_uid": ["a1"]})
    submissions = pd.DataFrame({"matched_value": ["丁中学 ", None]})
    got = unreported_units(units, account_units, works, submissions)
    assert list(got["unit_name"]) == ["省卫健委", "省教育厅", "乙学会", "丙大学"]
    assert list(got["group"]) == [PROVINCIAL_GROUP, PROVINCIAL_GROUP, "深圳市", NO_CITY]
    row = got.set_index("unit_name").loc["省卫健委"]
    assert row["person"] == "李四"
    assert row["accounts"] == "抖音 d3、哔哩哔哩 b4"
    assert got.set_index("unit_name").loc["乙学会", "person"] == "—"
    assert got.set_index("unit_name").loc["省教育厅", "accounts"] == "—"
    assert unreported_units(units.iloc[:0], None, None).empty
