"""Capture layer: everything that yields `IQBlock` objects.

Recordings (SigMF, raw IQ, WAV) and live receivers (RTL-SDR through pyrtlsdr, remote dongles
through the rtl_tcp protocol) share one interface, so replay runs exactly the live code path.
Hardware libraries are imported lazily, inside the source that needs them.
"""

from ._base import RecordingSource, Segment, Source, SourceStats, TunableSource
from ._block import DEFAULT_BLOCK_SAMPLES, IQBlock
from ._convert import FORMATS, SampleFormat, from_complex64, sample_format, to_complex64
from ._names import EXTENSION_FORMATS, NameInfo, parse_recording_name, parse_si
from ._open import open_recording, split_format_prefix
from ._raw import open_raw, open_wav
from ._rtlsdr import RtlSdrSource, list_devices
from ._rtltcp import DEFAULT_PORT, RtlTcpSource
from ._rtltcp_server import RtlTcpServer
from ._sigmf import open_sigmf
from ._sigmf_writer import SigMFWriter

__all__ = [
    "DEFAULT_BLOCK_SAMPLES",
    "DEFAULT_PORT",
    "RtlSdrSource",
    "RtlTcpServer",
    "RtlTcpSource",
    "SigMFWriter",
    "list_devices",
    "EXTENSION_FORMATS",
    "FORMATS",
    "IQBlock",
    "NameInfo",
    "RecordingSource",
    "SampleFormat",
    "Segment",
    "Source",
    "SourceStats",
    "TunableSource",
    "from_complex64",
    "open_raw",
    "open_recording",
    "open_sigmf",
    "open_wav",
    "parse_recording_name",
    "parse_si",
    "sample_format",
    "split_format_prefix",
    "to_complex64",
]
