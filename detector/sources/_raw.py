"""Headerless IQ files (``.cu8``, ``.cs8``, ``.cs16``, ``.cf32``/``.cfile``, ...) and WAV IQ files."""

from __future__ import annotations

import os
import struct

from ..errors import FormatError, MetadataError, UsageError
from ._base import RecordingSource, Segment, file_size
from ._convert import sample_format
from ._names import EXTENSION_FORMATS, parse_recording_name

__all__ = ["open_raw", "open_wav", "format_for_path"]


def format_for_path(path: str) -> str:
    """The sample format a file's extension means (`EXTENSION_FORMATS`); unknown extensions are refused.

    Raises
    ------
    FormatError
        For an extension we do not recognise (we never guess cf32).
    """
    ext = os.path.splitext(str(path))[1].lower()
    fmt = EXTENSION_FORMATS.get(ext)
    if fmt is None:
        known = " ".join(sorted(EXTENSION_FORMATS))
        raise FormatError(
            f"{path}: unknown extension {ext or '(none)'!r}; expected one of {known}, a SigMF recording, "
            f"or a format prefix such as cu8:{os.path.basename(str(path))}"
        )
    return fmt


def _require(path: str, what: str, value, flag: str):
    if value is None:
        raise MetadataError(f"{path}: the {what} is unknown: give {flag} or use a file name that states it "
                            f"(e.g. name_947.4M_2.4M.cu8)")
    return value


def open_raw(path: str, datatype: str | None = None, sample_rate_hz: float | None = None,
             center_freq_hz: float | None = None) -> RecordingSource:
    """Open a headerless IQ file as a one-segment `RecordingSource`.

    Parameters
    ----------
    path : str
        The file.
    datatype : str, optional
        Sample format (`detector.sources.FORMATS` name or alias); default from the extension.
    sample_rate_hz, center_freq_hz : float, optional
        Override what the file name says (Hz). The rate is required from one or the other;
        a missing centre frequency is allowed (analysis then reports baseband offsets only).

    Raises
    ------
    FormatError
        Unknown extension or datatype, empty file, unreadable file.
    MetadataError
        No sample rate from flags or name.
    """
    info = parse_recording_name(path)
    fmt = sample_format(datatype or info.datatype or format_for_path(path))
    rate = sample_rate_hz if sample_rate_hz is not None else info.sample_rate_hz
    rate = _require(path, "sample rate", rate, "-s RATE")
    if not rate > 0:
        raise UsageError(f"{path}: sample rate must be > 0 S/s, got {rate}")
    freq = center_freq_hz if center_freq_hz is not None else info.center_freq_hz
    size = file_size(path)
    if size == 0:
        raise FormatError(f"{path}: file is empty (0 bytes); expected {fmt.name} samples")
    bps = fmt.bytes_per_sample
    n, trailing = divmod(size, bps)
    seg = Segment(0, freq, float(rate), 0, n, 0, info.datetime)
    meta = {"container": "raw", "name_convention": info.convention, "file_bytes": size}
    return RecordingSource(path, fmt, [seg], meta, end_error=_partial_sample(path, fmt, n, trailing))


def _partial_sample(path, fmt, whole, trailing):
    if not trailing:
        return None
    return (f"{path}: ends with {trailing} byte(s) that do not make a whole {fmt.name} sample "
            f"({fmt.bytes_per_sample} bytes); the file looks truncated (its {whole} whole samples were read)")


def _riff_chunks(fh, path):
    head = fh.read(12)
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
        raise MetadataError(f"{path}: not a RIFF/WAVE file (header {head[:12]!r}); expected 'RIFF....WAVE'")
    if head[:4] == b"RF64":
        raise MetadataError(f"{path}: RF64 (> 4 GB) WAV files are not supported; convert to SigMF")
    pos = 12
    while True:
        ch = fh.read(8)
        if len(ch) < 8:
            return
        cid, size = ch[:4], struct.unpack("<I", ch[4:])[0]
        yield cid, pos + 8, size
        pos += 8 + size + (size & 1)
        fh.seek(pos)


def open_wav(path: str, sample_rate_hz: float | None = None, center_freq_hz: float | None = None) -> RecordingSource:
    """Open a two-channel (I, Q) WAV file as written by SDR#, HDSDR, SDRuno or sox.

    PCM 8-bit (unsigned, read as cu8), PCM 16-bit (ci16_le) and IEEE float 32-bit (cf32_le)
    are accepted, plain or WAVE_FORMAT_EXTENSIBLE. The sample rate comes from the header unless
    overridden; the centre frequency from the file name (``..._947400000Hz_IQ.wav``) or the flag.
    """
    try:
        fh = open(path, "rb")
    except OSError as e:
        raise FormatError(f"{path}: cannot open: {e.strerror}") from e
    with fh:
        fmt_chunk = data = None
        for cid, off, size in _riff_chunks(fh, path):
            if cid == b"fmt ":
                fh.seek(off)
                fmt_chunk = fh.read(size)
            elif cid == b"data":
                data = (off, size)
                break
    if fmt_chunk is None or len(fmt_chunk) < 16:
        raise MetadataError(f"{path}: WAV 'fmt ' chunk missing or short; expected a 16+ byte format chunk")
    if data is None:
        raise MetadataError(f"{path}: WAV has no 'data' chunk")
    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt_chunk[:16])
    if tag == 0xFFFE and len(fmt_chunk) >= 26:
        tag = struct.unpack("<H", fmt_chunk[24:26])[0]
    if channels != 2:
        raise MetadataError(f"{path}: WAV field 'channels' is {channels}; IQ recordings have 2 (I and Q)")
    kinds = {(1, 8): "cu8", (1, 16): "ci16_le", (3, 32): "cf32_le"}
    if (tag, bits) not in kinds:
        raise FormatError(f"{path}: WAV format tag {tag} with {bits} bits per sample is not supported; "
                          f"expected PCM 8/16-bit or float 32-bit")
    fmt = sample_format(kinds[(tag, bits)])
    size_on_disk = file_size(path)
    off, size = data
    avail = max(0, min(size, size_on_disk - off))
    if avail == 0:
        raise FormatError(f"{path}: WAV 'data' chunk is empty; expected {fmt.name} samples")
    info = parse_recording_name(path)
    n, trailing = divmod(avail, fmt.bytes_per_sample)
    freq = center_freq_hz if center_freq_hz is not None else info.center_freq_hz
    srate = float(sample_rate_hz if sample_rate_hz is not None else rate)
    seg = Segment(0, freq, srate, 0, n, off, info.datetime)
    meta = {"container": "wav", "name_convention": info.convention, "wav_data_bytes": size}
    end_error = _partial_sample(path, fmt, n, trailing)
    if avail < size:
        end_error = (f"{path}: WAV 'data' chunk declares {size} bytes but the file holds {avail}; "
                     f"the file is truncated (its {n} whole samples were read)")
    return RecordingSource(path, fmt, [seg], meta, end_error=end_error)
