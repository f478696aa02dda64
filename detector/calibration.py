"""The result of a crystal-error measurement (``detector calibrate``), shared by the GSM and LTE receivers.

Sign convention (that of ``rtl_sdr -p`` and kal): ``ppm = -(f_measured - f_raster) / f_raster x 1e6``: a
receiver whose crystal runs fast sees carriers low, reports a positive ppm and is corrected with ``-p ppm``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

__all__ = ["CRYSTAL_SPAN_PPM", "CalibrationResult", "CrystalEstimate", "assume_crystal"]

#: Crystal error range (+- ppm) searched around an error measured on a decoded cell of the same run: about a
#: minute of a warming dongle's drift, and a seventh of the LTE search's +-120 ppm hypotheses at 800 MHz.
CRYSTAL_SPAN_PPM = 5.0


@dataclass
class CalibrationResult:
    """Crystal error estimated from a capture's carriers (GSM FCCH bursts, LTE PSS/CRS).

    Attributes
    ----------
    ppm : float or None
        Median over all FCCH bursts used (None when no carrier qualified).
    ppm_mean, ppm_std : float or None
        Mean and standard deviation over the bursts.
    count : int
        FCCH bursts used.
    carriers : list of dict
        Per carrier: ``band``, ``channel`` (ARFCN), ``freq_hz`` (raster), ``freq_offset_hz``, ``ppm``,
        ``ppm_std``, ``fcch_count``, ``snr_db``, ``confirmed`` and ``bsic`` when the SCH decoded.
    sample_clock_ppm : float or None
        Sample-rate error from the measured TDMA frame period (same sign convention).
    duration_s : float
        Seconds of samples examined.
    method : str
        ``gsm-fcch`` or ``lte-pss`` (what was measured).
    """

    ppm: float | None = None
    ppm_mean: float | None = None
    ppm_std: float | None = None
    count: int = 0
    carriers: list = field(default_factory=list)
    sample_clock_ppm: float | None = None
    duration_s: float = 0.0
    method: str = "gsm-fcch"

    def as_dict(self) -> dict:
        """JSON-ready dict (values rounded)."""
        d = asdict(self)
        for k in ("ppm", "ppm_mean", "ppm_std", "sample_clock_ppm"):
            if d[k] is not None:
                d[k] = round(d[k], 3)
        return d


class CrystalEstimate:
    """The receiver's crystal error (ppm, the ``-p`` correction) as measured by the sweep's decoded cells.

    Only cells whose identity passed a CRC count (an LTE cell with its MIB, a GSM cell with its BSIC); the
    latest one wins (a warming dongle drifts), and the estimate lapses `max_age_s` after the last of them, so a
    drift the narrowed search can no longer follow sends the sweep back to the full range."""

    def __init__(self, max_age_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.max_age_s = max_age_s
        self.clock = clock
        self.ppm: float | None = None
        self.source = ""
        self._at = 0.0

    @staticmethod
    def measured(rec: dict) -> float | None:
        """The crystal error a record measured, if it is a decoded cell."""
        if rec.get("kind") != "cell":
            return None
        tech, ident = rec.get("tech"), rec.get("identity") or {}
        decoded = ident.get("n_rb_dl") is not None if tech == "lte" else ident.get("bsic") is not None
        ppm = (rec.get(tech) or {}).get("ppm") if decoded else None
        return float(ppm) if ppm is not None and abs(ppm) < 500 else None

    def update(self, records: list[dict]) -> bool:
        """Take the crystal error of the decoded cells among `records`; True when it was unknown before."""
        fresh = self.current() is None
        for rec in records:
            ppm = self.measured(rec)
            if ppm is not None:
                self.ppm, self._at = ppm, self.clock()
                ident = rec.get("identity") or {}
                name = f"PCI {ident.get('pci')}" if rec.get("tech") == "lte" else f"BSIC {ident.get('bsic')}"
                self.source = f"{rec.get('tech', '').upper()} {name} at {rec.get('freq_hz', 0) / 1e6:.1f} MHz"
        return fresh and self.current() is not None

    def current(self) -> float | None:
        """The estimate, or None when there is none or it lapsed."""
        if self.ppm is None or self.clock() - self._at > self.max_age_s:
            return None
        return self.ppm


def assume_crystal(analyzers: list, ppm: float | None) -> None:
    """Tell the analyzers that can use it (``assume_crystal``) the crystal error for the coming step."""
    for a in analyzers:
        if hasattr(a, "assume_crystal"):
            a.assume_crystal(ppm)
