"""The source interface every reader implements, and the shared file-region reader.

A *source* yields `IQBlock` objects. A recording (`RecordingSource`) holds one or more
*segments* (SigMF ``captures``; one per tuning) and replays them in order, as a sweep.
A live source (`TunableSource`) is tuned and read. Both are context managers whose
``close()`` is idempotent; replay and live runs share every line downstream of `blocks()`.
"""

from __future__ import annotations

import abc
import datetime as _dt
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from ..errors import FormatError, TruncatedError, UsageError
from ._block import DEFAULT_BLOCK_SAMPLES, IQBlock
from ._convert import SampleFormat, to_complex64

__all__ = ["Segment", "SourceStats", "Source", "RecordingSource", "TunableSource", "UTC", "check_block_samples"]

UTC = _dt.timezone.utc


def check_block_samples(block_samples: int) -> int:
    """Validate a block length in samples (1 .. 2**24)."""
    n = int(block_samples)
    if not 1 <= n <= 1 << 24:
        raise UsageError(f"block length must be 1 to {1 << 24} samples, got {block_samples!r}")
    return n


@dataclass(frozen=True)
class Segment:
    """One tuning of a recording: a contiguous run of samples at one centre frequency.

    Attributes
    ----------
    index : int
        Position in the recording (0-based).
    center_freq_hz : float or None
        RF centre frequency in Hz (None when the recording does not say).
    sample_rate_hz : float
        Complex sample rate in S/s.
    first_sample : int
        Index of the segment's first sample in the recording.
    num_samples : int
        Whole samples in the segment.
    byte_offset : int
        Byte position of the first sample in the data file.
    datetime : datetime.datetime or None
        UTC time of the first sample when recorded.
    meta : dict
        Extra per-segment metadata (SigMF capture fields, gain), for `detector info`.
    """

    index: int
    center_freq_hz: float | None
    sample_rate_hz: float
    first_sample: int
    num_samples: int
    byte_offset: int
    datetime: _dt.datetime | None = None
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def duration_s(self) -> float:
        """Segment length in seconds."""
        return self.num_samples / self.sample_rate_hz

    def covers(self, freq_hz: float, margin_hz: float = 0.0) -> bool:
        """True if `freq_hz` lies inside this segment's band, `margin_hz` in from each edge."""
        if self.center_freq_hz is None:
            return False
        return abs(freq_hz - self.center_freq_hz) <= self.sample_rate_hz / 2 - margin_hz


@dataclass
class SourceStats:
    """Counters every source keeps; reported by the CLI so that no loss is silent.

    Attributes
    ----------
    samples : int
        Samples delivered in blocks.
    dropped : int
        Samples known lost (queue overflow, USB gap against the wall clock, server drop).
    discarded : int
        Samples thrown away on purpose after each retune (settling).
    clipped : int
        Samples with I or Q at full scale (saturation), integer formats only.
    blocks : int
        Blocks delivered.
    retunes : int
        Frequency changes.
    """

    samples: int = 0
    dropped: int = 0
    discarded: int = 0
    clipped: int = 0
    blocks: int = 0
    retunes: int = 0

    def as_dict(self) -> dict:
        """The counters as a plain dict (for JSON)."""
        return dict(self.__dict__)


