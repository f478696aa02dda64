"""Power spectral density by Welch's method, in dBFS, whole-array and streaming.

Three scalings (`scipy.signal.welch` does the work):

* ``"spectrum"``: each bin holds the power of a sinusoid centred on it, so a complex tone of
  amplitude A reads A^2 (0 dBFS for a full-scale tone, |x| = 1) in its bin. Use it to read tone
  levels; do not sum it (broadband power would come out ENBW times too high, +1.76 dB for Hann).
* ``"density"``: power per Hz (white noise of total power P over a band fs reads P / fs).
* ``"bin"``: density times the bin width, i.e. power per bin for broadband signals; bins sum to
  the total power (Parseval), so channel power and emission power are sums of these bins.

Averaging is in linear power; dB only at the end. Frequencies are returned centred (``fftshift``:
-fs/2 .. fs/2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft as sp_fft
from scipy import signal

__all__ = ["welch_psd", "PsdAccumulator", "to_db", "equivalent_averages"]


def to_db(p: np.ndarray, floor: float = 1e-30) -> np.ndarray:
    """10*log10 of linear power, with `floor` so zeros give a finite (very low) level."""
    return 10.0 * np.log10(np.maximum(p, floor))


def _check(x: np.ndarray, fs: float, nfft: int, overlap: float) -> None:
    if not np.iscomplexobj(x) or x.ndim != 1:
        raise ValueError(f"x must be a 1-D complex array, got dtype {x.dtype} with shape {x.shape}")
    if not fs > 0:
        raise ValueError(f"sample rate must be > 0 Hz, got {fs}")
    if nfft < 8 or nfft & (nfft - 1):
        raise ValueError(f"nfft must be a power of two >= 8, got {nfft}")
    if not 0 <= overlap < 1:
        raise ValueError(f"overlap must be in [0, 1), got {overlap}")


def welch_psd(x: np.ndarray, fs: float, nfft: int = 1024, window: str = "hann", overlap: float = 0.5,
              scaling: str = "spectrum") -> tuple[np.ndarray, np.ndarray]:
    """Averaged periodogram of complex baseband samples.

    Parameters
    ----------
    x : numpy.ndarray
        Complex samples (full scale 1.0).
    fs : float
        Sample rate, Hz.
    nfft : int
        Segment and FFT length (power of two); bin width = fs / nfft Hz.
    window : str
        Any `scipy.signal.get_window` name ("hann", "blackmanharris", "flattop" for accurate tone levels).
    overlap : float
        Fraction of a segment shared with the next (0.5 = 50 %).
    scaling : {"spectrum", "density", "bin"}
        Power of a centred tone per bin, power per Hz, or broadband power per bin (density x bin width).

    Returns
    -------
    freqs_hz : numpy.ndarray
        Bin centres relative to the tuned frequency, ascending, float64.
    psd : numpy.ndarray
        Linear power per bin (or per Hz), float64, same order.

    Raises
    ------
    ValueError
        For real input, fewer than `nfft` samples, a bad rate, nfft or overlap.

    Examples
    --------
    >>> fs = 1e6; n = np.arange(65536)
    >>> x = (0.5 * np.exp(2j * np.pi * 125e3 / fs * n)).astype(np.complex64)
    >>> f, p = welch_psd(x, fs, nfft=256, window="flattop")
    >>> float(f[np.argmax(p)]), round(float(to_db(p.max())), 2)
    (125000.0, -6.02)
    """
    x = np.asarray(x)
    _check(x, fs, nfft, overlap)
    if x.size < nfft:
        raise ValueError(f"need at least nfft={nfft} samples, got {x.size}")
    if scaling not in ("spectrum", "density", "bin"):
        raise ValueError(f"scaling must be 'spectrum', 'density' or 'bin', got {scaling!r}")
    f, p = signal.welch(x, fs=fs, window=window, nperseg=nfft, noverlap=int(nfft * overlap), nfft=nfft,
                        return_onesided=False, scaling="spectrum" if scaling == "spectrum" else "density",
                        detrend=False, average="mean")
    if scaling == "bin":
        p = p * (fs / nfft)
    return np.fft.fftshift(f), np.fft.fftshift(p)


def equivalent_averages(nfft: int, segments: int, window: str = "hann", overlap: float = 0.5) -> float:
    """Equivalent number of independent averages of a Welch estimate (Welch 1967, eq. for overlapped windows).

    Each bin of a K-segment average of a Gaussian-noise periodogram is distributed as
    chi-squared with 2*K_eq degrees of freedom over 2*K_eq (times the true level), where

        K_eq = K / (1 + 2 * sum_{j=1}^{K-1} (1 - j/K) * rho(j)),
        rho(j) = |sum_n w[n] w[n + j*D]|^2 / (sum_n w[n]^2)^2,   D = hop in samples.

    With no overlap K_eq = K. Used to set CFAR thresholds with a stated false-alarm probability.

    Examples
    --------
    >>> equivalent_averages(1024, 10, "hann", 0.0)
    10.0
    >>> round(equivalent_averages(1024, 100, "hann", 0.5), 1)  # adjacent Hann segments at 50 % barely correlate
    94.8
    """
    if segments <= 1:
        return float(max(segments, 1))
    w = signal.get_window(window, nfft).astype(np.float64)
    hop = nfft - int(nfft * overlap)
    denom = np.sum(w**2) ** 2
    corr = 0.0
    for j in range(1, min(segments, -(-nfft // hop))):
        rho = np.sum(w[: nfft - j * hop] * w[j * hop:]) ** 2 / denom
        corr += (1 - j / segments) * rho
    return float(segments / (1 + 2 * corr))


@dataclass
class PsdAccumulator:
    """Streaming Welch PSD: feed blocks of any length, read the average at any time.

    Segments never straddle a `reset`; samples left over at the end of a block are carried
    to the next, so the result is the same however the stream is cut into blocks.

    Examples
    --------
    >>> acc = PsdAccumulator(fs=1e6, nfft=64, overlap=0.0)
    >>> x = np.ones(640, np.complex64)
    >>> for k in range(0, 640, 100): acc.update(x[k:k + 100])
    >>> acc.segments, int(np.argmax(acc.psd())), float(acc.freqs_hz()[32])
    (10, 32, 0.0)
    """

    fs: float
    nfft: int = 1024
    window: str = "hann"
    overlap: float = 0.5
    scaling: str = "bin"

    def __post_init__(self):
        _check(np.zeros(1, np.complex64), self.fs, self.nfft, self.overlap)
        w = signal.get_window(self.window, self.nfft).astype(np.float64)
        norm = {"spectrum": np.sum(w) ** 2, "density": self.fs * np.sum(w**2), "bin": self.nfft * np.sum(w**2)}
        if self.scaling not in norm:
            raise ValueError(f"scaling must be 'spectrum', 'density' or 'bin', got {self.scaling!r}")
        norm = norm[self.scaling]
        self._w = (w / np.sqrt(norm)).astype(np.complex64)
        self._hop = self.nfft - int(self.nfft * self.overlap)
        self.reset()

    def reset(self) -> None:
        """Forget everything (e.g. after a retune)."""
        self._sum = np.zeros(self.nfft, np.float64)
        self._carry = np.zeros(0, np.complex64)
        self.segments = 0

    def update(self, x: np.ndarray) -> None:
        """Add complex samples (any length) to the running average."""
        x = np.concatenate([self._carry, np.asarray(x, np.complex64)])
        if x.size < self.nfft:
            self._carry = x
            return
        count = 1 + (x.size - self.nfft) // self._hop
        frames = np.lib.stride_tricks.sliding_window_view(x, self.nfft)[:: self._hop][:count]
        # scipy.fft keeps complex64 (numpy's fft would work in complex128); |X|^2 summed over frames
        # as one float32 dot product per real/imag column, accumulated in float64 across blocks
        spec = sp_fft.fft(frames * self._w, axis=1, overwrite_x=True).view(np.float32)
        power = np.einsum("ij,ij->j", spec, spec)
        self._sum += power[0::2] + power[1::2]
        self.segments += count
        self._carry = x[count * self._hop:].copy()

    def psd(self) -> np.ndarray:
        """The average so far: linear power per bin (or per Hz), centred order; NaN before the first segment."""
        if self.segments == 0:
            return np.full(self.nfft, np.nan)
        return np.fft.fftshift(self._sum / self.segments)

    def freqs_hz(self) -> np.ndarray:
        """Bin centres relative to the tuned frequency, Hz, centred order."""
        return np.fft.fftshift(np.fft.fftfreq(self.nfft, 1 / self.fs))

    def equivalent_averages(self) -> float:
        """`equivalent_averages` for the segments accumulated so far."""
        return equivalent_averages(self.nfft, self.segments, self.window, self.overlap)
