"""Lag autocorrelation: the cyclic-prefix signature of OFDM, measurable even when a carrier fills the capture.

An OFDM symbol's cyclic prefix repeats the last part of the symbol one useful-symbol time Tu later,
so ``r = E[x[n] conj(x[n + L])] / E[|x|^2]`` at L = Tu * fs is about CP/(Tu + CP) times
SNR/(1+SNR) (0.066 for LTE's normal CP at high SNR), while for noise or single-carrier signals
it is zero. Over N products of circular Gaussian noise, |r|^2 is exponential with mean 1/N, so
``|r| > sqrt(-ln(pfa) / N)`` has false-alarm probability `pfa` (`lag_threshold`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["LagCorrelator", "lag_threshold"]


def lag_threshold(num_products: int, pfa: float = 1e-6) -> float:
    """|r| a noise-only input exceeds with probability `pfa` after `num_products` lag products.

    Examples
    --------
    >>> round(lag_threshold(10000, 1e-6), 4)
    0.0372
    """
    return float(np.sqrt(-np.log(pfa) / max(num_products, 1)))


@dataclass
class LagCorrelator:
    """Streaming ``sum x[n] conj(x[n + lag])`` over blocks of any length (phase continuous across cuts).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sym = np.exp(2j * np.pi * rng.random((2000, 64)))  # 2000 random constant-modulus symbols, Tu = 64
    >>> x = np.concatenate([sym[:, -16:], sym], axis=1).ravel().astype(np.complex64)  # 16-sample CP
    >>> c = LagCorrelator(64)
    >>> c.update(x[:1000]); c.update(x[1000:])
    >>> round(c.score(), 2)  # CP fraction 16/80
    0.2
    """

    lag: int
    products: int = 0
    _acc: complex = 0j
    _power: float = 0.0
    _carry: np.ndarray = field(default_factory=lambda: np.zeros(0, np.complex64))

    def update(self, x: np.ndarray) -> None:
        """Add samples."""
        y = np.concatenate([self._carry, np.asarray(x, np.complex64)])
        if y.size > self.lag:
            a, b = y[: -self.lag], y[self.lag:]
            self._acc += complex(np.vdot(b, a))  # sum a * conj(b)
            self._power += float(np.vdot(a, a).real)
            self.products += a.size
        self._carry = y[-self.lag:].copy() if y.size >= self.lag else y

    def score(self) -> float:
        """|r|, the normalised lag correlation magnitude (0 for noise, ~CP fraction for OFDM)."""
        return abs(self._acc) / self._power if self._power > 0 else 0.0

    def detected(self, pfa: float = 1e-6) -> bool:
        """True when `score` exceeds `lag_threshold` for `pfa`."""
        return self.products > 0 and self.score() > lag_threshold(self.products, pfa)

