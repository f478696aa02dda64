"""Receiver crystal error from GSM FCCH bursts (``detector calibrate``, like ``kal -c`` without a channel).

Every FCCH burst of every C0 in the capture gives a carrier-frequency measurement (`refine_fcch`,
a few Hz at 10 dB SNR). Against the ARFCN raster (TS 45.005 §2) that is the receiver's error.
Sign convention (that of ``rtl_sdr -p`` and kal): ``ppm = -(f_measured - f_raster) / f_raster x 1e6``:
a receiver whose crystal runs fast sees carriers low, reports a positive ppm, and is corrected by
passing that value to ``-p``. The sample clock, on the same crystal in an RTL-SDR, is measured
independently from the TDMA frame period (`CarrierResult.frame_period_samples`) and reported beside it.

Carriers count when their SCH decoded; FCCH-only carriers count when at least 3 bursts agree
within 200 Hz (``confirmed`` False in the per-carrier list). The nearest-raster assignment is
unambiguous while |offset| < 100 kHz: |ppm| < 105 at 950 MHz, < 55 at 1.8 GHz. Dongles drift by a
few ppm while warming up: calibrate after 5-10 minutes of running.
"""

from __future__ import annotations

import numpy as np

from ..calibration import CalibrationResult
from ._arfcn import freq_to_channel
from ._constants import FRAME_SYMBOLS, SYMBOL_RATE_HZ
from ._fcch import fcch_search, refine_fcch
from ._receiver import ReceiverConfig, receive

__all__ = ["CalibrationResult", "calibrate", "calibrate_blocks"]


class _Collector:
    def __init__(self):
        self.per_carrier: dict[int, dict] = {}
        self.frame_ppm: list[float] = []
        self.duration_s = 0.0

    def add_window(self, x: np.ndarray, fs: float, center_freq_hz: float, cfg: ReceiverConfig) -> None:
        self.duration_s += x.size / fs
        results = receive(x, fs, cfg, include_unconfirmed=True)
        if not results:
            return
        hits = fcch_search(x, fs, cfg.fcch_ratio)
        nominal_period = FRAME_SYMBOLS * fs / SYMBOL_RATE_HZ
        for r in results:
            ch = freq_to_channel(center_freq_hz + r.carrier_hz)
            if ch is None:
                continue
            band, arfcn, raster = ch
            mine = [h for h in hits if abs(h.carrier_hz - r.carrier_hz) < 2.5e3]
            fines = [f for f in (refine_fcch(x, fs, h) for h in mine) if f is not None]
            if not fines:
                fines = r.fcch
            offs = np.array([center_freq_hz + f.carrier_hz - raster for f in fines])
            if r.confirmed:
                offs = offs[np.abs(offs - np.median(offs)) < 500]
            entry = self.per_carrier.setdefault(arfcn, {"band": band, "channel": arfcn, "freq_hz": raster,
                                                        "offsets": [], "snr": [], "confirmed": False})
            entry["offsets"].extend(offs.tolist())
            entry["snr"].append(r.snr_db)
            if r.confirmed:
                entry["confirmed"] = True
                entry["bsic"] = r.bsic
                if r.frame_period_samples:
                    self.frame_ppm.append((r.frame_period_samples / nominal_period - 1) * 1e6)

    def result(self) -> CalibrationResult:
        res = CalibrationResult(duration_s=self.duration_s)
        all_ppm = []
        for e in sorted(self.per_carrier.values(), key=lambda e: e["channel"]):
            offs = np.array(e["offsets"])
            if offs.size == 0:
                continue
            ppm = -offs / e["freq_hz"] * 1e6
            all_ppm.extend(ppm.tolist())
            c = {"band": e["band"], "channel": e["channel"], "freq_hz": e["freq_hz"],
                 "freq_offset_hz": round(float(np.median(offs)), 1), "ppm": round(float(np.median(ppm)), 3),
                 "ppm_std": round(float(np.std(ppm)), 3), "fcch_count": int(offs.size),
                 "snr_db": round(float(np.median([s for s in e["snr"] if s is not None] or [np.nan])), 1),
                 "confirmed": e["confirmed"]}
            if "bsic" in e:
                c["bsic"] = e["bsic"]
            res.carriers.append(c)
        if all_ppm:
            a = np.array(all_ppm)
            res.ppm, res.ppm_mean, res.ppm_std, res.count = float(np.median(a)), float(a.mean()), float(a.std()), a.size
        if self.frame_ppm:
            res.sample_clock_ppm = float(np.median(self.frame_ppm))
        return res


def calibrate(samples: np.ndarray, sample_rate_hz: float, center_freq_hz: float, config: ReceiverConfig | None = None,
              window_s: float = 2.0) -> CalibrationResult:
    """Crystal error (ppm) from all FCCH bursts of all GSM carriers in a capture at one tuning.

    Parameters
    ----------
    samples : numpy.ndarray
        complex64 capture (any length; processed in windows of `window_s`).
    sample_rate_hz, center_freq_hz : float
        Nominal rate and tuning of the capture (Hz).
    config : ReceiverConfig, optional
    window_s : float

    Returns
    -------
    CalibrationResult

    Examples
    --------
    >>> from detector.synth._gsm import GsmCell, gsm_scene
    >>> cell = GsmCell(arfcn=62, mcc="460", mnc="00", lac=1, cell_id=1, bsic=5, snr_db=20, fn_start=51 * 10)
    >>> x, _ = gsm_scene([cell], 947.6e6, 1.0e6, 0.25, ppm=-12.0, seed=3)
    >>> r = calibrate(x, 1.0e6, 947.6e6)
    >>> round(r.ppm), r.carriers[0]["channel"], r.carriers[0]["bsic"]
    (-12, 62, 5)
    """
    cfg = config or ReceiverConfig()
    x = np.asarray(samples, np.complex64)
    n = int(window_s * sample_rate_hz)
    col = _Collector()
    for s in range(0, x.size, n):
        w = x[s: s + n]
        if w.size >= 0.01 * sample_rate_hz:
            col.add_window(w, sample_rate_hz, center_freq_hz, cfg)
    return col.result()


def calibrate_blocks(blocks, max_seconds: float | None = None, config: ReceiverConfig | None = None,
                     window_s: float = 2.0) -> CalibrationResult:
    """`calibrate` over `IQBlock`s (a live dwell, a recording or a sweep recording), in bounded memory.

    Every segment (tuning) counts: the FCCH bursts of all of them are pooled, each carrier placed on
    the raster with its own segment's centre frequency. At most `max_seconds` of each segment are read.
    """
    from ..sources._windows import segment_windows

    cfg = config or ReceiverConfig()
    col = _Collector()
    for x, fs, fc in segment_windows(blocks, window_s, max_seconds, min_s=0.01):
        col.add_window(x, fs, fc, cfg)
    return col.result()
