"""Narrowband interference suppression: pull a carrier that stands above the wideband level around it
(a GSM carrier, 200 kHz, inside an LTE carrier) down to that level, by frequency-domain weighting.

The weight of each `resolution_hz` block of the spectrum is sqrt(local / block power) where the block's power
exceeds `excess` times the local level (the median of the blocks within `span_hz`), 1 elsewhere: a
whitening of the peaks only. A wideband signal keeps its level and its SNR in every block (signal and noise
are scaled together); white noise and clean captures are returned unchanged (the same array).
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft
from scipy.ndimage import label, median_filter

__all__ = ["flatten_narrowband"]


def flatten_narrowband(x: np.ndarray, sample_rate_hz: float, resolution_hz: float = 45e3, span_hz: float = 1.5e6,
                       excess: float = 4.0, min_width_hz: float = 120e3) -> np.ndarray:
    """`x` with its narrowband peaks pulled down to the level around them (complex64).

    Parameters
    ----------
    x : ndarray of complex
        Baseband samples.
    sample_rate_hz : float
        Their rate (Hz); the spectrum spans +-sample_rate_hz / 2.
    resolution_hz : float
        Width of the blocks the power is measured and weighted in (Hz).
    span_hz : float
        Width over which the local (wideband) level is the median of the blocks (Hz); much wider than the
        peaks to remove (a GSM carrier occupies ~200 kHz).
    excess : float
        Power ratio above the local level from which a block is pulled down (4: 6 dB; noise in a 45 kHz block
        of an 80 ms capture fluctuates by ~2 %).
    min_width_hz : float
        Narrowest peak pulled down (Hz, adjacent loud blocks): a carrier, not the receiver's DC spike or a
        spur (a receiver's own handling of those is left as it is).

    Returns
    -------
    ndarray of complex64, same length; `x` itself when no block stands out.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> noise = (rng.standard_normal(96000) + 1j * rng.standard_normal(96000)).astype(np.complex64)
    >>> flatten_narrowband(noise, 2.4e6) is noise
    True
    """
    x = np.asarray(x)
    n = x.size
    nfft = sfft.next_fast_len(n)
    df = sample_rate_hz / nfft
    per_block = max(int(round(resolution_hz / df)), 1)
    n_blocks = nfft // per_block
    if n_blocks < 8:
        return x
    X = sfft.fft(x, nfft, workers=1)
    p = np.square(X.real) + np.square(X.imag)
    p = np.fft.fftshift(p)[: n_blocks * per_block].reshape(n_blocks, per_block).mean(axis=1)
    local = median_filter(p, size=max(int(round(span_hz / resolution_hz)) | 1, 3), mode="nearest")
    loud = p > excess * np.maximum(local, 1e-30)
    if loud.any():
        runs, _ = label(loud)
        widths = np.bincount(runs)[1:] * (per_block * df)
        loud = np.isin(runs, 1 + np.flatnonzero(widths >= min_width_hz))
    if not loud.any():
        return x
    w_blocks = np.where(loud, np.sqrt(local / np.maximum(p, 1e-30)), 1.0).astype(np.float32)
    w = np.ones(nfft, np.float32)
    w[: n_blocks * per_block] = np.repeat(w_blocks, per_block)
    X *= np.fft.ifftshift(w)
    return sfft.ifft(X, workers=1)[:n].astype(np.complex64)
