"""FCCH detection: frequency-correction bursts anywhere in a wideband capture, no frequency prior.

The FCCH burst (TS 45.002 §5.2.4) is 148 zero bits, which GMSK turns into an unmodulated carrier at
+Rs/4 = 67.708 kHz above the C0 for 0.546 ms, five times per 51-multiframe (every 10 or 11 frames).
`fcch_search` looks for it in one pass over the whole capture, for every channel at once:

1. a short-time FFT (Hann, window ~0.43 ms ~ the burst, half-window hop) of the wideband signal;
2. for every bin and frame, the ratio of the bin's power to the mean power of the 200 kHz channel the
   tone would belong to (centred 67.7 kHz below the bin). A tone holding a carrier's whole power in
   one or two bins scores about (channel bins)/1.5 ~ 17 dB; noise and GMSK data score an exponential
   variable of mean 1, so a threshold of ``ratio_threshold`` (default 20, 13 dB) gives a false-hit
   probability of exp(-20) = 2e-9 per bin and frame; about 0.02 false hits per second at 2.4 MS/s
   (see ``benchmarks/bench_gsm.py`` for the measured rate).
3. local maxima above the threshold become `FcchHit` objects with a parabolic frequency estimate.

The search has no notion of where carriers are, so any crystal error (kal gives up beyond ~30 ppm)
is found as long as the carrier lies inside the capture: +-50 ppm is +-47 kHz at 950 MHz and +-90 kHz
at 1.8 GHz, both well inside a 2.4 MS/s capture. `refine_fcch` then measures a hit's frequency to a
few hertz and its timing to a symbol on the narrowband channel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._channelizer import ChannelSampler
from ._constants import FCCH_OFFSET_HZ, SYMBOL_RATE_HZ

__all__ = ["FcchHit", "fcch_search", "refine_fcch", "FineFcch", "stft_power"]

_CHANNEL_HALF_HZ = 100e3
_MIN_SNR_DB = -3.0  # the SCH (CRC-10) and the confirmation rule of `receive` decide


@dataclass
class FcchHit:
    """One frame of the short-time FFT where a tone stands out of its channel.

    Attributes
    ----------
    sample : float
        Centre of the FFT window, in samples of the capture.
    tone_hz : float
        Tone frequency relative to the capture's DC (Hz); the carrier is 67.7 kHz below it.
    ratio : float
        Tone bin power over the channel's mean bin power (linear).
    """

    sample: float
    tone_hz: float
    ratio: float

    @property
    def carrier_hz(self) -> float:
        """The C0 carrier frequency relative to DC (tone minus Rs/4)."""
        return self.tone_hz - FCCH_OFFSET_HZ


def _nfft_for(fs: float) -> int:
    return int(2 ** np.round(np.log2(fs * 0.45e-3)))


def stft_power(x: np.ndarray, fs: float, nfft: int | None = None, hop: int | None = None
               ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Hann short-time power spectra of `x`: (power[frame, bin] float32, frame-centre samples, nfft, hop).

    Bins are in ``numpy.fft.fftshift`` order (negative frequencies first).
    """
    nfft = nfft or _nfft_for(fs)
    hop = hop or nfft // 2
    n_frames = max(0, (x.size - nfft) // hop + 1)
    if n_frames == 0:
        return np.zeros((0, nfft), np.float32), np.zeros(0), nfft, hop
    import scipy.fft as sfft
    from numpy.lib.stride_tricks import as_strided

    win = np.hanning(nfft).astype(np.float32)
    out = np.empty((n_frames, nfft), np.float32)
    chunk = max(1, (1 << 20) // nfft)
    x = np.ascontiguousarray(x, np.complex64)
    frames = as_strided(x, shape=(n_frames, nfft), strides=(x.strides[0] * hop, x.strides[0]), writeable=False)
    h = nfft // 2
    for s in range(0, n_frames, chunk):
        f = sfft.fft(frames[s: s + chunk] * win, axis=1)
        pw = f.real * f.real + f.imag * f.imag
        out[s: s + chunk, :h] = pw[:, h:]  # fftshift
        out[s: s + chunk, h:] = pw[:, :h]
    centres = np.arange(n_frames) * hop + nfft / 2
    return out, centres, nfft, hop


def fcch_search(x: np.ndarray, fs: float, ratio_threshold: float = 20.0, nfft: int | None = None,
                hop: int | None = None, edge_hz: float = 0.0) -> list[FcchHit]:
    """Find FCCH-like tones in a wideband capture (all channels at once).

    Parameters
    ----------
    x : numpy.ndarray
        complex64 capture.
    fs : float
        Sample rate (Hz).
    ratio_threshold : float
        Tone-to-channel ratio (linear) a hit must exceed (see the module docstring).
    nfft, hop : int, optional
        FFT length and hop (default: ~0.45 ms rounded to a power of two, and half of it).
    edge_hz : float
        Ignore tones whose carrier channel would extend more than this beyond the capture's edges.

    Returns
    -------
    list of FcchHit
        In time order.

    Examples
    --------
    >>> fs = 1e6
    >>> rng = np.random.default_rng(0)
    >>> x = (rng.standard_normal(50000) + 1j * rng.standard_normal(50000)).astype(np.complex64) * 0.1
    >>> n = np.arange(10000, 10546)
    >>> x[n] += np.exp(2j * np.pi * (FCCH_OFFSET_HZ + 20e3) * n / fs)
    >>> hits = fcch_search(x, fs)
    >>> [round(h.carrier_hz / 1e3) for h in hits]
    [20]
    """
    p, centres, nfft, hop = stft_power(x, fs, nfft, hop)
    if p.shape[0] == 0:
        return []
    from scipy.ndimage import uniform_filter1d

    bin_hz = fs / nfft
    freqs = (np.arange(nfft) - nfft // 2) * bin_hz
    half = int(round(_CHANNEL_HALF_HZ / bin_hz))
    off = int(round(FCCH_OFFSET_HZ / bin_hz))
    # mean power of the channel a tone in bin b belongs to: bins b - off - half .. b - off + half
    mean = uniform_filter1d(p, 2 * half + 1, axis=1, mode="nearest")
    mean *= ratio_threshold
    usable = (freqs - FCCH_OFFSET_HZ - _CHANNEL_HALF_HZ >= -fs / 2 - edge_hz) & \
             (freqs - FCCH_OFFSET_HZ + _CHANNEL_HALF_HZ <= fs / 2 + edge_hz)
    usable[[0, 1, -2, -1]] = False
    usable[:off] = False
    # bins b >= off: the tone's channel mean is mean[:, b - off]
    fi, bi = np.nonzero(p[:, off:] > mean[:, :-off])
    bi = bi + off
    fi, bi = fi[usable[bi]], bi[usable[bi]]
    if fi.size == 0:
        return []
    # ignore what lies more than 60 dB below the frame's strongest bin (window leakage in noise-free input;
    # beyond an 8-bit receiver's dynamic range anyway)
    frames = np.unique(fi)
    fmax = np.zeros(p.shape[0], np.float32)
    fmax[frames] = p[frames].max(axis=1)
    keep = p[fi, bi] > 1e-6 * fmax[fi]
    fi, bi = fi[keep], bi[keep]
    if fi.size == 0:
        return []
    mean /= ratio_threshold
    chan_mean = mean  # alias: chan_mean[:, b] below means mean[:, b - off]
    ratio = p[fi, bi] / np.maximum(chan_mean[fi, bi - off], 1e-30)
    pc = p[fi, bi]
    # local maximum in frequency (+-2 bins) and in time (previous/next frame)
    keep = np.ones(fi.size, bool)
    for d in (-2, -1, 1, 2):
        nb = p[fi, bi + d]
        keep &= (pc >= nb) if d < 0 else (pc > nb)
    nf = p.shape[0]
    for d in (-1, 1):
        g = np.clip(fi + d, 0, nf - 1)
        r_nb = np.where((fi + d >= 0) & (fi + d < nf), p[g, bi] / np.maximum(chan_mean[g, bi - off], 1e-30), 0)
        keep &= (ratio >= r_nb) if d < 0 else (ratio > r_nb)
    fi, bi, ratio = fi[keep], bi[keep], ratio[keep]
    a_ = np.log(p[fi, bi - 1] + 1e-30)
    c_ = np.log(p[fi, bi] + 1e-30)
    e_ = np.log(p[fi, bi + 1] + 1e-30)
    den = a_ - 2 * c_ + e_
    delta = np.where(den < 0, 0.5 * (a_ - e_) / np.where(den < 0, den, -1), 0.0)
    hits = [FcchHit(float(centres[f]), float(freqs[b] + d * bin_hz), float(r))
            for f, b, d, r in zip(fi.tolist(), bi.tolist(), delta.tolist(), ratio.tolist(), strict=True)]
    return hits


@dataclass
class FineFcch:
    """A frequency-correction burst measured on the narrowband channel.

    Attributes
    ----------
    carrier_hz : float
        C0 carrier frequency relative to the capture's DC (Hz), from the tone's frequency.
    start : float
        Sample instant (in the capture) of the burst's first symbol.
    snr_db : float
        Tone power over the residual in the burst (an in-channel SNR estimate, dB).
    power : float
        Mean power of the tone (linear, full scale 1).
    """

    carrier_hz: float
    start: float
    snr_db: float
    power: float


def refine_fcch(x: np.ndarray, fs: float, hit: FcchHit, sampler: ChannelSampler | None = None) -> FineFcch | None:
    """Measure one FCCH hit precisely: tone frequency (Hz-level), burst start (about a symbol), SNR.

    The channel is sampled at one sample per symbol, shifted so that the tone sits at DC, over
    +-260 symbols around the hit; a 147-symbol boxcar locates the burst and a zero-padded FFT of
    the burst refines the frequency (twice), and a least-squares fit of the remaining phase slope gives
    the final value. Returns None when the window leaves the capture or the tone
    does not stand out (SNR below -3 dB: the SCH CRC and the confirmation rule of `receive` then decide).
    """
    sps = fs / SYMBOL_RATE_HZ
    s = sampler or ChannelSampler(fs, hit.carrier_hz)
    n_sym = 520
    t0 = hit.sample - (n_sym // 2) * sps
    if t0 < 0 or t0 + n_sym * sps >= x.size:
        return None
    tau = t0 + np.arange(n_sym) * sps
    z = s.sample(x, tau, shift_hz=hit.tone_hz - s.center_hz)  # tone near DC
    L = 147
    df = 0.0
    k = 0
    seg = z[:L]
    for _ in range(2):  # locate the burst (147-symbol window of largest coherent sum), then refine the frequency
        zz = z * np.exp(-2j * np.pi * df * np.arange(n_sym) / SYMBOL_RATE_HZ).astype(np.complex64)
        cz = np.concatenate([[0], np.cumsum(zz)])
        k = int(np.argmax(np.abs(cz[L:] - cz[:-L])))
        seg = z[k: k + L]
        nf = 4096
        spec = np.abs(np.fft.fft(seg, nf)) ** 2
        b = int(np.argmax(spec))
        a_, c_, e_ = (np.log(spec[(b + d) % nf] + 1e-30) for d in (-1, 0, 1))
        den = a_ - 2 * c_ + e_
        delta = 0.5 * (a_ - e_) / den if den < 0 else 0.0
        fb = (b + delta) / nf
        df = (fb - 1 if fb >= 0.5 else fb) * SYMBOL_RATE_HZ
    seg = seg * np.exp(-2j * np.pi * df * np.arange(L) / SYMBOL_RATE_HZ).astype(np.complex64)
    # last step: least-squares slope of the residual phase over the burst's central 137 symbols
    core = seg[5:-5]
    ph = np.angle(core * np.conj(np.mean(core)))
    k_ = np.arange(core.size) - (core.size - 1) / 2
    w_ = np.abs(core) ** 2
    slope = np.sum(w_ * k_ * ph) / max(np.sum(w_ * k_ * k_), 1e-30)  # rad per symbol
    df2 = slope * SYMBOL_RATE_HZ / (2 * np.pi)
    df += df2
    seg = seg * np.exp(-2j * np.pi * df2 * np.arange(L) / SYMBOL_RATE_HZ).astype(np.complex64)
    amp = np.mean(seg)
    resid = np.mean(np.abs(seg - amp) ** 2)
    sig = float(np.abs(amp) ** 2)
    snr = 10 * np.log10(sig / max(resid, 1e-30))
    if snr < _MIN_SNR_DB:
        return None
    carrier = hit.tone_hz + df - FCCH_OFFSET_HZ
    # the burst's 148 bits start one symbol before the tone (the first symbol's phase step depends on the
    # preceding guard bit)
    start = t0 + (k - 1) * sps
    return FineFcch(float(carrier), float(start), float(snr), sig)
