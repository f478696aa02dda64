"""`IQBlock`: the unit of samples every source yields and every analyzer consumes."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np

__all__ = ["IQBlock", "DEFAULT_BLOCK_SAMPLES"]

#: Samples per block unless a source is told otherwise: 2**18 complex64 = 2 MiB, ~109 ms at 2.4 MS/s.
DEFAULT_BLOCK_SAMPLES = 1 << 18


@dataclass(frozen=True)
class IQBlock:
    """A bounded run of contiguous complex baseband samples at one tuning.

    Attributes
    ----------
    samples : numpy.ndarray
        complex64, 1-D, full scale = magnitude 1.0 per component (see `detector.sources.to_complex64`).
    center_freq_hz : float
        RF frequency at DC of `samples`, in Hz.
    sample_rate_hz : float
        Complex sample rate in samples per second (Hz).
    start_sample : int
        Index of ``samples[0]`` in the source's stream (counts every sample delivered since the
        source opened, across tunings; dropped samples are not counted).
    timestamp : datetime.datetime
        UTC time of ``samples[0]`` (timezone-aware).
    gain_db : float or None
        Tuner gain in dB in force, None for automatic gain or unknown.
    dropped : int
        Samples known to be lost immediately before this block (0 if none).
    segment : int
        Index of the tuning (SigMF captures segment, sweep step) this block belongs to.
    """

    samples: np.ndarray
    center_freq_hz: float
    sample_rate_hz: float
    start_sample: int
    timestamp: _dt.datetime
    gain_db: float | None = None
    dropped: int = 0
    segment: int = 0
    meta: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        s = self.samples
        if not isinstance(s, np.ndarray) or s.dtype != np.complex64 or s.ndim != 1:
            raise TypeError(
                f"IQBlock.samples must be a 1-D complex64 numpy array, got "
                f"{getattr(s, 'dtype', type(s).__name__)} with shape {getattr(s, 'shape', None)}"
            )
        if not self.sample_rate_hz > 0:
            raise ValueError(f"IQBlock.sample_rate_hz must be > 0 Hz, got {self.sample_rate_hz!r}")
        if self.timestamp.tzinfo is None:
            raise ValueError("IQBlock.timestamp must be timezone-aware (UTC)")

    def __len__(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_s(self) -> float:
        """Length of the block in seconds."""
        return len(self) / self.sample_rate_hz

    @property
    def end_sample(self) -> int:
        """Stream index one past the last sample."""
        return self.start_sample + len(self)
