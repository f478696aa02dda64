"""GMSK modulation (TS 45.004): BT = 0.3, h = 1/2, differential encoding, at any sample rate.

TS 45.004 §2: the bits d(i) are differentially encoded, d'(i) = d(i) xor d(i-1), mapped to
a(i) = 1 - 2 d'(i), and filtered by g(t) = h(t) * rect(t/T), the Gaussian h(t) having
delta = sqrt(ln 2) / (2 pi BT). The phase is phi(t) = sum_i a(i) pi h int_{-inf}^{t - iT} g(u) du with
h = 1/2, so each symbol turns the phase by +-pi/2 (an all-zero FCCH burst is a tone at +Rs/4).

The phase pulse q(t) = int g is evaluated in closed form (integral of erf), so the signal can be
sampled at arbitrary instants: non-integer samples per symbol (2.4 MS/s is 8.86 samples per
symbol), sample-clock error and fractional multipath delays all come out exact.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf

__all__ = ["phase_pulse", "gmsk_modulate", "differential_symbols", "BT"]

#: Bandwidth-time product of the Gaussian filter (TS 45.004 §2.4).
BT = 0.3
_DELTA = np.sqrt(np.log(2.0)) / (2 * np.pi * BT)
_HALF_SPAN = 4  # symbols each side where q(t) differs from 0 or 1 by more than ~1e-12


def phase_pulse(t_sym: np.ndarray) -> np.ndarray:
    """The GMSK phase pulse q(t) = int_{-inf}^t g(u) du, from 0 to 1, with q(0) = 1/2 (t in symbol periods).

    Examples
    --------
    >>> np.round(phase_pulse(np.array([-5.0, 0.0, 5.0])), 6).tolist()
    [0.0, 0.5, 1.0]
    """
    t = np.asarray(t_sym, np.float64)
    s = np.sqrt(2.0) * _DELTA

    def F(x):
        return x * erf(x) + np.exp(-x * x) / np.sqrt(np.pi)

    return 0.5 + 0.5 * s * (F((t + 0.5) / s) - F((t - 0.5) / s))


def differential_symbols(bits: np.ndarray, previous_bit: int = 1) -> np.ndarray:
    """a(i) = 1 - 2 (d(i) xor d(i-1)) of TS 45.004 §2.3 (float64 +-1), with d(-1) = `previous_bit`."""
    d = np.asarray(bits, np.int8)
    prev = np.concatenate([[previous_bit], d[:-1]]).astype(np.int8)
    return (1 - 2 * (d ^ prev)).astype(np.float64)


def gmsk_modulate(bits: np.ndarray, t_sym: np.ndarray, previous_bit: int = 1, osr: int = 16) -> np.ndarray:
    """Complex-baseband GMSK signal of a bit stream, sampled at arbitrary instants.

    The phase is computed exactly on a grid of `osr` points per symbol (the increments of q(t) between
    grid points, convolved with the upsampled symbols, then summed) and interpolated linearly to the
    requested instants: at ``osr = 16`` the phase error is below 2e-3 rad (-54 dB).

    Parameters
    ----------
    bits : array of 0/1
        The modulating bits d(0..N-1); symbol i is centred at t = i symbol periods.
    t_sym : array of float
        Sampling instants in symbol periods (e.g. ``np.arange(n) * SYMBOL_RATE_HZ / fs``). Instants
        before the first or after the last symbol see the phase held constant.
    previous_bit : int
        d(-1) for the differential encoding.
    osr : int
        Grid points per symbol.

    Returns
    -------
    numpy.ndarray
        complex64, unit amplitude, same shape as `t_sym`.

    Examples
    --------
    An all-zero burst is a tone at +Rs/4 (the FCCH):

    >>> from detector.gsm._constants import SYMBOL_RATE_HZ
    >>> fs = 4 * SYMBOL_RATE_HZ
    >>> x = gmsk_modulate(np.zeros(148, np.uint8), np.arange(400) * SYMBOL_RATE_HZ / fs)
    >>> f = np.angle(np.mean(x[101:300] * np.conj(x[100:299]))) * fs / (2 * np.pi)
    >>> round(float(f), 1)
    67708.3
    """
    from scipy.signal import upfirdn

    a = differential_symbols(bits, previous_bit)
    m = _HALF_SPAN * osr
    q = phase_pulse(np.arange(-m - 1, m + 1) / osr)
    dq = np.diff(q)  # dq[j] = q(t_j) - q(t_j - 1/osr), t_j = (j - m) / osr
    inc = upfirdn(dq, a, up=osr)  # inc[n] = sum_i a(i) dq[n - osr i]: grid point t = (n - m) / osr
    phi = 0.5 * np.pi * np.cumsum(inc)
    grid = (np.arange(phi.size) - m) / osr
    t = np.asarray(t_sym, np.float64)
    ph = np.mod(np.interp(t.ravel(), grid, phi), 2 * np.pi).astype(np.float32)
    out = np.empty(ph.size, np.complex64)
    out.real = np.cos(ph)
    out.imag = np.sin(ph)
    return out.reshape(t.shape)
