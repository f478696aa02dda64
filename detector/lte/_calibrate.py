"""Receiver crystal error from LTE cells (PSS carrier offset refined on the CRS), like ``kal -c`` for GSM.

`calibrate` works on one window of samples, `calibrate_blocks` on the `IQBlock`s of a live dwell or a
recording (every tuning counts, bounded memory). The result is a
`detector.calibration.CalibrationResult` (``fcch_count`` counts PSS half-frames here), as GSM's, so the
``calibrate`` command prints either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..calibration import CalibrationResult
from ._search import SearchConfig, carrier_raster, search

__all__ = ["LteCalibration", "calibrate", "calibrate_blocks"]


@dataclass
class LteCalibration(CalibrationResult):
    """`detector.calibration.CalibrationResult` from LTE cells: ``count`` and each carrier's ``fcch_count`` are PSS
    half-frames, carriers carry ``pci`` and ``confirmed`` (MIB CRC passed), ``sample_clock_ppm`` is measured from
    the PSS period only when it was not tied to the LO error."""

    method: str = "lte-pss"


class _Collector:
    def __init__(self, config: SearchConfig):
        self.config = config
        self.rows: list[dict] = []
        self.clock: list[float] = []
        self.duration_s = 0.0

    def add_window(self, x: np.ndarray, fs: float, center_freq_hz: float) -> None:
        from ..bands import lte_channels

        self.duration_s += x.size / fs
        if not (center_freq_hz == center_freq_hz) or center_freq_hz <= 0:
            return
        for c in search(x, fs, center_freq_hz, self.config):
            raster, off = carrier_raster(center_freq_hz, c.offset_hz, fs, clock=c.timing.clock)
            try:
                chans = [ch for ch in lte_channels(raster, tol_hz=1.0) if ch.duplex == c.duplex] or \
                    lte_channels(raster, tol_hz=1.0)
            except ValueError:
                chans = []
            self.rows.append({"band": chans[0].band if chans else None, "channel": chans[0].number if chans else None,
                              "freq_hz": raster, "freq_offset_hz": round(off, 1),
                              "ppm": round(-off / raster * 1e6, 3), "ppm_std": None, "fcch_count": c.half_frames,
                              "snr_db": round(c.snr_db, 2), "pci": c.pci, "confirmed": c.mib is not None})
            if c.subband_shift_hz or abs(fs - 1.92e6) > 1e3:
                self.clock.append((c.timing.clock - 1) * 1e6)

    def result(self) -> LteCalibration:
        if not self.rows:
            return LteCalibration(duration_s=self.duration_s)
        ppm = np.array([r["ppm"] for r in self.rows])
        return LteCalibration(float(np.median(ppm)), float(ppm.mean()), float(ppm.std()),
                              int(sum(r["fcch_count"] for r in self.rows)), self.rows,
                              float(np.median(self.clock)) if self.clock else None, self.duration_s)


def calibrate(x: np.ndarray, sample_rate_hz: float, center_freq_hz: float, config: SearchConfig | None = None
              ) -> LteCalibration:
    """Crystal error from every LTE cell in a window of samples (Hz, S/s; `center_freq_hz` must be known).

    The carrier is the 100 kHz raster point nearest the tuned frequency when the measured offset is within
    +-`ppm_max` of it (the user tuned to the carrier), else the raster point nearest the measured frequency.

    Examples
    --------
    >>> import numpy as np
    >>> calibrate(np.zeros(20000, np.complex64), 1.92e6, 1890e6).ppm is None
    True
    """
    col = _Collector(config or SearchConfig())
    col.add_window(np.asarray(x), sample_rate_hz, center_freq_hz)
    return col.result()


def calibrate_blocks(blocks, max_seconds: float | None = 1.0, config: SearchConfig | None = None,
                     window_s: float = 1.0) -> LteCalibration:
    """`calibrate` over `IQBlock`s (live dwell, recording, sweep), at most `max_seconds` per tuning."""
    from ..sources._windows import segment_windows

    col = _Collector(config or SearchConfig())
    for x, fs, fc in segment_windows(blocks, window_s, max_seconds, min_s=0.0051):
        col.add_window(x, fs, fc)
    return col.result()
