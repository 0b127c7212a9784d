/* Offline plotly maps: an empty base topology so plotly.js never fetches one. */
(function () {
  var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
  assets.topojson = assets.topojson || {};
  var empty = {"type":"Topology","objects":{"coastlines":{"type":"GeometryCollection","geometries":[]},"land":{"type":"GeometryCollection","geometries":[]},"ocean":{"type":"GeometryCollection","geometries":[]},"lakes":{"type":"GeometryCollection","geometries":[]},"rivers":{"type":"GeometryCollection","geometries":[]},"countries":{"type":"GeometryCollection","geometries":[]},"subunits":{"type":"GeometryCollection","geometries":[]}},"arcs":[]};
  ["world_110m", "world_50m"].forEach(function (name) {
    if (!assets.topojson[name]) { assets.topojson[name] = empty; }
  });
})();
