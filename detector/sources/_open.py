"""`open_recording`: one entry point that opens any supported recording by its name."""

from __future__ import annotations

import os
import re

from ..errors import FormatError
from ._base import RecordingSource
from ._raw import format_for_path, open_raw, open_wav
from ._sigmf import is_sigmf_path, open_sigmf

__all__ = ["open_recording", "split_format_prefix"]

_PREFIX = re.compile(r"^([a-z0-9_]+):(.+)$", re.I)


def split_format_prefix(spec: str) -> tuple[str | None, str]:
    """Split an rtl_433-style ``fmt:path`` override (``cu8:capture.raw``) into (format, path).

    A prefix is only taken when the whole spec is not an existing path (so ``C:\\x`` and names
    containing colons still open).
    """
    m = _PREFIX.match(str(spec))
    if m and not os.path.exists(spec) and len(m.group(1)) > 1:
        return m.group(1).lower(), m.group(2)
    return None, str(spec)


def open_recording(spec: str, datatype: str | None = None, sample_rate_hz: float | None = None,
                   center_freq_hz: float | None = None) -> RecordingSource:
    """Open a recording: SigMF pair or archive, WAV IQ, a headerless IQ file, or a directory of them (a sweep).

    Parameters
    ----------
    spec : str
        Path, optionally prefixed with a sample format (``cs8:noise.bin``).
    datatype : str, optional
        Sample format of a headerless file (overrides extension and prefix).
    sample_rate_hz, center_freq_hz : float, optional
        Override the rate and frequency the metadata or file name give (Hz).

    Raises
    ------
    FormatError, MetadataError, TruncatedError
        With a one-line message naming the file, the field and what was expected.
    """
    prefix, path = split_format_prefix(spec)
    datatype = datatype or prefix
    if is_sigmf_path(path) and not datatype:
        return open_sigmf(path, sample_rate_hz, center_freq_hz)
    if not os.path.exists(path):
        raise FormatError(f"{path}: no such file")
    if os.path.isdir(path):
        from ._directory import DirectorySource

        return DirectorySource(path, lambda f: open_recording(f, datatype, sample_rate_hz, center_freq_hz))
    if datatype and datatype.lower() == "wav" or (not datatype and format_for_path(path) == "wav"):
        return open_wav(path, sample_rate_hz, center_freq_hz)
    return open_raw(path, datatype, sample_rate_hz, center_freq_hz)
