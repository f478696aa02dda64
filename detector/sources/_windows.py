"""Bounded windows of samples per segment (tuning) from a stream of `IQBlock`s."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from ._block import IQBlock

__all__ = ["segment_windows"]


def segment_windows(blocks: Iterable[IQBlock], window_s: float, max_seconds: float | None = None,
                    min_s: float = 0.0) -> Iterator[tuple[np.ndarray, float, float]]:
    """Yield ``(samples, sample_rate_hz, center_freq_hz)`` windows of at most `window_s` seconds, never
    spanning two segments; at most `max_seconds` of each segment are used (the rest is read and skipped),
    and a segment's last window shorter than `min_s` seconds is dropped. Memory: one window.

    Examples
    --------
    >>> import datetime as dt
    >>> t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    >>> bl = [IQBlock(np.zeros(400, np.complex64), 1e6, 1e3, i * 400, t0, segment=i // 3) for i in range(6)]
    >>> [(w.size, fc) for w, fs, fc in segment_windows(bl, 1.0, max_seconds=0.5)]
    [(800, 1000000.0), (800, 1000000.0)]
    """
    buf: list[np.ndarray] = []
    n_buf = 0
    seg = fs = fc = None
    seen = 0.0
    for b in blocks:
        if b.segment != seg:
            if buf and n_buf >= min_s * fs:
                yield np.concatenate(buf), fs, fc
            buf, n_buf, seen = [], 0, 0.0
            seg, fs, fc = b.segment, b.sample_rate_hz, b.center_freq_hz
        if max_seconds is not None and seen >= max_seconds:
            continue
        buf.append(b.samples)
        n_buf += len(b)
        seen += len(b) / fs
        if n_buf >= window_s * fs:
            yield np.concatenate(buf), fs, fc
            buf, n_buf = [], 0
    if buf and n_buf >= min_s * (fs or 1):
        yield np.concatenate(buf), fs, fc
