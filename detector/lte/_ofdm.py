"""OFDM demodulation of the central 72 subcarriers at 1.92 MS/s, and the timing of a cell's symbols.

A cell's timing is a `CellTiming`: the (fractional) sample index of a radio-frame start and the ratio of
the receiver's sample clock to nominal (1 + crystal error), so that symbol positions stay exact over long
captures from a dongle whose sample clock and LO share one crystal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._constants import FRAME, NFFT, SLOT, SUBFRAME, sc_bins, symbol_starts

__all__ = ["CellTiming", "demod", "modulate_window", "BACKOFF"]

#: Samples the FFT window is moved into the cyclic prefix (robustness to timing error and delay spread).
BACKOFF = 3


@dataclass(frozen=True)
class CellTiming:
    """Where a cell's radio frames are in a 1.92 MS/s capture.

    Attributes
    ----------
    frame_start : float
        Sample index of the start of a radio frame (may be negative: the frame began before the capture).
    clock : float
        Received samples per nominal sample (1 + e for a receiver crystal e ppm x 1e-6 fast, LO and
        sample clock locked).
    cp : {"normal", "extended"}
    duplex : {"fdd", "tdd"}
    """

    frame_start: float
    clock: float = 1.0
    cp: str = "normal"
    duplex: str = "fdd"

    def position(self, nominal) -> np.ndarray:
        """Capture sample index (float) of `nominal` samples after the frame start."""
        return self.frame_start + np.asarray(nominal, dtype=np.float64) * self.clock

    def symbol(self, frame, subframe, slot, l) -> np.ndarray:
        """FFT-window start (float sample index) of symbol `l` of slot `slot` (0/1) of a subframe of frame `frame`."""
        st = symbol_starts(self.cp)
        nominal = (np.asarray(frame) * FRAME + np.asarray(subframe) * SUBFRAME + np.asarray(slot) * SLOT
                   + st[np.asarray(l)])
        return self.position(nominal)

    def frames_in(self, num_samples: int) -> np.ndarray:
        """Indices k of the radio frames that lie entirely inside a capture of `num_samples` samples."""
        first = int(np.ceil(-self.frame_start / (FRAME * self.clock) - 1e-9))
        last = int(np.floor((num_samples - self.frame_start) / (FRAME * self.clock) + 1e-9)) - 1
        return np.arange(first, last + 1)


def demod(x: np.ndarray, starts, n_sc: int = 72) -> np.ndarray:
    """FFT of the 128-sample windows at fractional `starts`; returns the `n_sc` central subcarriers.

    The window is taken `BACKOFF` samples early (inside the CP) and the resulting linear phase, together with
    the fractional part of the start, is removed, so that a channel estimate refers to the exact symbol timing.

    Parameters
    ----------
    x : ndarray of complex, 1.92 MS/s
    starts : array_like of float
        Symbol FFT-window starts (sample indices); windows falling outside `x` give zeros.
    n_sc : int
        Number of central subcarriers (even; subcarrier 0 is the lowest, DC skipped).

    Returns
    -------
    ndarray, shape starts.shape + (n_sc,), complex64
    """
    starts = np.asarray(starts, dtype=np.float64)
    flat = starts.reshape(-1)
    s = np.round(flat).astype(np.int64) - BACKOFF
    ok = (s >= 0) & (s + NFFT <= x.size)
    idx = np.clip(s, 0, max(x.size - NFFT, 0))[:, None] + np.arange(NFFT)[None, :]
    win = x[idx] if x.size >= NFFT else np.zeros((flat.size, NFFT), x.dtype)
    spec = np.fft.fft(win, axis=1)
    bins = sc_bins(n_sc)
    kk = np.where(bins > NFFT // 2, bins - NFFT, bins)
    y = spec[:, bins] * np.exp(-2j * np.pi * kk[None, :] * (s - flat)[:, None] / NFFT)
    y[~ok] = 0
    return y.reshape(*starts.shape, n_sc).astype(np.complex64)


def modulate_window(y: np.ndarray, start: float) -> tuple[int, np.ndarray]:
    """Inverse of `demod` for one symbol: (first sample, 128 time samples) that demodulate to `y`."""
    n_sc = y.shape[-1]
    s = int(np.round(start)) - BACKOFF
    bins = sc_bins(n_sc)
    kk = np.where(bins > NFFT // 2, bins - NFFT, bins)
    spec = np.zeros(NFFT, np.complex128)
    spec[bins] = y * np.exp(2j * np.pi * kk * (s - start) / NFFT)
    return s, np.fft.ifft(spec)
