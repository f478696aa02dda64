"""`detector report`: one self-contained HTML page (inline CSS, plots embedded as PNG data URIs) that a
monitoring officer can read without the code: what is foreign and why, where in the spectrum, since when."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
from collections import Counter

from .._version import __version__

__all__ = ["write_report"]

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;
vertical-align:top}th{background:#f3f3f3}tr.foreign td{background:#fde8e8}.num{text-align:right}
.badge{display:inline-block;padding:1px 6px;border-radius:8px;color:#fff;font-size:.85em}
.foreign{background:#c0392b}.domestic{background:#27ae60}.unknown{background:#7f8c8d}
.summary span{margin-right:1.5em}.small{color:#666;font-size:.85em}img{max-width:100%}
"""


def _e(x) -> str:
    return "" if x is None else html.escape(str(x))


def _badge(verdict: str | None) -> str:
    v = verdict or "unknown"
    return f'<span class="badge {v}">{_e(v)}</span>'


def _operator(rec: dict) -> str:
    op = rec.get("operator") or {}
    if op.get("name") or op.get("country"):
        return f"{op.get('name') or ''} ({op.get('country') or '?'}, from {op.get('basis', '?')})"
    tech = rec.get("tech") or rec.get("shape")
    blocks = [b for b in rec.get("operator_blocks") or [] if not tech or tech in b.get("techs", [tech])]
    if blocks:
        return "block of " + ", ".join(sorted({f"{b['operator']} ({b['country']})" for b in blocks}))
    return ""


def _identity(rec: dict) -> str:
    ident = rec.get("identity") or {}
    parts = []
    if ident.get("mcc"):
        parts.append(f"MCC-MNC {ident['mcc']}-{ident.get('mnc', '?')}")
    for k, label in (("lac", "LAC"), ("cell_id", "CI"), ("bsic", "BSIC"), ("pci", "PCI")):
        if ident.get(k) is not None:
            parts.append(f"{label} {ident[k]}")
    if rec.get("kind") == "handset":
        parts.append(f"{rec.get('bursts', '?')} bursts, duty {100 * rec.get('duty_cycle', 0):.1f} %")
    if rec.get("kind") == "emission":
        parts.append(f"{rec.get('shape', '?')} shape, {rec.get('bandwidth_hz', 0) / 1e3:.0f} kHz")
    return "; ".join(parts)


_SAVE_DIR: list[str] = []  # where write_report also saves each PNG as a file


