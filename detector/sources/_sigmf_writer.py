"""`SigMFWriter`: record blocks into a SigMF ``.sigmf-meta``/``.sigmf-data`` pair.

Samples are appended to the data file block by block (memory stays flat). A new ``captures``
segment starts whenever the tuning changes (centre frequency or `IQBlock.segment`), so a
band sweep becomes one recording that replays as a sweep. The metadata is written through the
`sigmf` library and validated against the SigMF schema when the writer closes; it is also
rewritten at every new segment, so an interrupted recording still opens with the captures
made so far.
"""

from __future__ import annotations

import datetime as _dt
import os
import warnings

from .._version import __version__
from ..errors import FormatError, UsageError
from ._block import IQBlock
from ._convert import from_complex64, sample_format
from ._sigmf import sigmf_base

__all__ = ["SigMFWriter"]


def _iso(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SigMFWriter:
    """Write IQ blocks to a SigMF recording.

    Parameters
    ----------
    path : str
        Output name; ``.sigmf-meta``/``.sigmf-data``/no extension all name the same pair.
    sample_rate_hz : float
        Complex sample rate (S/s), ``core:sample_rate``.
    datatype : str
        ``cu8`` (RTL-SDR native, default), ``ci16_le`` or ``cf32_le``.
    overwrite : bool
        False (``-w``) refuses to replace an existing recording; True (``-W``) replaces it.
    hw, description : str, optional
        ``core:hw`` (the receiver) and ``core:description``.
    extra_global : dict, optional
        More global fields (e.g. ``core:geolocation``).

    Raises
    ------
    FormatError
        When the recording exists and `overwrite` is False (exit 1, naming the file).
    """

    def __init__(self, path: str, sample_rate_hz: float, datatype: str = "cu8", overwrite: bool = False,
                 hw: str | None = None, description: str | None = None, extra_global: dict | None = None):
        base = sigmf_base(path)
        self.meta_path = base + ".sigmf-meta"
        self.data_path = base + ".sigmf-data"
        if not overwrite:
            self.check_new(path)
        self.fmt = sample_format(datatype)
        self.sample_rate_hz = float(sample_rate_hz)
        self.global_info = {
            "core:datatype": self.fmt.name,
            "core:sample_rate": self.sample_rate_hz,
            "core:recorder": f"detector {__version__}",
            "core:num_channels": 1,
        }
        if hw:
            self.global_info["core:hw"] = hw
        if description:
            self.global_info["core:description"] = description
        self.global_info.update(extra_global or {})
        self.captures: list[dict] = []
        self.samples_written = 0
        self.dropped = 0
        self._key = None
        self._fh = open(self.data_path, "wb")  # noqa: SIM115 - closed in close()
        self._closed = False

    @staticmethod
    def check_new(path: str) -> None:
        """Raise `FormatError` (exit 1) if the recording `path` names already exists (``-w`` semantics)."""
        base = sigmf_base(path)
        for p in (base + ".sigmf-meta", base + ".sigmf-data"):
            if os.path.exists(p):
                raise FormatError(f"{p}: already exists; refusing to overwrite (use -W to overwrite)")

    def write(self, block: IQBlock, raw: bytes | None = None) -> None:
        """Append a block; starts a new capture segment when its tuning differs from the last.

        Parameters
        ----------
        block : IQBlock
        raw : bytes, optional
            The block's original bytes in the writer's datatype (written as they are; otherwise
            the samples are converted with `from_complex64`, which is exact for data that came
            from the same integer format).
        """
        if self._closed:
            raise UsageError(f"{self.meta_path}: writer is closed")
        if abs(block.sample_rate_hz - self.sample_rate_hz) > 1e-6:
            raise UsageError(f"{self.meta_path}: block at {block.sample_rate_hz} S/s in a {self.sample_rate_hz} S/s "
                             f"recording")
        key = (block.segment, block.center_freq_hz)
        if key != self._key:
            cap = {"core:sample_start": self.samples_written, "core:datetime": _iso(block.timestamp)}
            if block.center_freq_hz == block.center_freq_hz:  # not NaN
                cap["core:frequency"] = float(block.center_freq_hz)
            if block.gain_db is not None:
                cap["detector:gain_db"] = float(block.gain_db)
            self.captures.append(cap)
            self._key = key
            self._write_meta(final=False)
        if block.dropped:
            self.dropped += block.dropped
        data = raw if raw is not None else from_complex64(block.samples, self.fmt)
        self._fh.write(data)
        self.samples_written += len(block)

    def _write_meta(self, final: bool) -> None:
        import sigmf

        g = dict(self.global_info)
        g["core:extensions"] = [{"name": "detector", "version": "0.0.1", "optional": True}]
        if self.dropped:
            g["detector:dropped_samples"] = int(self.dropped)
        if not self._fh.closed:
            self._fh.flush()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rec = sigmf.SigMFFile(global_info=g)
            for cap in self.captures:
                rec.add_capture(cap["core:sample_start"], metadata={k: v for k, v in cap.items()
                                                                    if k != "core:sample_start"})
            if final:
                rec.set_data_file(self.data_path, skip_checksum=False)
                rec.validate()
            tmp = self.meta_path + ".tmp"
            with open(tmp, "w") as fh:
                rec.dump(fh, pretty=True)
            os.replace(tmp, self.meta_path)

    def close(self) -> None:
        """Flush the data, write and validate the final metadata (with the data's SHA-512). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._fh.close()
        if self.samples_written == 0:  # nothing recorded: leave no empty, invalid recording behind
            for p in (self.data_path, self.meta_path):
                if os.path.exists(p):
                    os.remove(p)
            return
        self._write_meta(final=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
