"""Wideband survey: per-tuning averaged spectra, stitched across a sweep, emissions found and classified.

Works on any stream of `IQBlock` (a sweep recording replayed, an RTL-SDR or rtl_tcp sweep): a new
`IQBlock.segment` starts a new hop. Per hop the spectrum is a streaming Welch average (bin-scaled,
dBFS per bin), the outer `crop` fraction is dropped (RTL-SDR roll-off and aliasing, rtl_power's
``-c``), and the bins around DC are replaced by their neighbours' level (the LO-leakage spike;
rtl_power does the same for its DC bin). Emissions are found by CFAR against a local noise floor
with a stated per-bin false-alarm probability, merged across hop boundaries, and classified by
shape (`classify_shape`).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
from scipy import signal as _signal

from ..dsp import (
    LagCorrelator,
    PsdAccumulator,
    dc_mask,
    equivalent_averages,
    find_emissions,
    lag_threshold,
    noise_floor,
    occupancy,
    to_db,
)
from ..sources import IQBlock
from ._classify import classify_shape, shape_features

#: LTE subcarrier spacing (TS 36.211 §6.2.3): the useful symbol lasts 1/15 kHz = 66.7 us.
LTE_SUBCARRIER_HZ = 15e3

__all__ = ["SurveyConfig", "HopSpectrum", "SurveyEmission", "SurveyResult", "SurveyAccumulator", "survey"]


@dataclass(frozen=True)
class SurveyConfig:
    """Survey settings.

    Attributes
    ----------
    bin_hz : float
        Requested bin width, Hz; the FFT length is the power of two giving a width at or below it.
    crop : float
        Fraction of each capture's band discarded at the edges (0.2 = keep the central 80 %).
    interval_s : float or None
        Integration interval of the CSV rows (rtl_power ``-i``); None = one row per hop.
    pfa : float
        Per-bin false-alarm probability of the occupancy detector on noise.
    window : str
        FFT window.
    overlap : float
        Welch segment overlap. 0.5 (default) with Hann gives ~1.9x the averages of 0 for 2x the FFTs
        (about 0.4 dB lower CFAR threshold at a 25 ms dwell); 0 doubles throughput.
    dc_width_hz : float
        Width around 0 Hz of each capture treated as the DC spike.
    min_excess_db : float
        A bin must also exceed the floor by this much, whatever the dwell. With long dwells the CFAR
        factor tends to 0 dB (it is 0.2 dB at 1 s), and a real receiver's floor is not flat to that
        precision (IF-filter ripple, roll-off): without this margin every ripple would be an emission.
        The stated false-alarm probability is then an upper bound.
    image_rejection_db : float
        An emission this much weaker than its mirror about the tuned frequency is the receiver's
        IQ image, not a signal (RTL-SDR image rejection is about 25-40 dB).
    """

    bin_hz: float = 5e3
    crop: float = 0.2
    interval_s: float | None = None
    pfa: float = 1e-6
    window: str = "hann"
    overlap: float = 0.5
    dc_width_hz: float = 6e3
    min_excess_db: float = 1.5
    image_rejection_db: float = 20.0

    def nfft(self, sample_rate_hz: float) -> int:
        """FFT length for `sample_rate_hz`: smallest power of two with fs/nfft <= bin_hz (at least 64)."""
        n = 64
        while sample_rate_hz / n > self.bin_hz:
            n *= 2
        return n


@dataclass
class HopSpectrum:
    """One tuning's averaged spectrum (cropped, DC-repaired), plus its CSV rows.

    `freqs_hz` are absolute (Hz); `psd` linear bin-scaled power (dBFS per bin via `to_db`).
    """

    index: int
    center_freq_hz: float
    sample_rate_hz: float
    nfft: int
    start: _dt.datetime
    end: _dt.datetime
    samples: int
    freqs_hz: np.ndarray
    psd: np.ndarray
    k_eq: float
    rows: list = field(default_factory=list)  # (start datetime, samples, psd cropped) per interval
    floor: np.ndarray | None = None
    occupied: np.ndarray | None = None
    ofdm_score: float = 0.0  # LTE cyclic-prefix lag correlation |r| at Tu (see detector.dsp.LagCorrelator)
    ofdm_reference: float = 0.0  # the larger |r| at 0.75 Tu and 1.25 Tu (tones and DC correlate at every lag)
    ofdm_products: int = 0


@dataclass(frozen=True)
class SurveyEmission:
    """A classified emission (absolute Hz, dBFS)."""

    freq_lo_hz: float
    freq_hi_hz: float
    center_hz: float
    power_dbfs: float
    peak_dbfs: float
    snr_db: float
    shape: str
    nominal_bandwidth_hz: float | None
    obw_hz: float
    flatness_db: float
    edge_width_hz: float
    first_seen: _dt.datetime
    last_seen: _dt.datetime

    @property
    def bandwidth_hz(self) -> float:
        """Width between the outer edges of the occupied bins, Hz."""
        return self.freq_hi_hz - self.freq_lo_hz


@dataclass
class SurveyResult:
    """Hops, the stitched spectrum and the emissions of a survey."""

    hops: list[HopSpectrum]
    freqs_hz: np.ndarray
    psd: np.ndarray
    floor: np.ndarray
    occupied: np.ndarray
    emissions: list[SurveyEmission]
    config: SurveyConfig
    images: list[SurveyEmission] = field(default_factory=list)  # IQ images left out of `emissions`


class SurveyAccumulator:
    """Feed blocks in stream order; `finish` returns the `SurveyResult`. Memory: one spectrum per hop."""

    def __init__(self, config: SurveyConfig | None = None):
        self.config = config or SurveyConfig()
        self.hops: list[HopSpectrum] = []
        self._cur = None  # (segment, center, fs, acc_total, acc_row, start, row_start, samples, row_samples, last)

    def update(self, block: IQBlock) -> None:
        """Add one block; a change of segment or tuning closes the current hop."""
        cfg = self.config
        fc = block.center_freq_hz if np.isfinite(block.center_freq_hz) else 0.0  # unknown: baseband offsets
        key = (block.segment, fc, block.sample_rate_hz)
        if self._cur is None or self._cur["key"] != key:
            self._close_hop()
            n = cfg.nfft(block.sample_rate_hz)
            self._cur = {"key": key, "nfft": n,
                         "total": PsdAccumulator(block.sample_rate_hz, n, cfg.window, cfg.overlap),
                         "row": PsdAccumulator(block.sample_rate_hz, n, cfg.window, cfg.overlap),
                         "start": block.timestamp,
                         "row_start": block.timestamp, "samples": 0, "row_samples": 0, "rows": [],
                         "lags": [LagCorrelator(int(round(k * block.sample_rate_hz / LTE_SUBCARRIER_HZ)))
                                  for k in (1.0, 0.75, 1.25)]}
        c = self._cur
        c["total"].update(block.samples)
        wideband = _highpass(block.samples, block.sample_rate_hz)  # DC and LO-leakage skirt correlate at every lag
        for lag in c["lags"]:
            lag.update(wideband)
        x = block.samples
        if cfg.interval_s:
            per_row = int(round(cfg.interval_s * block.sample_rate_hz))
            pos = 0
            while pos < x.size:
                take = min(x.size - pos, per_row - c["row_samples"])
                c["row"].update(x[pos: pos + take])
                c["row_samples"] += take
                pos += take
                if c["row_samples"] >= per_row:
                    self._emit_row(c, block.sample_rate_hz)
                    c["row_start"] = block.timestamp + _dt.timedelta(seconds=pos / block.sample_rate_hz)
        c["samples"] += x.size
        c["end"] = block.timestamp + _dt.timedelta(seconds=x.size / block.sample_rate_hz)

    def _emit_row(self, c, fs) -> None:
        if c["row"].segments:
            c["rows"].append((c["row_start"], c["row_samples"], self._repair(c["row"].psd(), c["row"].freqs_hz())))
        c["row"].reset()
        c["row_samples"] = 0

    def _repair(self, psd: np.ndarray, rel_f: np.ndarray) -> np.ndarray:
        """Crop the edges and replace the DC-spike bins by the mean of their neighbours."""
        cfg = self.config
        p = psd.copy()
        dcm = dc_mask(rel_f, max(cfg.dc_width_hz, 4.01 * (rel_f[1] - rel_f[0])))  # the window main lobe: +-2 bins
        idx = np.nonzero(dcm)[0]
        if idx.size:
            lo, hi = max(idx[0] - 1, 0), min(idx[-1] + 1, p.size - 1)
            p[idx] = 0.5 * (p[lo] + p[hi])
        keep = self._keep(rel_f)
        return p[keep]

    def _keep(self, rel_f: np.ndarray) -> np.ndarray:
        n = rel_f.size
        i1 = int(n * self.config.crop * 0.5)
        keep = np.zeros(n, bool)
        keep[i1: n - i1] = True  # rtl_power's i1..i2 bins
        return keep

    def _close_hop(self) -> None:
        c, self._cur = self._cur, None
        if c is None or c["total"].segments == 0:
            return
        segment, fc, fs = c["key"]
        if self.config.interval_s and c["row_samples"]:
            self._emit_row(c, fs)
        acc = c["total"]
        rel_f = acc.freqs_hz()
        psd = self._repair(acc.psd(), rel_f)
        rows = c["rows"] or [(c["start"], c["samples"], psd)]
        self.hops.append(HopSpectrum(len(self.hops), fc, fs, c["nfft"], c["start"], c["end"], c["samples"],
                                     rel_f[self._keep(rel_f)] + fc, psd, acc.equivalent_averages(), rows,
                                     ofdm_score=c["lags"][0].score(),
                                     ofdm_reference=max(c["lags"][1].score(), c["lags"][2].score()),
                                     ofdm_products=c["lags"][0].products))

    def finish(self) -> SurveyResult:
        """Close the last hop, detect and classify emissions over the stitched spectrum."""
        self._close_hop()
        return self._analyse(self.hops)

    def step_emissions(self, margin_hz: float = 100e3) -> list[SurveyEmission]:
        """Close the current hop and return the emissions found in it alone, `margin_hz` inside its kept band.

        For live scans: narrow emissions can be reported as soon as their step is done; ones that touch the
        step's edges (wide carriers spanning several steps) wait for the stitched result of `finish`.
        """
        self._close_hop()
        if not self.hops:
            return []
        h = self.hops[-1]
        lo, hi = h.freqs_hz[0] + margin_hz, h.freqs_hz[-1] - margin_hz
        result = self._analyse([h])
        return [e for e in result.emissions if e.freq_lo_hz >= lo and e.freq_hi_hz <= hi]

    def _analyse(self, hops: list[HopSpectrum]) -> SurveyResult:
        cfg = self.config
        # Noise floor: one level per step, the lower of the step's own and the whole sweep's (bias-corrected
        # 25th percentile). A step that lies wholly inside a wide carrier (LTE/UMTS wider than the usable
        # band) would otherwise take that carrier for noise; a quieter step keeps its own lower level.
        if hops:
            k_min = min(h.k_eq for h in hops)
            sweep_floor = noise_floor(np.concatenate([h.psd for h in hops]), k_min, percentile=25.0)
        for h in hops:
            own = noise_floor(h.psd, h.k_eq, percentile=25.0)
            # never below float32 FFT precision (~120 dB under the strongest bin) or -130 dBFS per bin:
            # a noiseless synthetic input would otherwise make every rounding error an "emission"
            least = max(float(h.psd.max()) * 1e-12, 1e-13)
            h.floor = np.full(h.psd.shape, max(min(own, sweep_floor), least))
            h.occupied, _ = occupancy(h.psd, h.k_eq, cfg.pfa, floor=h.floor)
            h.occupied &= h.psd > h.floor * 10 ** (cfg.min_excess_db / 10)
        f, p, fl, occ, t0, t1 = _stitch(hops)
        emissions = []
        if f.size > 1:
            df = float(np.median(np.diff(f)))
            for e in find_emissions(f, p, occ, fl, bridge_bins=max(1, int(10e3 / df))):
                for lo, hi in _split_gsm_clusters(f, p, fl, e.freq_lo_hz, e.freq_hi_hz):
                    emissions.append(_classified(f, p, fl, lo, hi, t0, t1))
        emissions = self._ofdm_filled_hops(emissions, hops)
        kept = [e for e in emissions if not self._is_iq_image(e, hops)]
        result = SurveyResult(hops, f, p, fl, occ, kept, cfg)
        result.images = [e for e in emissions if e not in kept]
        return result

    def _is_iq_image(self, e: SurveyEmission, hops: list[HopSpectrum]) -> bool:
        """True if `e` is the RTL-SDR's IQ-imbalance image of a much stronger emission.

        The RTL2832's I/Q gain and phase mismatch mirrors every signal at fc + d to fc - d, about
        25-40 dB down. An emission whose mirror in the same tuning is `image_rejection_db` or more
        stronger is taken for that image and not reported (it is listed in ``result.images``).
        """
        for h in hops:
            if not (h.freqs_hz[0] <= e.center_hz <= h.freqs_hz[-1]) or abs(e.center_hz - h.center_freq_hz) < 20e3:
                continue
            lo, hi = 2 * h.center_freq_hz - e.freq_hi_hz, 2 * h.center_freq_hz - e.freq_lo_hz
            sel = (h.freqs_hz >= lo) & (h.freqs_hz <= hi)
            own = (h.freqs_hz >= e.freq_lo_hz) & (h.freqs_hz <= e.freq_hi_hz)
            if not sel.any() or not own.any():
                continue
            mirror = float(np.sum(np.clip(h.psd[sel] - h.floor[sel], 0, None)))
            here = float(np.sum(np.clip(h.psd[own] - h.floor[own], 0, None)))
            if here > 0 and mirror >= here * 10 ** (self.config.image_rejection_db / 10):
                return True
        return False

    def _ofdm_filled_hops(self, emissions: list[SurveyEmission], hops: list[HopSpectrum]) -> list[SurveyEmission]:
        """An LTE carrier wider than a step fills it: no noise floor is visible, so CFAR sees only ripple.

        Such a step still shows LTE's cyclic-prefix correlation at one useful-symbol time (66.7 us), and only
        there: a tone (GSM's FCCH) or a DC offset correlates at every lag, so the correlation at Tu must
        also stand out over that at 0.75 Tu and 1.25 Tu. When it does, significantly (false-alarm
        probability `pfa` on noise), and no LTE emission was found there, the
        step's band is reported as one LTE emission (nominal bandwidth unknown: at least the step's) and the
        fragments found inside it, artefacts of a floor that is really the carrier, are dropped. A step where
        some other emission stands 10 dB or more over the floor is left alone: its floor is real (an LTE
        carrier at the step's edge, mostly cropped away, also correlates).
        """
        out = list(emissions)
        for h in hops:
            excess = h.ofdm_score - h.ofdm_reference
            if not h.ofdm_products or excess <= max(lag_threshold(h.ofdm_products, self.config.pfa), 0.003) \
                    or h.ofdm_score < 3 * h.ofdm_reference:
                continue
            lo, hi = float(h.freqs_hz[0]), float(h.freqs_hz[-1])
            if any(e.shape == "lte" and e.freq_lo_hz < hi and e.freq_hi_hz > lo for e in out):
                continue  # the LTE carrier was found with its edges: nothing to add
            inside = [e for e in out if lo <= e.center_hz <= hi]
            if any(e.snr_db >= 10 and e.shape != "lte" for e in inside):
                continue  # a clear carrier stands above the floor: the step is not one wide carrier
            out = [e for e in out if e not in inside]
            power = float(np.sum(h.psd))
            out.append(SurveyEmission(lo, hi, h.center_freq_hz, float(to_db(np.array(power))),
                                      float(to_db(h.psd.max())), float("nan"), "lte", None, hi - lo, 0.0, 0.0,
                                      h.start, h.end))
        return sorted(out, key=lambda e: e.center_hz)


def _highpass(x: np.ndarray, fs: float, corner_hz: float = 100e3) -> np.ndarray:
    """x minus its mean over consecutive runs of fs/corner_hz samples: removes DC and the RTL-SDR's LO-leakage
    skirt (which spreads over +-100 kHz and, like any slow component, correlates at every lag). A
    piecewise-constant average is enough here and costs two passes over the block."""
    m = max(2, int(round(fs / corner_hz)))
    n = x.size // m * m
    if n == 0:
        return (x - x.mean()).astype(np.complex64)
    means = x[:n].reshape(-1, m).mean(axis=1, dtype=np.complex64)
    y = np.empty_like(x, dtype=np.complex64)
    y[:n] = (x[:n].reshape(-1, m) - means[:, None]).ravel()
    y[n:] = x[n:] - (x[n:].mean() if x.size > n else 0)
    return y


def _stitch(hops):
    """Concatenate hop spectra in frequency order; where hops overlap keep the bins nearer each hop's centre."""
    if not hops:
        e = np.zeros(0)
        return e, e, e, np.zeros(0, bool), None, None
    order = sorted(hops, key=lambda h: h.center_freq_hz)
    parts = []
    for i, h in enumerate(order):
        lo = -np.inf if i == 0 else 0.5 * (order[i - 1].center_freq_hz + h.center_freq_hz)
        hi = np.inf if i == len(order) - 1 else 0.5 * (h.center_freq_hz + order[i + 1].center_freq_hz)
        sel = (h.freqs_hz >= lo) & (h.freqs_hz < hi)
        parts.append((h.freqs_hz[sel], h.psd[sel], h.floor[sel], h.occupied[sel]))
    t0 = min(h.start for h in hops)
    t1 = max(h.end for h in hops)
    return (*(np.concatenate([p[k] for p in parts]) for k in range(4)), t0, t1)


def _split_gsm_clusters(f, p, fl, lo, hi):
    """Split a wide, rippled emission made of adjacent GSM carriers at the dips between them.

    Adjacent 200 kHz GMSK carriers overlap into one occupied run; their peaks stand 1.5 dB or more
    above the dips between them (about 3 dB for equal carriers 200 kHz apart) and lie on a 200 kHz
    raster. Flat OFDM/UMTS tops ripple far less after averaging (~0.2 dB), so they are not split.
    """
    if hi - lo <= 330e3:
        return [(lo, hi)]
    sel = (f >= lo) & (f <= hi)
    fs_, ps = f[sel], 10 * np.log10(np.clip(p[sel] - fl[sel], 1e-30, None))
    df = float(np.median(np.diff(fs_))) if fs_.size > 1 else 1.0
    smooth = np.convolve(ps, np.ones(max(1, int(30e3 / df))) / max(1, int(30e3 / df)), mode="same")
    peaks, _ = _signal.find_peaks(smooth, distance=max(1, int(150e3 / df)), prominence=1.5)
    if peaks.size < 2:
        return [(lo, hi)]
    gaps = np.diff(fs_[peaks])
    # carriers that merged into one run are at most a few channels apart; a dip inside a wide block
    # (the unused DC subcarrier of LTE) leaves peaks megahertz apart and is not a cluster
    if np.any(gaps > 600e3) or np.any(np.abs(gaps / 200e3 - np.round(gaps / 200e3)) > 0.15):
        return [(lo, hi)]
    cuts = [fs_[a + int(np.argmin(smooth[a:b]))] for a, b in zip(peaks[:-1], peaks[1:], strict=True)]
    edges = [lo, *cuts, hi]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _classified(f, p, fl, lo, hi, t0, t1) -> SurveyEmission:
    sel = (f >= lo) & (f <= hi)
    sig = np.clip(p[sel] - fl[sel], 0, None)
    power = float(sig.sum())
    center = float(np.sum(f[sel] * sig) / power) if power > 0 else 0.5 * (lo + hi)
    feat = shape_features(f, p, fl, lo, hi)
    shape, nominal = classify_shape(feat)
    snr = 10 * np.log10(max(power, 1e-30) / max(float(fl[sel].sum()), 1e-30))
    return SurveyEmission(float(lo), float(hi), center, float(to_db(np.array(power))), float(to_db(p[sel].max())),
                          float(snr), shape, nominal, feat.obw_hz, feat.flatness_db, feat.edge_width_hz, t0, t1)


def survey(blocks, config: SurveyConfig | None = None) -> SurveyResult:
    """Run a whole survey over an iterable of blocks (see `SurveyAccumulator`)."""
    acc = SurveyAccumulator(config)
    for b in blocks:
        acc.update(b)
    return acc.finish()


def equivalent_averages_for(samples: int, nfft: int, window: str = "hann") -> float:
    """K_eq of a Welch average over `samples` samples with 50 % overlap."""
    return equivalent_averages(nfft, max(1, 1 + (samples - nfft) // (nfft // 2)), window, 0.5)
