"""Frequency shift, decimation and rational resampling (built on scipy.signal)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy import signal

__all__ = ["freq_shift", "decimate", "resample", "rational_ratio"]


def freq_shift(x: np.ndarray, shift_hz: float, fs: float, start_sample: int = 0) -> np.ndarray:
    """Multiply by exp(j 2 pi shift_hz n / fs): moves content up by `shift_hz` Hz. complex64 out.

    `start_sample` is the index of ``x[0]`` in the stream, so consecutive blocks shifted one after
    another stay phase-continuous.

    Examples
    --------
    >>> x = np.ones(4, np.complex64)
    >>> np.round(freq_shift(x, 250.0, 1000.0), 6)
    array([ 1.+0.j,  0.+1.j, -1.+0.j, -0.-1.j], dtype=complex64)
    """
    n = np.arange(start_sample, start_sample + len(x), dtype=np.float64)
    # reduce the phase modulo one cycle in float64 before going to float32 (long streams keep precision)
    cycles = np.mod(n * (shift_hz / fs), 1.0)
    return (np.asarray(x) * np.exp(2j * np.pi * cycles)).astype(np.complex64)


def rational_ratio(fs_in: float, fs_out: float, max_denominator: int = 1000) -> tuple[int, int]:
    """(up, down) with up/down = fs_out/fs_in, exact for the usual SDR rates (2.4 M -> 1.92 M is 4/5)."""
    r = Fraction(fs_out / fs_in).limit_denominator(max_denominator)
    if abs(float(r) - fs_out / fs_in) > 1e-9 * fs_out / fs_in:
        raise ValueError(f"no rational ratio with denominator <= {max_denominator} for {fs_in} -> {fs_out} S/s")
    return r.numerator, r.denominator


def resample(x: np.ndarray, fs_in: float, fs_out: float) -> np.ndarray:
    """Polyphase resampling (`scipy.signal.resample_poly`, Kaiser window) from `fs_in` to `fs_out` S/s, complex64."""
    up, down = rational_ratio(fs_in, fs_out)
    if up == down:
        return np.asarray(x, np.complex64)
    return signal.resample_poly(np.asarray(x, np.complex64), up, down).astype(np.complex64)


def decimate(x: np.ndarray, factor: int, numtaps: int | None = None) -> np.ndarray:
    """Low-pass (firwin, cutoff 0.8 of the new Nyquist) and keep every `factor`-th sample (upfirdn), complex64."""
    if factor < 1:
        raise ValueError(f"decimation factor must be >= 1, got {factor}")
    if factor == 1:
        return np.asarray(x, np.complex64)
    numtaps = numtaps or 16 * factor + 1
    taps = signal.firwin(numtaps, 0.8 / factor)
    y = signal.upfirdn(taps, np.asarray(x, np.complex64), up=1, down=factor)
    delay = (numtaps - 1) // 2 // factor
    return y[delay: delay + -(-len(x) // factor)].astype(np.complex64)
