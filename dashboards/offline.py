"""Keeping plotly's map charts off the network.

plotly.js fetches a world base map (``world_110m.json``) from its CDN for every ``geo`` subplot
whose trace has a ``locationmode`` — and a GeoJSON choropleth has one (``geojson-id``) — even
with every base layer hidden. It skips the fetch when ``window.PlotlyGeoAssets.topojson`` already
holds that name. We draw our own prefecture outlines and show no base layers, so an empty
topology is all it needs: with it the report opened from ``file://`` makes no request and logs
no error, and the dashboard (which ships the same script in ``assets/``) stays intranet-only.
"""

from __future__ import annotations

import json

__all__ = ["GEO_ASSETS_JS", "empty_topology"]

_LAYERS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
_NAMES = ("world_110m", "world_50m")


def empty_topology() -> dict:
    return {
        "type": "Topology",
        "objects": {name: {"type": "GeometryCollection", "geometries": []} for name in _LAYERS},
        "arcs": [],
    }


GEO_ASSETS_JS = (
    "/* Offline plotly maps: an empty base topology so plotly.js never fetches one. */\n"
    "(function () {\n"
    "  var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};\n"
    "  assets.topojson = assets.topojson || {};\n"
    f"  var empty = {json.dumps(empty_topology(), separators=(',', ':'))};\n"
    f"  {json.dumps(list(_NAMES))}.forEach(function (name) {{\n"
    "    if (!assets.topojson[name]) { assets.topojson[name] = empty; }\n"
    "  });\n"
    "})();\n"
)
