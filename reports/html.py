"""The page shell of every report: one self-contained HTML file that opens offline.

Role: assemble sections (escaped text, tables, Plotly figures) into a page with the
plotly.js bundle embedded once, page CSS inline, and a Content-Security-Policy that allows
only the page's own inline scripts (by hash) and no network request at all.  Figures travel
as JSON in ``<script type="application/json">`` blocks whose ``<`` characters are escaped,
so no string can end the script element.  A small script draws the figures and writes the
outcome into ``#render-status`` (``data-state`` = ``done`` or ``error``, ``data-report`` =
JSON with the figures drawn and any console error), which headless-browser tests read; the
element stays empty and hidden when every chart is drawn and names the failure otherwise.

Every string from a user's file goes through :func:`esc` (HTML text) or is wrapped as
:class:`Markup` only after being built from escaped parts.  Must not import simpy, pyomo,
``sim`` or ``optimizer``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs


class Markup(str):
    """An HTML fragment already built from escaped parts; :func:`esc` passes it through."""

    __slots__ = ()


def esc(value: object) -> Markup:
    """Escape text for HTML (``&``, ``<``, ``>``, quotes); :class:`Markup` is kept as is."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


NO_HTML = Markup("")


@dataclass(frozen=True, slots=True)
class Section:
    """One titled part of a report: trusted HTML body and figures drawn below it."""

    id: str
    title: str
    body: Markup = NO_HTML
    figures: Sequence[tuple[str, go.Figure]] = field(default_factory=tuple)
    after: Markup = NO_HTML


# --------------------------------------------------------------------------- formatting


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_pct(value: object, digits: int = 1) -> str:
    """A share 0..1 as a percentage, ``n/a`` when missing."""
    return "n/a" if _missing(value) else f"{float(value) * 100:.{digits}f}%"  # type: ignore[arg-type]


def fmt_num(value: object, digits: int = 0) -> str:
    """A number with thousands separators, ``n/a`` when missing."""
    return "n/a" if _missing(value) else f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def fmt_money(value: object, currency: str, digits: int = 0) -> str:
    """An amount with its currency code, e.g. ``306,405 USD``."""
    return "n/a" if _missing(value) else f"{fmt_num(value, digits)} {currency}"


def fmt_minutes(value: object) -> str:
    """A duration in minutes in the unit that reads best: ``28 s``, ``4.2 min``, ``3.1 h``."""
    if _missing(value):
        return "n/a"
    minutes = float(value)  # type: ignore[arg-type]
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 90:
        return f"{minutes:.1f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


# --------------------------------------------------------------------------- building blocks


def badge(status: bool | None, met: str = "met", missed: str = "missed") -> Markup:
    """A "met"/"missed" mark: colour, an icon shape and the word (never colour alone)."""
    if status is None:
        return Markup("")
    if status:
        return Markup(
            f'<span class="badge met"><span class="icon">&#x25CF;</span> {esc(met)}</span>'
        )
    return Markup(
        f'<span class="badge missed"><span class="icon">&#x25B2;</span> {esc(missed)}</span>'
    )


def kpi_card(
    label: str,
    value: str,
    detail: str = "",
    status: bool | None = None,
    words: tuple[str, str] = ("met", "missed"),
    *,
    key: str = "",
) -> Markup:
    """One headline number with its label, a detail line and an optional met/missed badge.

    ``key`` (the summary.json path of the figure, e.g. ``cost.per_week``) is written as the
    card's ``data-kpi`` attribute, so a reader or a test can find the card of a figure.
    """
    state = "" if status is None else (" met" if status else " missed")
    data = f' data-kpi="{esc(key)}"' if key else ""
    return Markup(
        f'<div class="kpi{state}"{data}><div class="kpi-label">{esc(label)}</div>'
        f'<div class="kpi-value">{esc(value)}</div>'
        f'<div class="kpi-detail">{esc(detail)} {badge(status, *words)}</div></div>'
    )