class Source(abc.ABC):
    """Anything that yields `IQBlock` objects.

    Subclasses implement `blocks` and `_close`. ``close()`` is idempotent and safe to call
    from ``__exit__`` after an error; using a closed source raises `UsageError`.
    """

    #: Human-readable name used in records' ``source`` field and in error messages.
    name: str = "source"

    def __init__(self) -> None:
        self.stats = SourceStats()
        self._closed = False

    @abc.abstractmethod
    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES) -> Iterator[IQBlock]:
        """Yield bounded blocks of at most `block_samples` samples until the source ends."""

    def _close(self) -> None:  # noqa: B027 - optional hook, most sources have something to release
        """Release resources (called once)."""

    def close(self) -> None:
        """Release the source's resources; calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        self._close()

    @property
    def closed(self) -> bool:
        """True once `close` was called."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise UsageError(f"{self.name}: source is closed")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RecordingSource(Source):
    """A recording on disk: raw bytes of one `SampleFormat` in one or more `Segment` regions.

    The openers (raw files, WAV, SigMF) parse their metadata into ``segments`` and share this
    reader, which reads at most one block at a time (memory stays flat however long the file),
    converts with `to_complex64`, and reports the first NaN/inf or trailing partial sample as an
    error *after* yielding every whole, finite sample before it.

    Attributes
    ----------
    path : str
        File holding the samples.
    fmt : SampleFormat
    segments : list of Segment
    metadata : dict
        What the recording says about itself (for `detector info`).
    end_error : str or None
        A truncation found while opening (partial last sample, data shorter than the header says);
        raised as `TruncatedError` after every whole sample has been yielded.
    """

    def __init__(self, path: str, fmt: SampleFormat, segments: list[Segment], metadata: dict | None = None,
                 end_error: str | None = None, name: str | None = None):
        super().__init__()
        self.path = str(path)
        self.fmt = fmt
        self.segments = list(segments)
        self.metadata = dict(metadata or {})
        self.end_error = end_error
        self.name = name or f"file:{self.path}"
        self._fh = None

    # -- description ------------------------------------------------------------------------
    @property
    def sample_rate_hz(self) -> float:
        """Sample rate of the first segment in S/s."""
        return self.segments[0].sample_rate_hz

    @property
    def center_freq_hz(self) -> float | None:
        """Centre frequency of the first segment in Hz."""
        return self.segments[0].center_freq_hz

    @property
    def num_samples(self) -> int:
        """Whole samples in all segments."""
        return sum(s.num_samples for s in self.segments)

    @property
    def duration_s(self) -> float:
        """Total length in seconds."""
        return sum(s.duration_s for s in self.segments)

    def segment_for(self, freq_hz: float) -> Segment | None:
        """The segment whose band holds `freq_hz` (nearest centre first), or None."""
        inside = [s for s in self.segments if s.covers(freq_hz)]
        return min(inside, key=lambda s: abs(s.center_freq_hz - freq_hz)) if inside else None

    def describe(self) -> dict:
        """What the recording holds, as a JSON-ready dict (used by ``detector info``)."""
        return {
            "path": self.path,
            "format": self.metadata.get("container", "raw"),
            "datatype": self.fmt.name,
            "sample_rate_hz": self.sample_rate_hz,
            "num_samples": self.num_samples,
            "duration_s": round(self.duration_s, 6),
            "segments": [
                {
                    "index": s.index,
                    "center_freq_hz": s.center_freq_hz,
                    "sample_rate_hz": s.sample_rate_hz,
                    "first_sample": s.first_sample,
                    "num_samples": s.num_samples,
                    "duration_s": round(s.duration_s, 6),
                    "datetime": s.datetime.isoformat().replace("+00:00", "Z") if s.datetime else None,
                    **s.meta,
                }
                for s in self.segments
            ],
            "metadata": self.metadata,
        }

    # -- reading ----------------------------------------------------------------------------
    def _file(self):
        self._check_open()
        if self._fh is None:
            try:
                self._fh = open(self.path, "rb")  # noqa: SIM115 - closed in _close
            except OSError as e:
                raise FormatError(f"{self.path}: cannot open: {e.strerror}") from e
        return self._fh

    def read(self, segment: Segment, start: int, count: int) -> np.ndarray:
        """Read up to `count` samples from `segment` beginning at its sample `start` (random access).

        Returns complex64; shorter than `count` only at the segment's end. Raises `FormatError`
        at a NaN/inf sample, naming its index.
        """
        if start < 0 or count < 0:
            raise UsageError(f"{self.path}: read start/count must be >= 0, got {start}/{count}")
        count = max(0, min(count, segment.num_samples - start))
        bps = self.fmt.bytes_per_sample
        fh = self._file()
        fh.seek(segment.byte_offset + start * bps)
        raw = fh.read(count * bps)
        got = len(raw) // bps
        samples = to_complex64(raw[: got * bps], self.fmt)
        self._check_finite(samples, segment, start)
        return samples

    def _check_finite(self, samples: np.ndarray, segment: Segment, start: int) -> None:
        if not self.fmt.is_float or samples.size == 0:
            return
        bad = ~np.isfinite(samples)
        if bad.any():
            i = int(np.argmax(bad))
            index = segment.first_sample + start + i
            raise FormatError(
                f"{self.path}: sample {index} "
                f"(byte offset {segment.byte_offset + (start + i) * self.fmt.bytes_per_sample})"
                f" is {samples[i]}; expected finite {self.fmt.name} values"
            )

    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES, segments: list[int] | None = None,
               ) -> Iterator[IQBlock]:
        """Yield the recording as blocks, segment after segment (a sweep replays as a sweep).

        Parameters
        ----------
        block_samples : int
            Maximum samples per block.
        segments : list of int, optional
            Only these segment indices.

        Raises
        ------
        FormatError
            At the first NaN/inf sample (blocks before it were yielded; the partial block up to
            it is yielded too).
        TruncatedError
            After the last whole sample, when the file ends mid-sample or short of its metadata.
        """
        block_samples = check_block_samples(block_samples)
        bps = self.fmt.bytes_per_sample
        clip_lo, clip_hi = self._clip_levels()
        for seg in self.segments:
            if segments is not None and seg.index not in segments:
                continue
            fh = self._file()
            fh.seek(seg.byte_offset)
            buf = bytearray(block_samples * bps)
            view = memoryview(buf)
            pos = 0
            t0 = seg.datetime or _dt.datetime.fromtimestamp(0, UTC)
            if seg.index > 0:
                self.stats.retunes += 1
            while pos < seg.num_samples:
                want = min(block_samples, seg.num_samples - pos)
                got_bytes = fh.readinto(view[: want * bps])
                got = got_bytes // bps
                if got == 0:
                    break
                raw = np.frombuffer(buf, dtype=self.fmt.component_dtype, count=2 * got)
                samples = to_complex64(raw, self.fmt)
                error = None
                if self.fmt.is_float:
                    try:
                        self._check_finite(samples, seg, pos)
                    except FormatError as e:
                        bad = int(np.argmax(~np.isfinite(samples)))
                        samples, error = samples[:bad], e
                elif clip_hi is not None:
                    at_rail = (raw == clip_lo) | (raw == clip_hi)
                    self.stats.clipped += int(np.count_nonzero(at_rail[0::2] | at_rail[1::2]))
                if samples.size:
                    block = IQBlock(
                        samples=samples,
                        center_freq_hz=seg.center_freq_hz if seg.center_freq_hz is not None else math.nan,
                        sample_rate_hz=seg.sample_rate_hz,
                        start_sample=seg.first_sample + pos,
                        timestamp=t0 + _dt.timedelta(seconds=pos / seg.sample_rate_hz),
                        gain_db=seg.meta.get("gain_db"),
                        segment=seg.index,
                    )
                    self.stats.samples += len(block)
                    self.stats.blocks += 1
                    yield block
                if error is not None:
                    raise error
                pos += got
                if got < want:
                    break
            if pos < seg.num_samples:
                raise TruncatedError(
                    f"{self.path}: segment {seg.index} ends at sample {seg.first_sample + pos} "
                    f"(byte {seg.byte_offset + pos * bps}); its metadata promised {seg.num_samples} samples"
                )
        if self.end_error:
            raise TruncatedError(self.end_error)

    def _clip_levels(self):
        if self.fmt.is_float:
            return None, None
        info = np.iinfo(self.fmt.component_dtype)
        return info.min, info.max

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class TunableSource(Source):
    """A live receiver (RTL-SDR, rtl_tcp): tune it, then read blocks at that tuning.

    Subclasses implement `_set_center_freq`, `set_sample_rate`, `set_gain` and `_read(count)` (which
    returns complex64 samples plus the count of samples known lost before them).
    """

    #: Samples discarded after every retune so the PLL and the stream settle (rtl_sdr users discard ~2k).
    settle_samples: int = 16384

    def __init__(self) -> None:
        super().__init__()
        self.center_freq_hz: float | None = None
        self.sample_rate_hz: float | None = None
        self.gain_db: float | None = None
        self.segment = -1

    def pause(self) -> None:  # noqa: B027 - optional hook: sources that queue samples in the background drop them
        """The samples until the next `tune` are not wanted (a scan waiting between steps); a source that
        buffers in the background discards them instead of counting an overflow as lost samples."""

    def tune(self, center_freq_hz: float) -> None:
        """Tune to `center_freq_hz` (Hz), start a new segment and discard `settle_samples` samples."""
        self._check_open()
        if self.sample_rate_hz is None:
            raise UsageError(f"{self.name}: set a sample rate before tuning")
        self._set_center_freq(float(center_freq_hz))
        self.center_freq_hz = float(center_freq_hz)
        self.segment += 1
        if self.segment > 0:
            self.stats.retunes += 1
        if self.settle_samples:
            _, dropped = self._read(self.settle_samples)
            self.stats.discarded += self.settle_samples
            self.stats.dropped += dropped

    @abc.abstractmethod
    def _set_center_freq(self, center_freq_hz: float) -> None:
        """Ask the device for `center_freq_hz` (Hz); raise `DeviceError` if it cannot."""

    @abc.abstractmethod
    def set_sample_rate(self, sample_rate_hz: float) -> None:
        """Set the complex sample rate in S/s."""

    @abc.abstractmethod
    def set_gain(self, gain_db: float | None) -> None:
        """Set the tuner gain in dB; None selects automatic gain."""

    @abc.abstractmethod
    def _read(self, count: int) -> tuple[np.ndarray, int]:
        """Read exactly `count` samples (complex64) and return them with the samples lost before them."""

    def read_block(self, count: int) -> IQBlock:
        """Read one block of `count` samples at the current tuning."""
        self._check_open()
        if self.center_freq_hz is None or self.sample_rate_hz is None:
            raise UsageError(f"{self.name}: set a sample rate and tune before reading")
        now = _dt.datetime.now(UTC)
        samples, dropped = self._read(count)
        start = self.stats.samples
        block = IQBlock(samples=samples, center_freq_hz=float(self.center_freq_hz),
                        sample_rate_hz=float(self.sample_rate_hz), start_sample=start,
                        timestamp=now - _dt.timedelta(seconds=len(samples) / self.sample_rate_hz),
                        gain_db=self.gain_db, dropped=dropped, segment=max(self.segment, 0))
        self.stats.samples += len(block)
        self.stats.dropped += dropped
        self.stats.blocks += 1
        return block

    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES, num_samples: int | None = None) -> Iterator[IQBlock]:
        """Yield blocks at the current tuning: `num_samples` in all, or forever when None."""
        block_samples = check_block_samples(block_samples)
        left = math.inf if num_samples is None else int(num_samples)
        while left > 0:
            n = int(min(block_samples, left))
            yield self.read_block(n)
            left -= n

    def sweep(self, center_freqs_hz, samples_per_step: int,
              block_samples: int = DEFAULT_BLOCK_SAMPLES) -> Iterator[IQBlock]:
        """Tune to each frequency in turn and yield `samples_per_step` samples there (one segment per step)."""
        for f in center_freqs_hz:
            self.tune(f)
            yield from self.blocks(block_samples, samples_per_step)


def file_size(path: str) -> int:
    """Size of `path` in bytes, with a FormatError naming the file when it cannot be read."""
    try:
        return os.stat(path).st_size
    except OSError as e:
        raise FormatError(f"{path}: cannot read: {e.strerror}") from e
