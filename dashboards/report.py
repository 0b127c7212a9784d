"""The one-file HTML report: string templates, ``html.escape`` on every value, plotly.js once.

The report is what campaign staff email to their superiors and open on a disconnected office
PC, so the file must be complete on its own: plotly.js is inlined once in the head (about
4.8 MB, from the installed package, never a CDN) with its Chinese toolbar text right after it
(``dashboards.plotly_locale``), every chart is a ``div`` plus a small script,
fonts are the viewer's own (a CJK stack, no web fonts) and nothing refers to the network. It
prints on A4 landscape (print CSS hides the chart toolbars and keeps charts on one page).

Everything from platforms is untrusted: titles, names and URLs are escaped, and only ``http``
and ``https`` links become anchors.
"""

from __future__ import annotations

import copy
import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import convert_to_base64, is_skipped_key  # type: ignore[import-untyped]
from plotly.offline import get_plotlyjs

from dashboards.figures import FONT_FAMILY, PLOTLY_CONFIG
from dashboards.offline import GEO_ASSETS_JS
from dashboards.plotly_locale import PLOTLY_LOCALE_JS

__all__ = [
    "Column",
    "ReportData",
    "Section",
    "figure_html",
    "render_report",
    "safe_link",
    "table_html",
]

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: source column, Chinese header, formatter ("int", "float1", "pct",
    "time", "text", "link" or a callable returning escaped HTML)."""

    key: str
    title: str
    fmt: str | Callable[[Any, Mapping[str, Any]], str] = "text"
    numeric: bool = False
    wrap: bool = False  # long text (titles, reasons) may wrap; other cells stay on one line


@dataclass
class Section:
    id: str
    title: str
    body: str  # trusted HTML built by this module's helpers
    lead: str | None = None  # plain text, escaped on output


@dataclass
class ReportData:
    """Everything the page shows, already computed (the service fills it)."""

    title: str
    subtitle: str
    generated_at: datetime
    cards: list[tuple[str, str, str]]  # (label, value, note) plain text
    sections: list[Section] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    """The read model's figures (``tracker.readmodel.summary``), embedded as JSON so the numbers
    on the page can be read back by a machine and checked against every other output."""


# --- value formatting ---------------------------------------------------------------------------


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def fmt_value(v: Any, fmt: str) -> str:
    """Plain text for one cell (not yet escaped)."""
    if _missing(v):
        return "—"
    if fmt == "int":
        return f"{float(v):,.0f}"
    if fmt == "float1":
        return f"{float(v):,.1f}"
    if fmt == "float2":
        return f"{float(v):,.2f}"
    if fmt == "pct":
        return f"{100 * float(v):.1f}%"
    if fmt == "time":
        ts = pd.Timestamp(v)
        if ts.tzinfo is None:
            ts = ts.tz_localize("UTC")
        return ts.tz_convert(BEIJING).strftime("%Y-%m-%d %H:%M")
    if fmt == "bool":
        return "是" if bool(v) else "否"
    return " ".join(str(v).split())


def safe_link(url: Any, text: str) -> str:
    """An anchor for http(s) URLs only; anything else shows as plain escaped text."""
    label = html.escape(text)
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return (
            f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer" '
            f'target="_blank">{label}</a>'
        )
    return label


def table_html(
    df: pd.DataFrame, columns: Sequence[Column], *, empty: str = "暂无数据", caption: str = ""
) -> str:
    if df is None or df.empty:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th{_cls(c)}>{html.escape(c.title)}</th>" for c in columns)
    rows = []
    for rec in df.to_dict("records"):
        cells = []
        for c in columns:
            v = rec.get(c.key)
            if callable(c.fmt):
                cell = c.fmt(v, rec)
            else:
                cell = html.escape(fmt_value(v, c.fmt))
            cells.append(f"<td{_cls(c)}>{cell}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _cls(c: Column) -> str:
    names = [n for n, on in (("num", c.numeric), ("wrap", c.wrap)) if on]
    return f' class="{" ".join(names)}"' if names else ""


def figure_html(fig: go.Figure, div_id: str) -> str:
    """A chart without plotly.js (the page inlines it once)."""
    body = pio.to_html(
        _figure_dict(fig),
        validate=False,  # the figure validated every property when it was set
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=copy.deepcopy(PLOTLY_CONFIG),  # plotly edits the dict it is given
        div_id=div_id,
        default_width="100%",
    )
    return f'<figure class="chart">{body}</figure>'


def _figure_dict(fig: go.Figure) -> dict[str, Any]:
    """What ``fig.to_dict()`` gives, without its deep copy of every property.

    The copy is there so that the typed-array conversion cannot change the figure; copying the
    containers does that too, and the map's boundaries (under a key the conversion skips, and
    only read from here on) are shared instead of copied: copying them cost more than the rest
    of the report's charts together.
    """
    if fig.frames:  # no report chart is animated; keep plotly's own path for one that is
        return fig.to_dict()
    res = {"data": _containers(fig._data), "layout": _containers(fig._layout)}
    convert_to_base64(res)
    return res


def _containers(value: Any) -> Any:
    """``value`` with its dicts and lists copied; leaves, and what the typed-array conversion
    never enters, shared."""
    if isinstance(value, dict):
        return {k: v if is_skipped_key(k) else _containers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_containers(v) for v in value)
    return value


def paragraphs(lines: Sequence[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return "".join(f"<p{attr}>{html.escape(line)}</p>" for line in lines)


def bullet_list(lines: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>"


# --- the page -----------------------------------------------------------------------------------

_CSS = """
:root { --ink:#1f2328; --muted:#5f6b7a; --line:#e3e7ee; --accent:#1d4f91; --bg:#f6f8fb; }
* { box-sizing: border-box; }
html { font-family: %(font)s; color: var(--ink); background: var(--bg); }
body { margin: 0; line-height: 1.6; }
header.top { background: var(--accent); color: #fff; padding: 22px 32px 18px; }
header.top h1 { margin: 0 0 4px; font-size: 24px; }
header.top p { margin: 0; opacity: .9; }
nav.toc { background: #fff; border-bottom: 1px solid var(--line); padding: 8px 32px; position: sticky;
  top: 0; z-index: 10; }
nav.toc a { color: var(--accent); margin-right: 18px; text-decoration: none; white-space: nowrap; }
main { max-width: 1040px; margin: 0 auto; padding: 16px 16px 40px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px;
  margin: 16px 0; }
section h2 { margin: 0 0 8px; font-size: 19px; color: var(--accent); }
section h3 { margin: 16px 0 6px; font-size: 16px; }
p.lead { color: var(--muted); margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: #fbfcfe; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .note { color: var(--muted); font-size: 12px; }
figure.chart { margin: 8px 0 16px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%%; font-size: 13px; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top;
  white-space: nowrap; }
td.wrap { white-space: normal; min-width: 16em; max-width: 28em; }
th { background: #f0f3f8; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td a { color: var(--accent); }
p.empty { color: var(--muted); }
.method p { margin: 4px 0; }
footer { color: var(--muted); font-size: 12px; max-width: 1040px; margin: 0 auto; padding: 0 16px 32px; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  html, body { background: #fff; }
  nav.toc, .modebar, .modebar-container, .updatemenu-container { display: none !important; }
  header.top { background: #fff; color: var(--ink); border-bottom: 2px solid var(--accent); padding: 0 0 8px; }
  main { max-width: none; padding: 0; }
  section { border: none; padding: 0; margin: 0 0 10mm; break-inside: auto; }
  section h2 { break-after: avoid; }
  figure.chart, .card, tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""

_RESIZE_SCRIPT = """
(function () {
  function resizeAll() {
    if (!window.Plotly) { return; }
    document.querySelectorAll('.js-plotly-plot').forEach(function (el) { Plotly.Plots.resize(el); });
  }
  window.addEventListener('beforeprint', resizeAll);
  if (window.matchMedia) {
    var mq = window.matchMedia('print');
    if (mq.addEventListener) { mq.addEventListener('change', resizeAll); }
  }
})();
"""


def _figures_script(figures: dict[str, Any]) -> str:
    """The figures as an inert JSON block (``<`` escaped, so no text can close the tag)."""
    if not figures:
        return ""
    text = json.dumps(figures, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return f'<script type="application/json" id="report-figures">{text}</script>'


def render_report(data: ReportData) -> str:
    """The whole page as one string (plotly.js inlined once in the head)."""
    toc = '<a href="#headline">核心数据</a>' + "".join(
        f'<a href="#{html.escape(s.id)}">{html.escape(s.title)}</a>' for s in data.sections
    )
    cards = "".join(
        '<div class="card">'
        f'<div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div>'
        + (f'<div class="note">{html.escape(note)}</div>' if note else "")
        + "</div>"
        for label, value, note in data.cards
    )
    body = []
    for s in data.sections:
        lead = f'<p class="lead">{html.escape(s.lead)}</p>' if s.lead else ""
        body.append(
            f'<section id="{html.escape(s.id)}"><h2>{html.escape(s.title)}</h2>{lead}{s.body}</section>'
        )
    generated = data.generated_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    footer = "".join(f"<p>{html.escape(x)}</p>" for x in data.footer)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="kepu-tracker">'
        f"<title>{html.escape(data.title)}</title>"
        f"<style>{_CSS % {'font': FONT_FAMILY}}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        f"<script>{PLOTLY_LOCALE_JS}</script>"
        f"<script>{GEO_ASSETS_JS}</script>"
        "</head><body>"
        f'<header class="top"><h1>{html.escape(data.title)}</h1>'
        f"<p>{html.escape(data.subtitle)}</p>"
        f"<p>生成时间：{html.escape(generated)}（北京时间）</p></header>"
        f'<nav class="toc">{toc}</nav>'
        f'<main><section id="headline"><h2>核心数据</h2><div class="cards">{cards}</div></section>'
        + "".join(body)
        + f"</main><footer>{footer}</footer>"
        f"<script>{_RESIZE_SCRIPT}</script>" + _figures_script(data.figures) + "</body></html>\n"
    )
