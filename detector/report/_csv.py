"""rtl_power's CSV format, written and read back.

One row per tuning step and integration interval, exactly as rtl_power prints it (so heatmap.py and
the scripts people already have read it)::

    date, time, Hz low, Hz high, Hz step, samples, dB, dB, ...
    2026-11-28, 10:00:00, 935040000, 936960000, 4687.50, 240000, -61.23, -60.98, ...

``date``/``time`` are the interval start in *local* time (as rtl_power); Hz low/high are integers
``center -/+ int(rate * bins / (2 * nfft))``; Hz step has two decimals; the dB values are power per
bin in dBFS (bin-scaled Welch average, see `detector.dsp.welch_psd`), not dBm: add a calibration
offset to get dBm. The cropped edges (``-c``) and the DC repair are those of the survey.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np

from ..dsp import to_db

__all__ = ["RtlPowerRow", "write_rtl_power_csv", "read_rtl_power_csv", "rtl_power_rows"]


@dataclass(frozen=True)
class RtlPowerRow:
    """One CSV row: local start time, band edges (Hz), bin width (Hz), samples integrated, dB per bin."""

    time: _dt.datetime
    hz_low: int
    hz_high: int
    hz_step: float
    samples: int
    db: np.ndarray


def rtl_power_rows(hops, tz: _dt.tzinfo | None = None) -> list[RtlPowerRow]:
    """The CSV rows of survey hops (`detector.survey.HopSpectrum`), in time order, times in `tz` (local)."""
    rows = []
    for h in hops:
        bins = h.psd.size
        bw2 = int(h.sample_rate_hz * bins / (h.nfft * 2))
        fc = int(round(h.center_freq_hz))
        for t, samples, psd in h.rows:
            rows.append(RtlPowerRow(t.astimezone(tz), fc - bw2, fc + bw2, h.sample_rate_hz / h.nfft, int(samples),
                                    to_db(psd)))
    rows.sort(key=lambda r: (r.time, r.hz_low))
    return rows


def write_rtl_power_csv(fh, hops, tz: _dt.tzinfo | None = None) -> int:
    """Write survey hops to an open text file in rtl_power's format; returns the number of rows."""
    rows = rtl_power_rows(hops, tz)
    for r in rows:
        head = f"{r.time:%Y-%m-%d}, {r.time:%H:%M:%S}, {r.hz_low}, {r.hz_high}, {r.hz_step:.2f}, {r.samples}, "
        fh.write(head + ", ".join(f"{v:.2f}" for v in r.db) + "\n")
    return len(rows)


def read_rtl_power_csv(path: str) -> list[RtlPowerRow]:
    """Parse an rtl_power CSV (ours or rtl_power's own); times are naive local times.

    Raises
    ------
    ValueError
        Naming the line and what was expected, for a malformed row.
    """
    rows = []
    with open(path) as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            try:
                t = _dt.datetime.strptime(parts[0] + " " + parts[1], "%Y-%m-%d %H:%M:%S")
                rows.append(RtlPowerRow(t, int(parts[2]), int(parts[3]), float(parts[4]), int(parts[5]),
                                        np.array([float(v) for v in parts[6:]])))
            except (ValueError, IndexError) as e:
                raise ValueError(f"{path}:{lineno}: not an rtl_power row (date, time, Hz low, Hz high, Hz step, "
                                 f"samples, dB...): {e}") from None
    return rows