def table_html(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Iterable[int] = (),
    caption: str = "",
    row_classes: Sequence[str] | None = None,
    table_class: str = "",
) -> Markup:
    """A table; every cell is escaped unless it is :class:`Markup`.

    Parameters
    ----------
    header : sequence of str
        Column headings (escaped).
    rows : iterable of sequences
        Cell values; ``None`` and NaN show as an empty cell.
    numeric : iterable of int
        Column positions to right-align.
    caption : str
        Optional caption (escaped).
    row_classes : sequence of str, optional
        A CSS class per row.
    table_class : str
        A CSS class for the table (``wide``: headings at least 6.5em wide, so a table of
        many columns scrolls sideways instead of stacking its headings word by word).
    """
    right = set(numeric)

    def cell(tag: str, i: int, value: object) -> str:
        cls = ' class="num"' if i in right else ""
        text = "" if _missing(value) else esc(value)
        return f"<{tag}{cls}>{text}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = []
    for n, row in enumerate(rows):
        cls = f' class="{esc(row_classes[n])}"' if row_classes and row_classes[n] else ""
        body.append(f"<tr{cls}>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    table = f'<table class="{esc(table_class)}">' if table_class else "<table>"
    return Markup(
        f'<div class="table-wrap">{table}{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def mapping_table(values: Mapping[str, object], caption: str = "") -> Markup:
    """A two-column table of a mapping, in words: keys with spaces for underscores, numbers
    with thousands separators, true/false as yes/no, and nested mappings or lists of them
    as one ``key: value`` line each (never a dumped dictionary)."""
    rows = [(key.replace("_", " "), _nested(value)) for key, value in values.items()]
    return table_html(["setting", "value"], rows, caption=caption)


def details_table(values: Mapping[str, object], words: Mapping[str, str] | None = None) -> Markup:
    """A two-column table of run details in words: keys renamed through ``words``, lists
    joined, true/false as yes/no, empty values left out."""
    rows = []
    for key, value in values.items():
        if value is None or (isinstance(value, list | tuple | dict | str) and not value):
            continue
        rows.append(((words or {}).get(key, key.replace("_", " ")), _nested(value)))
    return table_html(["detail", "value"], rows)


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if value == int(value):
        return f"{value:.0f}"
    return f"{value:.4g}"


def _compact(value: object) -> str:
    """A scalar (or a list of scalars) as plain words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list | tuple):
        return ", ".join(_compact(v) for v in value)
    return "" if value is None else str(value)


def _scalars(value: object) -> bool:
    """A list or tuple holding no mapping (written on one line)."""
    return isinstance(value, list | tuple) and not any(isinstance(v, Mapping) for v in value)


def _nested(value: object) -> Markup:
    """A value for a table cell: scalars as words, a mapping as ``key: value`` lines, a
    list of mappings as one block of lines per item."""
    if isinstance(value, Mapping):
        lines = []
        for k, v in value.items():
            # A nested mapping or list of mappings starts on the line below its key.
            block = isinstance(v, Mapping) or (isinstance(v, list | tuple) and not _scalars(v))
            label = f'<span class="note">{esc(str(k).replace("_", " "))}:</span>'
            lines.append(Markup(label + ("<br>" if block else " ")) + _nested(v))
        return Markup("<br>".join(lines))
    if isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value):
        return Markup('<hr class="thin">'.join(_nested(v) for v in value))
    return esc(_compact(value))


def paragraph(*parts: object) -> Markup:
    """A paragraph joining escaped text and :class:`Markup` parts."""
    return Markup("<p>" + "".join(esc(p) for p in parts) + "</p>")


# --------------------------------------------------------------------------- figures

FIGURE_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def figure_json(fig: go.Figure) -> str:
    """The figure (data, layout, config) as JSON safe inside a ``<script>`` element.

    Plotly already writes ``<``, ``>`` and ``/`` as ``\\u`` escapes; the replacements
    repeat that for any encoder that does not, so ``</script>`` cannot appear.
    """
    spec = fig.to_plotly_json()
    spec["config"] = FIGURE_CONFIG
    text = pio.json.to_json_plotly(spec)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def figure_html(fig_id: str, fig: go.Figure) -> Markup:
    """A figure's placeholder ``div`` and its JSON data block."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in fig_id)
    height = fig.layout.height or 450
    return Markup(
        f'<div class="figure" id="fig-{safe}" data-spec="spec-{safe}" '
        f'style="height:{int(height)}px" role="img" aria-label="{esc(_title(fig))}"></div>\n'
        f'<script type="application/json" id="spec-{safe}">{figure_json(fig)}</script>'
    )


def _title(fig: go.Figure) -> str:
    text = fig.layout.title.text if fig.layout.title else None
    return html.unescape(text or "chart")


# --------------------------------------------------------------------------- page

_CAPTURE_JS = """(function () {
  var errors = [];
  window.__reportErrors = errors;
  function add(message) {
    errors.push(String(message).slice(0, 500));
    if (window.__reportPublish) { window.__reportPublish(); }  // an error after "done"
  }
  var original = console.error;
  console.error = function () {
    add(Array.prototype.map.call(arguments, String).join(" "));
    return original.apply(console, arguments);
  };
  window.addEventListener("error", function (ev) {
    var el = ev.target;
    if (el && el !== window && el.tagName) {  // a resource that failed to load
      add("failed to load " + el.tagName.toLowerCase() + " " + (el.src || el.href || ""));
      return;
    }
    add("error: " + (ev.message || ev.type) + (ev.filename ? " at " + ev.filename + ":" +
      ev.lineno : ""));
  }, true);
  window.addEventListener("unhandledrejection", function (ev) {
    add("unhandled rejection: " + ((ev.reason && ev.reason.message) || ev.reason));
  });
  document.addEventListener("securitypolicyviolation", function (ev) {
    add("blocked by the page's security policy: " + ev.violatedDirective + " " +
      ev.blockedURI);
  });
  window.alert = function (message) { add("alert: " + message); };
})();"""

_RENDER_JS = """(function () {
  var errors = window.__reportErrors || [];
  var status = document.getElementById("render-status");
  function points(gd) {
    var n = 0;
    (gd._fullData || gd.data || []).forEach(function (t) {
      var a = t.z || t.x || t.y || t.base;
      if (t.visible !== false && a && a.length) { n += a.length; }
    });
    return n;
  }
  function check(div) {
    return {id: div.id, svg: div.querySelectorAll("svg.main-svg").length,
            traces: div.querySelectorAll("g.trace, g.hm").length, points: points(div)};
  }
  var jobs = [];
  if (typeof Plotly === "undefined") { errors.push("plotly.js did not load"); }
  document.querySelectorAll("div.figure[data-spec]").forEach(function (div) {
    var failed = {id: div.id, svg: 0, traces: 0, points: 0};
    try {
      var spec = JSON.parse(document.getElementById(div.getAttribute("data-spec")).textContent);
      jobs.push(Plotly.newPlot(div, spec.data, spec.layout, spec.config).then(
        function () { return check(div); },
        function (e) { errors.push(div.id + ": " + e); return failed; }));
    } catch (e) {
      errors.push(div.id + ": " + e);
      jobs.push(Promise.resolve(failed));
    }
  });
  Promise.all(jobs).then(function (figures) {
    var ms = Math.round(performance.now());
    function publish() {
      var drawn = figures.filter(function (f) {
        return f.svg > 0 && f.traces > 0 && f.points > 0;
      }).length;
      status.setAttribute("data-report", JSON.stringify(
        {figures: figures, errors: errors, ms: ms}));
      status.setAttribute("data-state", errors.length ? "error" : "done");
      // Say nothing when every chart is drawn; name the problem when one is not.
      var failed = figures.length - drawn;
      status.textContent = errors.length || failed ?
        "Some charts could not be drawn (" + failed + " of " + figures.length + ")" +
        (errors.length ? ": " + errors.join(" | ") : ".") : "";
      status.hidden = !(errors.length || failed);
    }
    // One more task first, so violation and error events already queued are counted.
    setTimeout(function () { publish(); window.__reportPublish = publish; }, 0);
  });
})();"""

_CSS = """
:root { --met: #0072B2; --missed: #D55E00; --ink: #222; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fafafa; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; font-size: 15px; }
header, main, footer { max-width: 1220px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 26px; margin: 6px 0 2px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 0 0 8px; }
.kind { color: var(--muted); text-transform: uppercase; letter-spacing: .06em; font-size: 12px; }
.lead { color: #444; max-width: 70em; margin: 4px 0 8px; }
nav { font-size: 13px; margin: 8px 0 4px; }
nav a { color: var(--met); margin-right: 14px; text-decoration: none; white-space: nowrap; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px;
  padding: 16px 18px; margin: 16px 0; }
section p { max-width: 75em; margin: 6px 0 10px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(215px, 1fr)); gap: 10px; }
.kpi { border: 1px solid var(--line); border-left: 6px solid #bbb; border-radius: 4px;
  padding: 8px 10px; background: #fff; }
.kpi.met { border-left-color: var(--met); }
.kpi.missed { border-left-color: var(--missed); border-left-style: double; border-left-width: 7px; }
.kpi-label { font-size: 13px; color: var(--muted); }
.kpi-value { font-size: 24px; font-weight: 650; }
.kpi-detail { font-size: 13px; color: #444; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; padding: 0 6px;
  border-radius: 9px; text-transform: uppercase; letter-spacing: .03em; white-space: nowrap; }
.badge.met { background: var(--met); color: #fff; }
.badge.missed { background: #fff; color: var(--missed); border: 2px solid var(--missed); }
.badge .icon { font-size: 10px; }
.figure { width: 100%; margin: 8px 0 14px; }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left;
  vertical-align: top; }
th { background: #f0f0f0; }
td:first-child { white-space: nowrap; }
table.wide th { min-width: 6.5em; }
th .unit { display: block; font-weight: normal; color: var(--muted); font-size: 12px; }
table.figures tbody th { background: none; font-weight: 600; min-width: 11em; max-width: 17em;
  text-align: left; }
table.figures td { min-width: 9em; }
table.figures .value { font-weight: 600; white-space: nowrap; }
table.figures .delta, table.figures .note { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.delta { font-size: 12px; font-weight: 650; white-space: nowrap; }
.delta.better { color: var(--met); }
.delta.worse { color: var(--missed); text-decoration: underline dotted; }
hr.thin { border: 0; border-top: 1px dotted var(--line); margin: 3px 0; }
details summary { cursor: pointer; color: var(--met); margin: 6px 0; }
.columns { display: flex; flex-wrap: wrap; gap: 18px; }
.note { color: var(--muted); font-size: 13px; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 24px; }
"""


def _hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@lru_cache(maxsize=1)
def _plotly_js() -> tuple[str, str]:
    """The plotly.js bundle (its ``</script`` sequences broken up) and its CSP hash."""
    js = re.sub(r"</(script)", r"<\/\1", get_plotlyjs(), flags=re.IGNORECASE)
    return js, _hash(js)


def render_page(
    *,
    kind: str,
    title: str,
    lead: Markup,
    sections: Sequence[Section],
    footer: str = "",
) -> str:
    """A whole self-contained report page.

    Parameters
    ----------
    kind : str
        What the report is ("Simulation run", "Scenario comparison", ...).
    title : str
        The page heading (escaped here; usually a scenario name).
    lead : Markup
        Trusted HTML under the heading.
    sections : sequence of Section
        The report's parts, in order; figures are drawn in the browser from their JSON.
    footer : str
        A note for the footer (escaped).

    Returns
    -------
    str
        The HTML document: no external resource, no network request (enforced by its
        Content-Security-Policy), plotly.js embedded once.
    """
    plotly_js, plotly_hash = _plotly_js()
    csp = (
        "default-src 'none'; "
        f"script-src {_hash(_CAPTURE_JS)} {plotly_hash} {_hash(_RENDER_JS)}; "
        "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
        "connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    nav = " ".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    parts = []
    for s in sections:
        figures = "\n".join(figure_html(f"{s.id}-{name}", fig) for name, fig in s.figures)
        parts.append(
            f'<section id="{esc(s.id)}"><h2>{esc(s.title)}</h2>\n{s.body}\n{figures}\n{s.after}'
            "</section>"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{esc(title)} · {esc(kind)}</title>
<style>{_CSS}</style>
<script>{_CAPTURE_JS}</script>
<script>{plotly_js}</script>
</head>
<body>
<header>
<div class="kind">supportsim · {esc(kind)}</div>
<h1>{esc(title)}</h1>
{lead}
<nav>{nav}</nav>
</header>
<main>
{"".join(parts)}
</main>
<footer>
<p>{esc(footer)} Generated {esc(stamp)} by supportsim. This file is self-contained: it
makes no network request; charts are drawn by the plotly.js copy embedded in it.</p>
<p id="render-status" data-state="pending">Charts need JavaScript to be drawn.</p>
</footer>
<script>{_RENDER_JS}</script>
</body>
</html>
"""
