"""Spectrum and waterfall PNGs with band-plan blocks drawn over them and emissions marked (matplotlib, Agg)."""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ..dsp import to_db

__all__ = ["plot_spectrum", "plot_waterfall"]

_UTC = _dt.timezone.utc

_SHAPE_COLOURS = {"gsm": "tab:blue", "lte": "tab:red", "umts": "tab:purple", "nr": "tab:brown",
                  "narrowband": "tab:gray", "unknown": "black"}


def _figure(width=14, height=6):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt, plt.figure(figsize=(width, height), dpi=100)


def _band_plan_lanes(ax, blocks, lo, hi):
    """Band-plan blocks as bars, one lane per operator, coloured by country, hatched when unverified."""
    shown = [b for b in blocks if min(b["hi_hz"], hi) > max(b["lo_hz"], lo)]

    def lane_name(b):  # "China Mobile (CN)" from the label "China Mobile GSM/NB-IoT/LTE (DL)"
        words = b.get("label", b.get("operator", "")).split(" (")[0].split()
        while len(words) > 1 and any(t in words[-1] for t in ("GSM", "UMTS", "LTE", "NR", "IoT")):
            words.pop()  # drop the trailing technology list
        return f"{' '.join(words)} ({b.get('country', '?')})"

    shown.sort(key=lambda b: (lane_name(b), b["lo_hz"]))
    operators = [lane_name(b) for b in shown]  # one lane per block, grouped by operator
    countries = sorted({b.get("country", "") for b in shown})
    cmap = ["tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown"]
    for lane, b in enumerate(shown):
        a, z = max(b["lo_hz"], lo), min(b["hi_hz"], hi)
        colour = cmap[countries.index(b.get("country", "")) % len(cmap)]
        ax.barh(lane, (z - a) / 1e6, left=a / 1e6, height=0.7, color=colour, alpha=0.35, edgecolor=colour,
                hatch="//" if b.get("unverified") else None)
        techs = "/".join(t.upper() for t in b.get("techs", []))
        text = f"{b.get('band', '')} {techs} {b.get('link', '').upper()}".strip()
        ax.text((a + z) / 2e6, lane, text, ha="center", va="center", fontsize=6, clip_on=True)
    ax.set_yticks(range(len(operators)))
    ax.set_yticklabels(operators, fontsize=7)
    ax.set_ylim(-0.6, max(len(operators), 1) - 0.4)
    ax.invert_yaxis()
    handles = [plt_patch(cmap[i % len(cmap)], c) for i, c in enumerate(countries)]
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize=7, title="country (hatched: unverified)",
                  title_fontsize=7)
    ax.grid(axis="x", alpha=0.3)


def plt_patch(colour, label):
    """A legend patch (matplotlib imported lazily)."""
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, alpha=0.35, edgecolor=colour, label=label)


def plot_spectrum(result, path: str, blocks: list[dict] | None = None, title: str | None = None) -> str:
    """Stitched average spectrum (dBFS per bin), noise floor and emissions, over band-plan lanes; saves PNG.

    Parameters
    ----------
    result : detector.survey.SurveyResult
    path : str
        Output file (.png or .svg).
    blocks : list of dict, optional
        Band-plan blocks ``{"lo_hz", "hi_hz", "label", "country", "operator", "unverified"}`` drawn in a
        lane per operator under the spectrum.
    """
    plt, fig = _figure(14, 8 if blocks else 6)
    if blocks:
        ax, lanes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    else:
        ax, lanes = fig.add_subplot(1, 1, 1), None
    f = result.freqs_hz / 1e6
    if f.size:
        p_db = to_db(result.psd)
        top = float(np.max(p_db)) + 6
        ax.plot(f, p_db, lw=0.6, color="k", label="average power per bin")
        ax.plot(f, to_db(result.floor), lw=0.8, color="tab:green", ls="--", label="noise floor")
        for e in result.emissions:
            c = _SHAPE_COLOURS.get(e.shape, "black")
            ax.axvspan(e.freq_lo_hz / 1e6, e.freq_hi_hz / 1e6, ymax=0.04, color=c)
            ax.annotate(f"{e.shape}\n{e.center_hz / 1e6:.3f}", (e.center_hz / 1e6, e.peak_dbfs), fontsize=7,
                        ha="center", va="bottom", color=c)
        ax.set_ylim(float(np.percentile(p_db, 1)) - 5, top)
        ax.set_xlim(f[0], f[-1])
        if lanes is not None:
            _band_plan_lanes(lanes, blocks, result.freqs_hz[0], result.freqs_hz[-1])
    (lanes or ax).set_xlabel("frequency (MHz)")
    ax.set_ylabel("power per bin (dBFS)")
    ax.set_title(title or "Spectrum survey: emissions marked by shape; operators' blocks below")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_waterfall(result, path: str, blocks: list[dict] | None = None, title: str | None = None) -> str:
    """Waterfall (time down, frequency across) of the survey's interval rows; saves PNG.

    Row k of the image joins the k-th integration interval (over all passes of a repeated sweep) of
    every tuning step; rows are labelled with the times of the lowest step.
    """
    plt, fig = _figure(14, 9 if blocks else 7)
    if blocks:
        ax, lanes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    else:
        ax, lanes = fig.add_subplot(1, 1, 1), None
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
        fig.colorbar(mesh, ax=[ax, lanes] if lanes is not None else ax, label="power per bin (dBFS)")
        times = [t for t, _, _ in columns[fcs[0]]]
        ticks = np.unique(np.linspace(0, nrows - 1, min(nrows, 8)).astype(int))
        ax.set_yticks(ticks + 0.5)
        ax.set_yticklabels([times[k].astimezone(_UTC).strftime("%H:%M:%S.%f")[:-3] for k in ticks], fontsize=8)
        if lanes is not None:
            _band_plan_lanes(lanes, blocks, freqs[order][0] * 1e6, freqs[order][-1] * 1e6)
        for e in result.emissions:
            ax.plot([e.center_hz / 1e6], [nrows], marker="^", color=_SHAPE_COLOURS.get(e.shape, "k"), ms=8,
                    clip_on=False)
    (lanes if lanes is not None else ax).set_xlabel("frequency (MHz)")
    ax.set_ylabel("time of the first step's interval (UTC)")
    ax.set_title(title or "Waterfall (triangles: detected emissions); operators' blocks below")
    fig.savefig(path)
    plt.close(fig)
    return path
