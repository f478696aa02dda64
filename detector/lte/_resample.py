"""Bring any capture to the 1.92 MS/s cell-search rate (scipy.signal.resample_poly), centred on a chosen frequency."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

from ._constants import FS

__all__ = ["to_search_rate", "rate_ratio"]


def rate_ratio(sample_rate_hz: float) -> tuple[int, int]:
    """(up, down) with up / down = 1.92 MS/s / `sample_rate_hz` exactly (or to 1 ppm).

    Examples
    --------
    >>> rate_ratio(2.048e6), rate_ratio(2.4e6), rate_ratio(15.36e6), rate_ratio(19.2e6)
    ((15, 16), (4, 5), (1, 8), (1, 10))
    """
    if not np.isfinite(sample_rate_hz) or sample_rate_hz < 1.0e6:
        raise ValueError(f"sample rate {sample_rate_hz!r} S/s is too low for LTE cell search (need >= 1.92 MS/s "
                         "to see the 62 PSS/SSS subcarriers, 945 kHz wide)")
    r = Fraction(FS / sample_rate_hz).limit_denominator(1000)
    if abs(float(r) * sample_rate_hz - FS) > 1e-6 * FS:
        r = Fraction(FS / sample_rate_hz).limit_denominator(100000)
    return r.numerator, r.denominator


def to_search_rate(x: np.ndarray, sample_rate_hz: float, shift_hz: float = 0.0) -> np.ndarray:
    """Shift `x` by -`shift_hz` (so that frequency `shift_hz` lands at DC) and resample it to 1.92 MS/s.

    Parameters
    ----------
    x : ndarray of complex
    sample_rate_hz : float
        Rate of `x` in S/s (>= 1.92 MS/s is expected; lower rates are refused).
    shift_hz : float
        Baseband frequency of `x` brought to DC before resampling (Hz).

    Returns
    -------
    ndarray of complex64 at 1.92 MS/s (the anti-alias filter of resample_poly keeps +-0.96 MHz).

    Examples
    --------
    >>> y = to_search_rate(np.ones(2400, np.complex64), 2.4e6)
    >>> y.size, y.dtype
    (1920, dtype('complex64'))
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError("x must be a 1-D array of complex samples")
    up, down = rate_ratio(sample_rate_hz)
    if shift_hz:
        n = np.arange(x.size, dtype=np.float64)
        x = x * np.exp(-2j * np.pi * shift_hz / sample_rate_hz * n).astype(np.complex64)
    if up == down:
        return x.astype(np.complex64, copy=False)
    return resample_poly(x.astype(np.complex64, copy=False), up, down).astype(np.complex64)