def _png(fig, name: str) -> str:
    import os

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    if _SAVE_DIR:
        with open(os.path.join(_SAVE_DIR[0], name), "wb") as fh:
            fh.write(buf.getvalue())
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _overview(records: list[dict]) -> str | None:
    """Every detection on a frequency axis, coloured by verdict, over the operators' blocks."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from ._plots import _band_plan_lanes

    freqs = [r["freq_hz"] for r in records if r.get("freq_hz")]
    if not freqs:
        return None
    lo, hi = min(freqs) - 1e6, max(freqs) + 1e6
    try:
        from ..bands import blocks_between

        blocks = blocks_between(lo, hi)
    except ImportError:
        blocks = []
    fig, (ax, lanes) = plt.subplots(2, 1, figsize=(12, 6), sharex=True, gridspec_kw={"height_ratios": [2, 2]})
    colours = {"foreign": "#c0392b", "domestic": "#27ae60", "unknown": "#7f8c8d"}
    for r in records:
        if not r.get("freq_hz"):
            continue
        p = r.get("power_dbfs", -100)
        ax.vlines(r["freq_hz"] / 1e6, -100, p, color=colours.get(r.get("verdict"), "#7f8c8d"), lw=2)
        ax.annotate(r.get("kind", "")[0].upper(), (r["freq_hz"] / 1e6, p), fontsize=7, ha="center", va="bottom")
    ax.set_ylim(min(r.get("power_dbfs", -100) for r in records) - 10,
                max(r.get("power_dbfs", -100) for r in records) + 8)
    ax.set_ylabel("power (dBFS)")
    ax.set_title("Detections by frequency (red: foreign, green: domestic, grey: unknown; C cell, H handset, "
                 "E unidentified emission)")
    ax.grid(alpha=.3)
    _band_plan_lanes(lanes, blocks, lo, hi)
    lanes.set_xlabel("frequency (MHz)")
    fig.tight_layout()
    return _png(fig, "overview.png")


def _timelines(foreign: list[dict], timeline) -> str | None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    series = []
    for r in foreign[:12]:
        pts = timeline(r) if timeline else []
        pts = [(t, p) for t, p in pts if p is not None]
        if pts:
            series.append((r, pts))
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(12, 4))
    for r, pts in series:
        times = [_dt.datetime.fromisoformat(t.replace("Z", "+00:00")) for t, _ in pts]
        ax.plot(times, [p for _, p in pts], marker="o", ms=3, label=f"{r.get('tech') or r.get('shape')} "
                f"{r['freq_hz'] / 1e6:.3f} MHz {(r.get('operator') or {}).get('name') or ''}")
    ax.set_ylabel("power (dBFS)")
    ax.set_title("Power of each foreign detection over time (UTC)")
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return _png(fig, "timelines.png")


def _row(r: dict) -> str:
    reasons = "".join(f"<li><b>{_e(x['rule'])}</b>: {_e(x.get('detail'))}</li>" for x in r.get("reasons", []))
    cls = ' class="foreign"' if r.get("verdict") == "foreign" else ""
    return (f"<tr{cls}><td>{_badge(r.get('verdict'))} {_e(r.get('confidence'))}</td><td>{_e(r.get('kind'))}</td>"
            f"<td>{_e(r.get('tech') or r.get('shape'))}</td><td>{_e(r.get('band'))}</td>"
            f"<td class=num>{_e(r.get('channel'))}</td><td class=num>{r.get('freq_hz', 0) / 1e6:.3f}</td>"
            f"<td>{_e(_identity(r))}</td><td>{_e(_operator(r))}</td>"
            f"<td class=num>{_e(r.get('power_dbfs'))}</td><td class=num>{_e(r.get('snr_db'))}</td>"
            f"<td>{_e(r.get('first_seen'))}<br>{_e(r.get('last_seen'))}</td><td class=num>{_e(r.get('count', 1))}</td>"
            f"<td><ul>{reasons}</ul></td></tr>")


_HEAD = ("<tr><th>verdict</th><th>kind</th><th>tech</th><th>band</th><th>channel</th><th>MHz</th><th>identity</th>"
         "<th>operator</th><th>dBFS</th><th>SNR dB</th><th>first / last seen (UTC)</th><th>seen</th><th>why</th></tr>")


def write_report(records: list[dict], path: str, sessions: list[dict] | None = None, timeline=None,
                 source: str = "") -> str:
    """Write the HTML report of `records` to `path` (a file); returns the path.

    `timeline(record) -> [(time, dBFS)]` (from `detector.store.Store.timeline`) adds power-over-time plots.
    """
    foreign = [r for r in records if r.get("verdict") == "foreign"]
    others = [r for r in records if r.get("verdict") != "foreign"]
    import os

    from ._text import write_csv, write_jsonl

    out_dir = os.path.dirname(os.path.abspath(path))
    _SAVE_DIR[:] = [out_dir]
    write_csv(records, os.path.join(out_dir, "detections.csv"))
    write_jsonl(records, os.path.join(out_dir, "detections.jsonl"))
    verdicts = Counter(r.get("verdict") or "unknown" for r in records)
    techs = Counter(r.get("tech") or r.get("shape") or "?" for r in records)
    kinds = Counter(r.get("kind") for r in records)
    bands = Counter(r.get("band") or "(no band)" for r in records)
    operators = Counter((r.get("operator") or {}).get("name") or "(not decoded)" for r in records)
    parts = [f"<!doctype html><html><head><meta charset=utf-8><title>detector report</title><style>{_CSS}"
             f"</style></head><body>",
             "<h1>Cross-border cellular activity report</h1>",
             f"<p class=small>Generated {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC by detector "
             f"{__version__} from {_e(source)}.</p>",
             f"<p class=summary><span><b>{len(foreign)}</b> foreign</span><span>{verdicts.get('domestic', 0)} domestic"
             f"</span><span>{verdicts.get('unknown', 0)} undecided</span><span>"
             + ", ".join(f"{n} {_e(k)}" for k, n in sorted(kinds.items(), key=str)) + "</span></p>",
             "<p>A detection is <b>foreign</b> when the network identity it broadcasts (MCC/MNC) belongs to another "
             "country's operator, or, when no identity was decoded, when it lies in a frequency block that only a "
             "foreign operator uses. Each row says which rule decided and why. <i>Undecided</i> means the "
             "evidence does not settle it (for example, a block shared by home and foreign operators).</p>"]
    overview = _overview(records)
    if overview:
        parts.append(f'<h2>Where in the spectrum</h2><img alt="detections by frequency" src="{overview}">')
    parts.append("<h2>Foreign detections</h2>")
    parts.append(f"<table>{_HEAD}{''.join(_row(r) for r in foreign)}</table>" if foreign
                 else "<p>None.</p>")
    tl = _timelines(foreign, timeline)
    if tl:
        parts.append(f'<h2>Foreign detections over time</h2><img alt="power timelines" src="{tl}">')
    parts.append("<h2>Counts</h2><table><tr><th>by technology</th><th>by band</th><th>by decoded operator</th>"
                 "</tr><tr><td>" + "<br>".join(f"{_e(k)}: {n}" for k, n in techs.most_common()) + "</td><td>"
                 + "<br>".join(f"{_e(k)}: {n}" for k, n in bands.most_common()) + "</td><td>"
                 + "<br>".join(f"{_e(k)}: {n}" for k, n in operators.most_common()) + "</td></tr></table>")
    parts.append("<h2>Everything else</h2>")
    parts.append(f"<table>{_HEAD}{''.join(_row(r) for r in others)}</table>" if others else "<p>None.</p>")
    if sessions:
        rows = "".join(f"<tr><td>{_e(s.get('started'))}</td><td>{_e(s.get('ended'))}</td><td>{_e(s.get('command'))}"
                       f"</td><td>{_e(s.get('source'))}</td><td>{_e(s.get('gain_db'))}</td><td>{_e(s.get('ppm'))}"
                       f"</td><td class=num>{_e(s.get('samples'))}</td><td class=num>{_e(s.get('dropped'))}</td>"
                       f"<td>{_e(s.get('tool_version'))}</td></tr>" for s in sessions)
        parts.append("<h2>Sessions</h2><table><tr><th>started</th><th>ended</th><th>command</th><th>source</th>"
                     "<th>gain dB</th><th>ppm</th><th>samples</th><th>dropped samples</th><th>version</th></tr>"
                     f"{rows}</table>")
    files = [f for f in ("overview.png", "timelines.png", "detections.csv", "detections.jsonl")
             if os.path.exists(os.path.join(out_dir, f))]
    parts.append("<h2>Files</h2><p>" + " &middot; ".join(f'<a href="{f}">{f}</a>' for f in files) + "</p>")
    parts.append("</body></html>")
    _SAVE_DIR.clear()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts))
    return path
