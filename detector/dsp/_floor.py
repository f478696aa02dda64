"""Noise floor, CFAR occupancy and emission extraction on averaged power spectra.

Statistics: a bin of a Welch average of Gaussian noise with K_eq equivalent averages (see
`equivalent_averages`) is N0 * chi2(2 K_eq) / (2 K_eq). Hence:

* the q-th percentile of noise-only bins is N0 * chi2.ppf(q, 2K)/(2K); `noise_floor` divides it out,
  so the estimate is unbiased for noise-only spectra (bias +10log10(1/(1-occ)) dB-ish upward when a
  fraction occ of the bins hold signals at the chosen percentile: use a low percentile for busy bands);
* a bin exceeds N0 * chi2.isf(pfa, 2K)/(2K) with probability `pfa` (`cfar_factor`), which is the
  stated per-bin false-alarm probability of `occupancy`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage, special

__all__ = ["noise_floor", "cfar_factor", "occupancy", "Emission", "find_emissions", "channel_power",
           "occupied_bandwidth", "dc_mask", "edge_mask"]


def _chi2_ratio(q: float, k_eq: float) -> float:
    dof = 2.0 * max(k_eq, 0.5)
    return float(2 * special.gammaincinv(dof / 2, q) / dof)  # chi-squared quantile / dof


def noise_floor(psd: np.ndarray, k_eq: float, percentile: float = 25.0, window_bins: int | None = None,
                mask: np.ndarray | None = None) -> np.ndarray | float:
    """Robust noise level per bin from a linear averaged spectrum.

    Parameters
    ----------
    psd : numpy.ndarray
        Linear power per bin (Welch average).
    k_eq : float
        Equivalent independent averages of `psd` (`equivalent_averages`).
    percentile : float
        Order statistic used (0-100). 50 = median; 25 (default) tolerates up to ~half the bins occupied.
    window_bins : int, optional
        If given, a *local* floor: the percentile over a sliding window of that many bins (follows
        the RTL-SDR's roll-off towards the band edges). Otherwise one level for the whole spectrum.
    mask : numpy.ndarray of bool, optional
        Bins to ignore (DC spike, cropped edges).

    Returns
    -------
    float or numpy.ndarray
        Noise power per bin (linear), bias-corrected for the chi-squared spread.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.chisquare(2 * 50, 4096) / (2 * 50) * 1e-6  # K=50 averages of noise at 1e-6 per bin
    >>> round(float(noise_floor(p, 50)) / 1e-6, 2)
    1.0
    """
    q = percentile / 100.0
    corr = _chi2_ratio(q, k_eq)
    p = np.asarray(psd, np.float64)
    if window_bins is None:
        vals = p[~mask] if mask is not None else p
        if vals.size == 0:
            raise ValueError("noise_floor: every bin is masked")
        return float(np.percentile(vals, percentile) / corr)
    if mask is not None and mask.any():
        p = p.copy()
        p[mask] = np.nan
        p = _fill_nan_nearest(p)
    return ndimage.percentile_filter(p, percentile, size=int(window_bins), mode="nearest") / corr


def _fill_nan_nearest(p: np.ndarray) -> np.ndarray:
    bad = np.isnan(p)
    if bad.all():
        raise ValueError("noise_floor: every bin is masked")
    idx = np.where(~bad, np.arange(p.size), 0)
    np.maximum.accumulate(idx, out=idx)
    first = np.argmax(~bad)
    idx[: first] = first
    return p[idx]


def cfar_factor(pfa: float, k_eq: float) -> float:
    """Threshold over the noise level that a noise-only bin exceeds with probability `pfa`.

    Examples
    --------
    >>> round(float(10 * np.log10(cfar_factor(1e-3, 1))), 2)  # single periodogram: exponential, -ln(pfa)
    8.39
    """
    if not 0 < pfa < 1:
        raise ValueError(f"pfa must be in (0, 1), got {pfa}")
    dof = 2.0 * max(k_eq, 0.5)
    return float(2 * special.gammainccinv(dof / 2, pfa) / dof)  # upper chi-squared quantile / dof


def occupancy(psd: np.ndarray, k_eq: float, pfa: float = 1e-4, floor=None, mask: np.ndarray | None = None,
              percentile: float = 25.0, window_bins: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """CFAR detection of occupied bins.

    A bin is occupied when its power exceeds ``floor * cfar_factor(pfa, k_eq)``; on noise alone
    each bin is flagged with probability `pfa` (for a known floor; the estimated floor adds a
    little, negligible with hundreds of bins). Masked bins are never occupied.

    Returns
    -------
    occupied : numpy.ndarray of bool
    floor : numpy.ndarray
        The noise level per bin used (linear).
    """
    p = np.asarray(psd, np.float64)
    if floor is None:
        floor = noise_floor(p, k_eq, percentile, window_bins, mask)
    floor = np.broadcast_to(np.asarray(floor, np.float64), p.shape)
    occ = p > floor * cfar_factor(pfa, k_eq)
    if mask is not None:
        occ &= ~mask
    return occ, floor


@dataclass(frozen=True)
class Emission:
    """A contiguous occupied region of a spectrum.

    Attributes
    ----------
    freq_lo_hz, freq_hi_hz : float
        Edges (outer edges of the first and last occupied bins), Hz (absolute if the spectrum was).
    center_hz : float
        Power-weighted centre, Hz.
    power : float
        Signal power in the region (sum of bins minus the noise in them), linear; with a
        "bin"-scaled Welch PSD this is the emission's power in full-scale units (dBFS).
    peak : float
        Largest bin (linear).
    snr_db : float
        Signal power over the noise in the same bandwidth, dB.
    bins : tuple of int
        (first, last) bin index.
    """

    freq_lo_hz: float
    freq_hi_hz: float
    center_hz: float
    power: float
    peak: float
    snr_db: float
    bins: tuple[int, int]

    @property
    def bandwidth_hz(self) -> float:
        """freq_hi_hz - freq_lo_hz."""
        return self.freq_hi_hz - self.freq_lo_hz

    @property
    def power_dbfs(self) -> float:
        """Signal power in dBFS."""
        return float(10 * np.log10(max(self.power, 1e-30)))


def find_emissions(freqs_hz: np.ndarray, psd: np.ndarray, occupied: np.ndarray, floor: np.ndarray,
                   bridge_bins: int = 2, min_bins: int = 1) -> list[Emission]:
    """Group occupied bins into emissions, bridging gaps of up to `bridge_bins` bins.

    Gaps are bridged because a modulated carrier's spectrum dips (GMSK nulls, OFDM pilots) and
    one emission must not be reported as several.
    """
    occ = np.asarray(occupied, bool)
    if bridge_bins > 0 and occ.any():
        occ = ndimage.binary_closing(occ, structure=np.ones(2 * bridge_bins + 1, bool)) | occ
        occ[: bridge_bins] = occupied[: bridge_bins]
        occ[-bridge_bins:] = occupied[-bridge_bins:]
    labels, n = ndimage.label(occ)
    if n == 0:
        return []
    df = float(freqs_hz[1] - freqs_hz[0])
    p = np.asarray(psd, np.float64)
    fl = np.broadcast_to(np.asarray(floor, np.float64), p.shape)
    out = []
    for sl in ndimage.find_objects(labels):
        a, b = sl[0].start, sl[0].stop - 1
        if b - a + 1 < min_bins:
            continue
        seg, nseg = p[a: b + 1], fl[a: b + 1]
        sig = np.clip(seg - nseg, 0, None)
        power = float(sig.sum())
        center = float(np.sum(freqs_hz[a: b + 1] * sig) / power) if power > 0 else float(freqs_hz[(a + b) // 2])
        out.append(Emission(float(freqs_hz[a] - df / 2), float(freqs_hz[b] + df / 2), center, power,
                            float(seg.max()), float(10 * np.log10(max(power, 1e-30) / max(nseg.sum(), 1e-30))),
                            (int(a), int(b))))
    return out


def channel_power(freqs_hz: np.ndarray, psd: np.ndarray, centers_hz, width_hz: float) -> np.ndarray:
    """Power in channels of `width_hz` centred at `centers_hz` (any raster: GSM 200 kHz, LTE 1.4-20 MHz).

    Bins are weighted by their overlap with the channel, so a channel edge inside a bin counts
    the fraction inside. `psd` must be "bin"-scaled (broadband power per bin, `welch_psd`), so
    the result is the channel's power (dBFS after `to_db`). Channels outside the spectrum get NaN.

    Examples
    --------
    >>> f = np.arange(-8, 8) * 100.0; p = np.ones(16)
    >>> channel_power(f, p, [0.0, 50.0, 5000.0], 200.0)
    array([ 2.,  2., nan])
    """
    f = np.asarray(freqs_hz, np.float64)
    df = f[1] - f[0]
    lo_edges, hi_edges = f - df / 2, f + df / 2
    c = np.atleast_1d(np.asarray(centers_hz, np.float64))
    lo, hi = c[:, None] - width_hz / 2, c[:, None] + width_hz / 2
    overlap = np.clip(np.minimum(hi, hi_edges) - np.maximum(lo, lo_edges), 0, None) / df
    out = overlap @ np.asarray(psd, np.float64)
    out[(lo[:, 0] < lo_edges[0] - 1e-9) | (hi[:, 0] > hi_edges[-1] + 1e-9)] = np.nan
    return out


def occupied_bandwidth(freqs_hz: np.ndarray, psd: np.ndarray, fraction: float = 0.99,
                       floor: float | np.ndarray = 0.0) -> float:
    """Bandwidth holding `fraction` of the (noise-subtracted) power, Hz (ITU-R SM.328 "occupied bandwidth").

    Examples
    --------
    >>> f = np.arange(-50, 50) * 10.0; p = np.where(np.abs(f) < 100, 1.0, 0.0)
    >>> occupied_bandwidth(f, p, 0.999)
    190.0
    """
    sig = np.clip(np.asarray(psd, np.float64) - floor, 0, None)
    total = sig.sum()
    if total <= 0:
        return 0.0
    cum = np.cumsum(sig) / total
    tail = (1 - fraction) / 2
    a = int(np.searchsorted(cum, tail))
    b = int(np.searchsorted(cum, 1 - tail))
    df = float(freqs_hz[1] - freqs_hz[0])
    return float((min(b, len(cum) - 1) - a + 1) * df)


def dc_mask(freqs_hz: np.ndarray, width_hz: float) -> np.ndarray:
    """True for bins within `width_hz`/2 of 0 Hz: the RTL-SDR's LO leakage (DC spike) lives there."""
    return np.abs(np.asarray(freqs_hz)) <= width_hz / 2


def edge_mask(freqs_hz: np.ndarray, sample_rate_hz: float, crop: float) -> np.ndarray:
    """True for bins in the outer `crop` fraction of the band (split between both edges), where the
    RTL-SDR's decimation filter rolls off and aliases fold in. rtl_power's ``-c`` crop, e.g. 0.2."""
    return np.abs(np.asarray(freqs_hz)) > sample_rate_hz * (1 - crop) / 2
