"""The result of a crystal-error measurement (``detector calibrate``), shared by the GSM and LTE receivers.

Sign convention (that of ``rtl_sdr -p`` and kal): ``ppm = -(f_measured - f_raster) / f_raster x 1e6``: a
receiver whose crystal runs fast sees carriers low, reports a positive ppm and is corrected with ``-p ppm``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["CalibrationResult"]


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
