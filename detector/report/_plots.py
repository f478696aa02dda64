"""Spectrum and waterfall PNGs with band-plan blocks drawn over them and emissions marked (matplotlib, Agg)."""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ..dsp import to_db

__all__ = ["plot_spectrum", "plot_waterfall"]

_UTC = _dt.timezone.utc

_SHAPE_COLOURS = {"gsm": "tab:blue", "lte": "tab:red", "umts": "tab:purple", "nr": "tab:brown",
                  "narrowband": "tab:gray", "unknown": "black"}
_COUNTRY_COLOURS = ["#e41a1c33", "#377eb833", "#4daf4a33", "#984ea333", "#ff7f0033", "#a6562833"]


def _figure(width=14, height=6):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt, plt.figure(figsize=(width, height), dpi=100)


def _draw_blocks(ax, blocks, lo, hi, y_text):
    """Shade band-plan blocks (dicts with lo_hz, hi_hz, label, country) inside [lo, hi]."""
    countries = sorted({b.get("country", "") for b in blocks})
    for b in blocks:
        a, z = max(b["lo_hz"], lo), min(b["hi_hz"], hi)
        if z <= a:
            continue
        colour = _COUNTRY_COLOURS[countries.index(b.get("country", "")) % len(_COUNTRY_COLOURS)]
        ax.axvspan(a / 1e6, z / 1e6, color=colour, lw=0)
        label = b.get("label", "")
        if b.get("unverified"):
            label += " (unverified)"
        ax.text((a + z) / 2e6, y_text, label, ha="center", va="top", fontsize=7, rotation=90, clip_on=True)


def plot_spectrum(result, path: str, blocks: list[dict] | None = None, title: str | None = None) -> str:
    """Stitched average spectrum (dBFS per bin), noise floor, detection threshold and emissions; saves PNG.

    Parameters
    ----------
    result : detector.survey.SurveyResult
    path : str
        Output file (.png or .svg).
    blocks : list of dict, optional
        Band-plan blocks ``{"lo_hz", "hi_hz", "label", "country", "unverified"}`` drawn as shaded spans.
    """
    plt, fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    f = result.freqs_hz / 1e6
    if f.size:
        p_db = to_db(result.psd)
        top = float(np.max(p_db)) + 5
        _draw_blocks(ax, blocks or [], result.freqs_hz[0], result.freqs_hz[-1], top)
        ax.plot(f, p_db, lw=0.6, color="k", label="average power per bin")
        ax.plot(f, to_db(result.floor), lw=0.8, color="tab:green", ls="--", label="noise floor")
        for e in result.emissions:
            c = _SHAPE_COLOURS.get(e.shape, "black")
            ax.axvspan(e.freq_lo_hz / 1e6, e.freq_hi_hz / 1e6, ymax=0.04, color=c)
            ax.annotate(f"{e.shape}\n{e.center_hz / 1e6:.3f}", (e.center_hz / 1e6, e.peak_dbfs), fontsize=7,
                        ha="center", va="bottom", color=c)
        ax.set_ylim(float(np.percentile(p_db, 1)) - 5, top)
        ax.set_xlim(f[0], f[-1])
    ax.set_xlabel("frequency (MHz)")
    ax.set_ylabel("power per bin (dBFS)")
    ax.set_title(title or "Spectrum survey (emissions marked by shape; shaded: band-plan blocks)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_waterfall(result, path: str, blocks: list[dict] | None = None, title: str | None = None) -> str:
    """Waterfall (time down, frequency across) of the survey's interval rows; saves PNG.

    Row k of the image joins the k-th integration interval (over all passes of a repeated sweep) of
    every tuning step; rows are labelled with the times of the lowest step.
    """
    plt, fig = _figure(14, 7)
    ax = fig.add_subplot(1, 1, 1)
    columns: dict[float, list] = {}  # centre frequency -> rows (time, freqs, psd) over every pass, in time order
    for h in sorted(result.hops, key=lambda h: h.start):
        columns.setdefault(h.center_freq_hz, []).extend((t, h.freqs_hz, psd) for t, _, psd in h.rows)
    nrows = max((len(v) for v in columns.values()), default=0)
    if nrows:
        fcs = sorted(columns)
        freqs = np.concatenate([columns[fc][0][1] for fc in fcs]) / 1e6
        img = np.full((nrows, freqs.size), np.nan)
        col = 0
        for fc in fcs:
            width = columns[fc][0][1].size
            for k, (_, _, psd) in enumerate(columns[fc]):
                img[k, col: col + width] = to_db(psd)
            col += width
        order = np.argsort(freqs)
        vmin, vmax = np.nanpercentile(img, [2, 99.8])
        mesh = ax.imshow(img[:, order], aspect="auto", origin="upper", cmap="viridis", vmin=vmin, vmax=vmax,
                         extent=(freqs[order][0], freqs[order][-1], nrows, 0), interpolation="nearest")
        fig.colorbar(mesh, ax=ax, label="power per bin (dBFS)")
        times = [t for t, _, _ in columns[fcs[0]]]
        ticks = np.unique(np.linspace(0, nrows - 1, min(nrows, 8)).astype(int))
        ax.set_yticks(ticks + 0.5)
        ax.set_yticklabels([times[k].astimezone(_UTC).strftime("%H:%M:%S.%f")[:-3] for k in ticks], fontsize=8)
        for b in blocks or []:
            for edge in (b["lo_hz"], b["hi_hz"]):
                if freqs[order][0] <= edge / 1e6 <= freqs[order][-1]:
                    ax.axvline(edge / 1e6, color="w", lw=0.5, alpha=0.6)
        _label_blocks_top(ax, blocks or [], freqs[order][0] * 1e6, freqs[order][-1] * 1e6)
        for e in result.emissions:
            ax.plot([e.center_hz / 1e6], [nrows], marker="^", color=_SHAPE_COLOURS.get(e.shape, "k"), ms=8,
                    clip_on=False)
    ax.set_xlabel("frequency (MHz)")
    ax.set_ylabel("time of the first step's interval (UTC)")
    ax.set_title(title or "Waterfall (triangles: detected emissions)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _label_blocks_top(ax, blocks, lo, hi):
    for b in blocks:
        a, z = max(b["lo_hz"], lo), min(b["hi_hz"], hi)
        if z > a:
            ax.text((a + z) / 2e6, 1.0, b.get("label", ""), transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=7, rotation=90)
