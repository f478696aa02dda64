"""PSS search (36.211 §6.11.1): all three roots over a carrier-offset grid, non-coherent over half-frames.

Coarse stage: one FFT of the capture; for every offset hypothesis the spectrum is shifted by whole bins and
multiplied by the conjugate spectra of the three PSS replicas (only the +-480 kHz the PSS occupies is kept) and
inverse-transformed, so each hypothesis costs one IFFT per root, batched.
|correlation|^2, normalised by the capture's mean power, is folded over half-frames (5 ms), with the
half-frame period stretched by the crystal error each offset implies (LO and sample clock share a crystal):
one error when the carrier is taken at the tuned frequency, one per 100 kHz raster point within reach when
it may be anywhere in a wider capture (`candidate_periods`), the best fold kept.
Under noise alone each folded value is Gamma(H, 1) for H half-frames: the detection threshold is the
Gamma quantile that gives the requested false-alarm probability over all (root, offset, timing) cells.
Rows (root, offset) whose median exceeds that of Gamma(H, 1) (interference that is not white, e.g. a GSM
carrier inside the band) are scaled down to it, so that only a peak standing out of its row is detected.

Fine stage: around a coarse peak, full-rate correlation over +-3 samples and a 250 Hz offset grid,
then the residual offset from the phase between the two halves of the PSS correlation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft as sfft
from scipy.special import gammainccinv

from ._constants import FS, HALF_FRAME, NFFT, sc_bins
from ._sequences import pss

__all__ = ["PssPeak", "pss_replica", "pss_search", "pss_refine", "pss_threshold", "candidate_periods"]


def pss_replica(n_id_2: int) -> np.ndarray:
    """The 128-sample time-domain PSS symbol (no CP) at 1.92 MS/s, complex128, energy 62/128."""
    spec = np.zeros(NFFT, np.complex128)
    spec[sc_bins(62)] = pss(n_id_2)
    return np.fft.ifft(spec)


@dataclass
class PssPeak:
    """A PSS detection.

    Attributes
    ----------
    n_id_2 : int
    offset_hz : float
        Carrier offset from the capture's centre (Hz).
    position : float
        FFT-window start of the first PSS occurrence in the capture (sample index at 1.92 MS/s).
    period : float
        Half-frame period in samples (9600 x clock).
    metric : float
        Folded normalised correlation (Gamma(H, 1) under noise).
    threshold : float
        The detection threshold it was compared with.
    half_frames : int
        H, the number of half-frames combined.
    """

    n_id_2: int
    offset_hz: float
    position: float
    period: float
    metric: float
    threshold: float
    half_frames: int
    noise_power: float = 1.0
    """Noise power per sample in the PSS band used to normalise `metric`."""

    @property
    def clock(self) -> float:
        return self.period / HALF_FRAME


def pss_threshold(half_frames: int, n_tests: float, pfa: float) -> float:
    """Gamma(H, 1) quantile: P(max of `n_tests` noise cells > threshold) ~= `pfa`.

    Examples
    --------
    >>> round(pss_threshold(16, 1e6, 1e-3), 1)
    52.6
    """
    return float(gammainccinv(half_frames, pfa / max(n_tests, 1.0)))  # upper Gamma(H, 1) quantile


def _smooth_len(n: int, multiple: int = 1) -> int:
    """The smallest FFT length >= `n` that is a multiple of `multiple` with no prime factor above 5 (pocketfft's
    fastest: the 80 ms prescreen's inverse FFTs went from 77000 points, 2^3 5^3 7 11, to 77760 and ~7 % less CPU).

    Examples
    --------
    >>> _smooth_len(76866, 4), _smooth_len(153728, 4)
    (77760, 155520)
    """
    k = sfft.next_fast_len(n, real=True)
    while k % multiple:
        k = sfft.next_fast_len(k + 1, real=True)
    return k


@lru_cache(maxsize=8)
def _replica_spectra(nfft: int, half: int, sample_rate_hz: float = FS) -> tuple[np.ndarray, np.ndarray, float]:
    """Conjugate spectra (nfft-point) of the three PSS replicas sampled at `sample_rate_hz` over the bins
    [0, half) and [nfft - half, nfft), and a replica's energy (read-only, cached: every window reuses them)."""
    if sample_rate_hz == FS:
        reps = np.stack([pss_replica(r) for r in range(3)])
    else:
        reps = np.stack([pss_replica_at(r, sample_rate_hz) for r in range(3)])
    P = np.conj(sfft.fft(reps, nfft, axis=1))
    lo, hi = P[:, :half].astype(np.complex64), P[:, nfft - half:].astype(np.complex64)
    lo.flags.writeable = hi.flags.writeable = False
    return lo, hi, float(np.sum(np.abs(reps[0]) ** 2))


def _correlation_power(X: np.ndarray, shifts: np.ndarray, P_lo: np.ndarray, P_hi: np.ndarray, length: int,
                       n_valid: int, n_input: int, chunk: int):
    """|correlation|^2 of the capture (spectrum `X`, nfft points) with the three replicas (conjugate spectra
    `P_lo`, `P_hi` over the kept bins [0, half) and [-half, 0)) for each shift of `shifts` (bins).

    Yields ``(i0, power, noise)`` per chunk of shifts starting at index i0: power (c, 3, n_valid) float32,
    un-normalised, from an inverse FFT of `length` points (nfft: full rate; 2 half: the 0.96 MS/s
    correlation); noise (c,), the noise power per input sample in each shifted band (median of |X|^2 over a
    1-in-8 subset of its bins, robust to spurs and the DC spike). The arrays are reused between chunks."""
    nfft = X.size
    half = P_lo.shape[1]
    ext = int(np.abs(shifts).max()) + 1 if shifts.size else 1
    Xe = np.concatenate([X[nfft - ext:], X, X[:ext]])  # shifted bands become contiguous slices
    Pe = np.square(Xe.real)
    Pe += np.square(Xe.imag)
    sub_idx = ext + np.concatenate([np.arange(0, half, 8), np.arange(nfft - half, nfft, 8)])  # 1 in 8 kept bins
    rows = min(chunk, shifts.size)
    buf = np.zeros((rows, 3, length), np.complex64)  # bins outside the kept band stay zero
    power = np.empty((rows, 3, n_valid), np.float32)
    noise = np.empty(rows)
    for i0 in range(0, shifts.size, chunk):
        sh = shifts[i0:i0 + chunk]
        c = sh.size
        noise[:c] = np.median(Pe[sub_idx[None, :] + sh[:, None]], axis=1) / (n_input * np.log(2))
        for i, s in enumerate(sh):
            lo = Xe[ext + s:ext + s + half]
            hi = Xe[ext + nfft - half + s:ext + nfft + s]
            np.multiply(lo[None, :], P_lo, out=buf[i, :, :half])
            np.multiply(hi[None, :], P_hi, out=buf[i, :, length - half:])
        corr = sfft.ifft(buf[:c], axis=2, workers=1, overwrite_x=True)
        v = corr.view(np.float32)  # interleaved re, im
        np.square(v, out=v)
        np.add(v[:, :, 0:2 * n_valid:2], v[:, :, 1:2 * n_valid:2], out=power[:c])
        if np.shares_memory(corr, buf):
            buf[:, :, half:length - half] = 0
        yield i0, power[:c], noise[:c]


def _best_of(folds: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise maximum of non-negative float32 arrays (at most 8) and the index of the array holding it.

    The index is packed into the 3 lowest mantissa bits of each value (a relative change below 1e-6), so
    one `np.maximum` pass per array finds both: non-negative IEEE floats order like their bit patterns.
    The arrays are modified in place."""
    if not 0 < len(folds) <= 8:
        raise ValueError(f"1 to 8 arrays, not {len(folds)}")
    best = None
    for i, f in enumerate(folds):
        bits = f.view(np.int32)
        bits &= ~7
        bits |= i
        best = f if best is None else np.maximum(best, f, out=best)
    return best, (best.view(np.int32) & 7).astype(np.int8)


def _rescale_rows(folded: np.ndarray, h_count: int) -> None:
    """Pull each (root, offset) row whose median exceeds that of Gamma(H, 1) down to it, in place.

    Robustness to non-white interference (a GSM carrier, spurs): white noise is left unchanged, a row lifted
    by interference is scaled so that only a peak standing out of its row can be detected."""
    med = np.median(folded[..., ::8], axis=-1, keepdims=True)
    folded *= np.minimum(1.0, (h_count - 1 / 3) / np.maximum(med, 1e-30)).astype(np.float32)


def _suppress(folded: np.ndarray, offsets_hz: np.ndarray, n2: int, off: float, t: int, span_hz: float,
              half_width: int) -> None:
    """Zero root `n2`'s cells within `span_hz` of `off` and `half_width` timing samples of `t` (circular)."""
    width = folded.shape[-1]
    oi = np.abs(offsets_hz - off) <= span_hz
    tt = np.arange(t - half_width, t + half_width + 1) % width
    folded[n2][np.ix_(oi, tt)] = 0


def _take_peaks(folded: np.ndarray, period_idx: np.ndarray, offsets_hz: np.ndarray, periods: np.ndarray,
                noise: np.ndarray, thr: float, h_count: int, max_peaks: int, decimate: int) -> list[PssPeak]:
    """The strongest cells of `folded` (3 roots, S offsets, width timings) at or above `thr`, strongest first;
    each zeroes its root's cells within 1.5 offset steps and +-3.6 us (in place). `period_idx` (same shape)
    indexes the row's candidate `periods` (S, P) that gave each cell; timings are in samples at 1.92 MS/s /
    `decimate`."""
    step = (offsets_hz[1] - offsets_hz[0]) if offsets_hz.size > 1 else 1.0
    peaks: list[PssPeak] = []
    for _ in range(max_peaks):
        r, o, t = np.unravel_index(int(np.argmax(folded)), folded.shape)
        val = float(folded[r, o, t])
        if val < thr:
            break
        peaks.append(PssPeak(int(r), float(offsets_hz[o]), float(t * decimate), float(periods[o, period_idx[r, o, t]]),
                             val, thr, h_count, float(noise[o])))
        _suppress(folded, offsets_hz, int(r), float(offsets_hz[o]), int(t), 1.5 * step, 7 // decimate)
    return peaks


def candidate_periods(offsets_hz: np.ndarray, carrier_hz: float | None, clock_ppm=(0.0,),
                      raster_offsets_hz=None, ppm_max: float = 120.0, ppm_center: float = 0.0) -> np.ndarray:
    """Half-frame periods (samples at 1.92 MS/s) to fold each carrier-offset hypothesis with: (S, P).

    * `raster_offsets_hz` given (and `carrier_hz`, the capture centre's absolute frequency): the carrier sits on
      one of these raster points (Hz from the centre), so an offset hypothesis f with the carrier on raster
      point d means an LO error d - f and (LO and sample clock sharing a crystal) a period
      9600 (1 - (f - d) / carrier_hz); every d whose crystal error lies within `ppm_max` of `ppm_center` (the
      error the receiver is believed to have, ppm; LO error / frequency) is a candidate (exact, unlike a ppm
      grid), the most likely first. Rows with fewer candidates repeat their first.
    * else `carrier_hz` given: the carrier at the centre (d = 0): one period per offset.
    * else: the `clock_ppm` grid, 9600 (1 + ppm 1e-6), the same for every offset.

    Examples
    --------
    >>> candidate_periods(np.array([-38e3]), 1900e6).round(2).tolist()
    [[9600.19]]
    >>> candidate_periods(np.array([60e3]), 1900e6, raster_offsets_hz=np.array([0.0, 1e5, 2e5, 3e5])).shape
    (1, 3)
    """
    f = np.asarray(offsets_hz, dtype=np.float64)[:, None]
    if raster_offsets_hz is not None and carrier_hz:
        d = np.asarray(raster_offsets_hz, dtype=np.float64)[None, :]
        err = f - d  # -(LO error): the LO, at carrier_hz, is off by the crystal's error
        miss = np.abs(err + ppm_center * 1e-6 * carrier_hz)
        ok = miss <= ppm_max * 1e-6 * carrier_hz
        per = HALF_FRAME * (1 - err / carrier_hz)
        order = np.argsort(np.where(ok, miss, np.inf), axis=1, kind="stable")
        per, ok = np.take_along_axis(per, order, 1), np.take_along_axis(ok, order, 1)
        width = max(int(ok.sum(axis=1).max()), 1)
        per, ok = per[:, :width], ok[:, :width]
        return np.where(ok, per, per[:, :1])
    if carrier_hz:
        return HALF_FRAME * (1 - f / carrier_hz)
    clocks = np.asarray(clock_ppm, dtype=np.float64)[None, :]
    return np.broadcast_to(HALF_FRAME * (1 + clocks * 1e-6), (f.shape[0], clocks.shape[1])).copy()


def _fold_best(mag: np.ndarray, periods: np.ndarray, width: int, h_count: int, gain: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Fold rows of `mag` (R, 3, L) over `h_count` half-frames with each of their candidate `periods` (R, P, in
    `mag` samples), normalise by `gain` (R,) and keep the best per cell: (best (R, 3, width) float32, index of
    its period int8).

    Each candidate's fold is Gamma(H, 1) on noise and is rescaled (`_rescale_rows`) before the maximum is
    taken (the maximum itself is not Gamma(H, 1): rescaling it would scale every peak down). Rows whose
    candidate has the same whole-sample offsets for every half-frame are folded together."""
    folds = []
    norm = gain.astype(np.float32)[:, None, None]
    h = np.arange(h_count)
    for pi in range(periods.shape[1]):
        starts = np.round(h[None, :] * periods[:, pi:pi + 1]).astype(np.int64)  # (R, H)
        fo = np.zeros((mag.shape[0], 3, width), np.float32)
        uniq, inverse = np.unique(starts, axis=0, return_inverse=True)
        for gi, row_starts in enumerate(uniq):
            rows = np.flatnonzero(inverse.ravel() == gi)
            acc = fo[rows] if rows.size > 1 else fo[rows[0]][None]
            for o in row_starts:
                seg = mag[rows, :, o:o + width] if rows.size > 1 else mag[rows[0], :, o:o + width][None]
                acc[:, :, :seg.shape[-1]] += seg
            fo[rows] = acc
        fo *= norm  # folding is linear: normalised afterwards
        _rescale_rows(fo, h_count)
        folds.append(fo)
    return _best_of(folds)


def _half_frames(n_valid: int, width: int, periods: np.ndarray) -> int:
    """Complete half-frames every candidate period fits in `n_valid` correlation samples."""
    return max(int(np.floor((n_valid - width) / float(np.max(periods)))) + 1, 1)


def pss_search(x: np.ndarray, offsets_hz: np.ndarray, carrier_hz: float | None = None, pfa: float = 1e-3,
               max_peaks: int = 12, exclude: list[tuple[int, float, float]] | None = None,
               chunk: int = 8, clock_ppm: tuple[float, ...] = (0.0,), decimate: int = 1,
               raster_offsets_hz: np.ndarray | None = None, ppm_max: float = 120.0, ppm_center: float = 0.0
               ) -> tuple[list[PssPeak], float]:
    """Coarse PSS search over roots x offsets x timing; returns peaks above threshold, strongest first.

    Parameters
    ----------
    x : ndarray of complex64, 1.92 MS/s
        The capture (at least one half-frame + 128 samples).
    offsets_hz : ndarray of float
        Carrier-offset hypotheses (Hz from the capture centre).
    carrier_hz : float, optional
        Absolute frequency of the capture centre: the half-frame period of an offset hypothesis f is
        9600 (1 - f / carrier_hz) samples (receiver crystal error, LO and clock locked). None: 9600.
    pfa : float
        False-alarm probability of the whole search on noise.
    max_peaks : int
        Peaks returned at most (non-maximum suppression between them).
    exclude : list of (n_id_2, offset_hz, position), optional
        Peaks already explained (found cells): suppressed.
    clock_ppm : tuple of float
        Sample-clock error hypotheses (ppm) folded when `carrier_hz` is None (the offset does not tell the
        crystal error, e.g. a carrier away from the centre of a wide capture); the best one is kept per cell.
    decimate : {1, 2}
        2 computes the correlation at 0.96 MS/s (half the IFFT length; up to ~1 dB average loss from the
        coarser timing grid), used where many sub-bands must be searched.
    raster_offsets_hz, ppm_max, ppm_center :
        The raster points (Hz from the centre) the carrier may sit on, with `carrier_hz`: the exact period of
        each (`candidate_periods`, crystal errors within `ppm_max` of `ppm_center`) instead of the `clock_ppm`
        grid.

    Returns
    -------
    (peaks, threshold)
    """
    x = np.asarray(x, dtype=np.complex64)
    n = x.size
    if n < HALF_FRAME // 2 + NFFT:
        raise ValueError(f"capture too short for a PSS search: {n} samples, need >= {HALF_FRAME // 2 + NFFT}")
    nfft = _smooth_len(n + NFFT, 4)  # m even: the kept band is exactly the spectrum of the 0.96 MS/s correlation
    m = nfft // 2  # bins kept: the +-480 kHz the PSS occupies
    df = FS / nfft
    shifts = np.unique(np.round(np.asarray(offsets_hz, dtype=np.float64) / df).astype(np.int64))
    X = sfft.fft(x, nfft, workers=1)
    half = m // 2
    P_lo, P_hi, energy = _replica_spectra(nfft, half)
    scale = 1.0 / energy  # |corr|^2 / |p|^2
    if decimate not in (1, 2):
        raise ValueError(f"decimate must be 1 or 2, not {decimate!r}")
    length = nfft if decimate == 1 else 2 * half  # IFFT length: full rate, or the 0.96 MS/s correlation
    gain = scale if decimate == 1 else scale * (length / nfft) ** 2
    n_valid = (n - NFFT) // decimate + 1
    width = HALF_FRAME // decimate
    folded = np.zeros((3, shifts.size, width), np.float32)
    periods = candidate_periods(shifts * df, carrier_hz, clock_ppm, raster_offsets_hz, ppm_max, ppm_center)  # (S, P)
    best_clock = np.zeros((3, shifts.size, width), np.int8)
    noise = np.zeros(shifts.size)
    h_count = _half_frames(n_valid, width, periods / decimate)
    for c0, mag, s2 in _correlation_power(X, shifts, P_lo, P_hi, length, n_valid, n, chunk):
        c = s2.size
        noise[c0:c0 + c] = s2
        best, arg = _fold_best(mag, periods[c0:c0 + c] / decimate, width, h_count, gain / np.maximum(s2, 1e-30))
        folded[:, c0:c0 + c, :] = best.transpose(1, 0, 2)
        best_clock[:, c0:c0 + c, :] = arg.transpose(1, 0, 2)
    thr = pss_threshold(h_count, 3 * shifts.size * width * periods.shape[1], pfa)
    offs = shifts * df
    for n2, off, pos in exclude or []:
        _suppress(folded, offs, n2, off, int(round(pos / decimate)) % width, 2 * df + 3e3, 7 // decimate)
    return _take_peaks(folded, best_clock, offs, periods, noise, thr, h_count, max_peaks, decimate), thr


def pss_refine(x: np.ndarray, peak: PssPeak, step_hz: float, carrier_hz: float | None = None,
               clock_span_ppm: float = 0.0) -> PssPeak:
    """Full-rate timing (+-3 samples), offset (250 Hz grid over +-`step_hz`/2) and, when `carrier_hz` is None,
    sample clock (+-`clock_span_ppm` in 5 ppm steps) refinement; then the residual offset from the phase
    between the PSS correlation's two halves (unambiguous to +-15 kHz)."""
    x = np.asarray(x)
    rep = pss_replica(peak.n_id_2)
    n = np.arange(NFFT)
    fine = peak.offset_hz + np.arange(-step_hz / 2, step_hz / 2 + 1e-9, 250.0)
    if carrier_hz:
        periods = np.array([HALF_FRAME * (1 - fine.mean() / carrier_hz)])
    else:
        d = np.arange(-clock_span_ppm, clock_span_ppm + 1e-9, 5.0) if clock_span_ppm > 0 else np.zeros(1)
        periods = peak.period * (1 + d * 1e-6)
    h = np.arange(int((x.size - NFFT - peak.position - 4) // periods.max()) + 1)
    dts = np.arange(-3, 4)
    base = np.round(peak.position + h[None, :] * periods[:, None]).astype(np.int64)  # (C, H)
    ok = (base.min(axis=0) - 3 >= 0) & (base.max(axis=0) + 3 + NFFT <= x.size)
    base = base[:, ok]
    if base.size == 0:
        return peak
    starts = base[:, :, None] + dts[None, None, :]  # (C, H, 7)
    win = x[starts[..., None] + n]  # (C, H, 7, 128)
    tmpl = np.conj(rep)[None, :] * np.exp(-2j * np.pi * fine[:, None] * n[None, :] / FS)  # (F, 128)
    c = np.einsum("chdn,fn->chdf", win, tmpl)
    s = np.sum(np.abs(c) ** 2, axis=1)  # (C, 7, F)
    ci, di, fi = np.unravel_index(int(np.argmax(s)), s.shape)
    f0 = fine[fi]
    w = win[ci, :, di, :]
    t1 = tmpl[fi]
    c1 = np.sum(w[:, :64] * t1[:64], axis=1)
    c2 = np.sum(w[:, 64:] * t1[64:], axis=1)
    resid = float(np.angle(np.sum(c2 * np.conj(c1))) / (2 * np.pi * 64 / FS))
    f_est = f0 + resid
    period = HALF_FRAME * (1 - f_est / carrier_hz) if carrier_hz else float(periods[ci])
    pos = peak.position + dts[di]
    metric = float(s[ci, di, fi] / (peak.noise_power * float(np.sum(np.abs(rep) ** 2))))
    return PssPeak(peak.n_id_2, float(f_est), float(pos), float(period), metric, peak.threshold, int(ok.sum()),
                   peak.noise_power)


def pss_replica_at(n_id_2: int, sample_rate_hz: float) -> np.ndarray:
    """The PSS symbol (no CP, 1/15 kHz long) sampled at `sample_rate_hz` with the scale of `pss_replica`."""
    n_len = int(np.ceil(sample_rate_hz / 15e3 - 1e-9))
    k = np.concatenate([np.arange(-31, 0), np.arange(1, 32)])
    t = np.arange(n_len) / sample_rate_hz
    return np.exp(2j * np.pi * 15e3 * t[:, None] * k[None, :]) @ pss(n_id_2) / NFFT


def pss_prescreen(x: np.ndarray, sample_rate_hz: float, offsets_hz: np.ndarray, pfa: float = 0.1,
                  clock_ppm: tuple[float, ...] = (0.0,), chunk: int = 16, max_peaks: int = 24,
                  carrier_hz: float | None = None, raster_offsets_hz: np.ndarray | None = None,
                  ppm_max: float = 120.0, ppm_center: float = 0.0) -> tuple[list[PssPeak], float]:
    """Coarse PSS search of a capture at its own rate (faster than 1.92 MS/s) over every offset at once.

    The same statistic as `pss_search` with ``decimate=2`` (correlation at 0.96 MS/s, non-coherent over
    half-frames, rows rescaled to the Gamma(H, 1) median, the best of the `clock_ppm` hypotheses), computed
    from one FFT of `x` without shifting and resampling it per sub-band: the kept +-480 kHz around each offset
    is exactly the spectrum of the 0.96 MS/s correlation. `offsets_hz` should stay within
    +-(sample_rate_hz / 2 - 480 kHz) (beyond, the band wraps around). Used to tell which sub-bands hold a PSS
    worth the full search (a permissive `pfa`: a false alarm only costs time).

    Returns
    -------
    (peaks, threshold); positions are in 1.92 MS/s samples (even), offsets in Hz from the capture centre.
    """
    x = np.asarray(x, dtype=np.complex64)
    n = x.size
    fs = float(sample_rate_hz)
    from fractions import Fraction
    ratio = Fraction(fs / (FS / 2)).limit_denominator(1000)  # nfft / m
    a, b = ratio.numerator, ratio.denominator
    step_m = 2 * b
    m = _smooth_len(int(np.ceil(n * (FS / 2) / fs)) + NFFT // 2 + 2, step_m)
    while sfft.next_fast_len(m * a // b) != m * a // b:  # a rate whose ratio to 0.96 MS/s has large primes
        m = _smooth_len(m + 1, step_m)
    nfft = m * a // b
    df = fs / nfft
    n_valid = int(np.floor((n / fs - NFFT / FS) * (FS / 2))) + 1
    if n_valid < HALF_FRAME // 2:
        raise ValueError(f"capture too short for a PSS search: {n} samples")
    shifts = np.unique(np.round(np.asarray(offsets_hz, dtype=np.float64) / df).astype(np.int64))
    X = sfft.fft(x, nfft, workers=1)
    half = m // 2
    P_lo, P_hi, energy = _replica_spectra(nfft, half, fs)
    gain = (m / nfft) ** 2 / energy
    width = HALF_FRAME // 2
    # the carrier's raster point known (the tuned frequency is): exact periods, else the clock_ppm grid
    periods = candidate_periods(shifts * df, carrier_hz if raster_offsets_hz is not None else None, clock_ppm,
                                raster_offsets_hz, ppm_max, ppm_center)
    h_count = _half_frames(n_valid, width, periods / 2)
    thr = pss_threshold(h_count, 3 * shifts.size * width * periods.shape[1], pfa)
    step = (shifts[1] - shifts[0]) * df if shifts.size > 1 else 1.0
    # peaks are taken chunk by chunk (memory stays that of one chunk, whatever the capture's width), then
    # merged strongest first with the same suppression around each
    found: list[PssPeak] = []
    for c0, mag, s2 in _correlation_power(X, shifts, P_lo, P_hi, m, n_valid, n, chunk):
        c = s2.size
        best, arg = _fold_best(mag, periods[c0:c0 + c] / 2, width, h_count, gain / np.maximum(s2, 1e-30))
        found += _take_peaks(best.transpose(1, 0, 2), arg.transpose(1, 0, 2), shifts[c0:c0 + c] * df,
                             periods[c0:c0 + c], s2, thr, h_count, max_peaks, 2)
    peaks: list[PssPeak] = []
    for q in sorted(found, key=lambda q: -q.metric):
        if len(peaks) >= max_peaks:
            break
        if not any(p.n_id_2 == q.n_id_2 and abs(p.offset_hz - q.offset_hz) <= 1.5 * step
                   and abs((p.position - q.position + HALF_FRAME / 2) % HALF_FRAME - HALF_FRAME / 2) <= 6
                   for p in peaks):
            peaks.append(q)
    return peaks, thr
