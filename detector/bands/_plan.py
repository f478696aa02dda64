"""Band-plan helpers for plots and records: blocks over a frequency span, and what the plan says of a frequency.

Callers elsewhere in the package (``detector.cli`` survey plots, ``detector.survey`` emission records)
import these optionally; they return plain dicts so that those callers need no type from here.
"""

from __future__ import annotations

import math

from ._data import blocks
from ._registry import all_bands
from ._tables import LTE_PREFERRED

__all__ = ["blocks_between", "describe_frequency"]

_SHAPE_TECH = {"gsm": "gsm", "umts": "umts", "lte": "lte", "nr": "nr"}


def blocks_between(lo_hz: float, hi_hz: float, include_holdings: bool = False) -> list[dict]:
    """Operator blocks overlapping a frequency span, one dict per link range, for drawing over a spectrum.

    Parameters
    ----------
    lo_hz, hi_hz : float
        The span in Hz (order does not matter). A span at or below 0 Hz (a recording whose
        centre frequency is unknown, measured as baseband offsets) overlaps nothing.
    include_holdings : bool
        Also return band-level holdings (whole bands; usually too coarse to draw).

    Returns
    -------
    list of dict
        ``{"lo_hz", "hi_hz", "label", "country", "operator", "link", "techs", "band", "unverified",
        "source"}``; `link` is ``"dl"``, ``"ul"`` or ``"tdd"``; `label` reads like
        ``"China Mobile GSM (DL)"``. Sorted by `lo_hz`.

    Examples
    --------
    >>> [b["label"] for b in blocks_between(930e6, 960e6)][:2]
    ['China Tietong (railway GSM-R) GSM-R (DL)', 'China Mobile GSM (DL)']
    """
    lo, hi = sorted((float(lo_hz), float(hi_hz)))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"lo_hz and hi_hz must be finite frequencies in Hz, not {lo_hz!r}, {hi_hz!r}")
    out = []
    for b in blocks():
        if b.extent != "assigned" and not include_holdings:
            continue
        ranges = [("tdd", b.dl_hz)] if b.duplex == "tdd" else [("dl", b.dl_hz), ("ul", b.ul_hz)]
        for link, edges in ranges:
            if edges is None or edges[1] < lo or edges[0] > hi:
                continue
            out.append({"lo_hz": edges[0], "hi_hz": edges[1],
                        "label": f"{b.operator} {b.rat} ({link.upper()})", "country": b.country,
                        "operator": b.operator_id, "link": link, "techs": list(b.techs), "band": b.band,
                        "unverified": b.unverified, "source": b.source})
    out.sort(key=lambda d: (d["lo_hz"], d["hi_hz"]))
    return out


def describe_frequency(freq_hz: float, shape: str | None = None) -> dict:
    """Record fields the band plan gives for an emission of a known spectral shape.

    Only the band is given, never a channel number: an emission's centre is an estimate, and a
    channel number is for the receivers to report. When the shape is not a cellular technology, or
    no band of that technology holds the frequency, nothing is said (an empty dict).

    Parameters
    ----------
    freq_hz : float
        Centre frequency in Hz; a non-finite or non-positive value (unknown tuning) gives ``{}``.
    shape : str, optional
        ``"gsm"``, ``"umts"``, ``"lte"`` or ``"nr"`` (other shapes give ``{}``).

    Returns
    -------
    dict
        ``{"band": name, "link": "dl"|"ul", "bands": [all candidate names]}`` where `band` is the
        downlink band first (for LTE the bands of BANDPLANS.md first, then by number), or ``{}``.

    Examples
    --------
    >>> describe_frequency(947.4e6, "gsm")
    {'band': 'GSM900', 'link': 'dl', 'bands': ['GSM900']}
    >>> describe_frequency(2646e6, "lte")["bands"], describe_frequency(947.4e6, "narrowband")
    (['B7', 'B41'], {})
    """
    f = float(freq_hz)
    tech = _SHAPE_TECH.get(shape or "")
    if tech is None or not math.isfinite(f) or f <= 0:
        return {}
    for link in ("dl", "ul"):
        names = [n for n, b in all_bands().items()
                 if b.tech == tech and n not in ("P-GSM900", "E-GSM900", "R-GSM900", "ER-GSM900")
                 and b.contains(f, link)]
        if tech == "lte":
            names.sort(key=lambda n: (int(n[1:]) not in LTE_PREFERRED, int(n[1:])))
        if names:
            return {"band": names[0], "link": link, "bands": names}
    return {}
