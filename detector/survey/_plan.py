"""Sweep planning: tuning steps that cover frequency ranges with the usable (cropped) part of each capture."""

from __future__ import annotations

import math

__all__ = ["plan_hops", "parse_range"]


def parse_range(text: str) -> tuple[float, float]:
    """Parse an rtl_power-style range ``925M:960M`` (optionally ``:bin``, ignored here) into Hz.

    Examples
    --------
    >>> parse_range("925M:960M")
    (925000000.0, 960000000.0)
    """
    from ..sources import parse_si

    parts = str(text).split(":")
    if len(parts) < 2:
        raise ValueError(f"expected LOW:HIGH (e.g. 925M:960M), got {text!r}")
    lo, hi = parse_si(parts[0]), parse_si(parts[1])
    if not hi > lo:
        raise ValueError(f"range {text!r}: high edge must be above the low edge")
    return lo, hi


def plan_hops(lo_hz: float, hi_hz: float, sample_rate_hz: float, crop: float = 0.2) -> list[float]:
    """Centre frequencies (Hz) of the fewest steps whose central ``(1 - crop)`` fraction covers [lo, hi].

    Adjacent usable spans touch or overlap (the spare is spread evenly), so no frequency is left out
    of the cropped spectra.

    Examples
    --------
    >>> [round(f / 1e6, 3) for f in plan_hops(925e6, 930e6, 2.4e6, 0.2)]
    [925.833, 927.5, 929.167]
    """
    if not 0 <= crop < 1:
        raise ValueError(f"crop must be in [0, 1), got {crop}")
    usable = sample_rate_hz * (1 - crop)
    n = max(1, math.ceil((hi_hz - lo_hz) / usable - 1e-9))
    step = (hi_hz - lo_hz) / n
    return [lo_hz + step * (k + 0.5) for k in range(n)]
