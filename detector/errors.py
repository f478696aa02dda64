"""One exception hierarchy for the whole package.

Every message names the thing at fault (file, field, peer), what was expected and what was
found, so the CLI can print it on one line. Each class maps to a CLI exit code
(``DESIGN.md``: 1 unusable input, 2 usage, 3 device or peer lost).
"""

from __future__ import annotations

__all__ = [
    "DetectorError",
    "UsageError",
    "SourceError",
    "FormatError",
    "MetadataError",
    "TruncatedError",
    "DeviceError",
    "DeviceUnavailableError",
    "DeviceLostError",
    "PeerError",
    "PeerLostError",
]


class DetectorError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code = 1


class UsageError(DetectorError):
    """A command-line option or API argument is invalid (exit 2)."""

    exit_code = 2


class SourceError(DetectorError):
    """A source of IQ samples could not be opened or read (exit 1)."""


class FormatError(SourceError):
    """A recording's bytes are not what its format promises (empty, NaN, unknown datatype)."""


class MetadataError(FormatError):
    """A recording's metadata (SigMF fields, WAV header, file name) is missing or invalid."""


class TruncatedError(FormatError):
    """A recording ends in the middle of a sample or before its metadata says it should."""


class DeviceError(SourceError):
    """A device refused a setting (rate, frequency, gain) or could not be opened (exit 1)."""


class DeviceUnavailableError(DeviceError):
    """The device library is not installed or no device is attached."""


class DeviceLostError(DeviceError):
    """A device that was streaming disappeared (unplugged, USB error, stalled) (exit 3)."""

    exit_code = 3


class PeerError(SourceError):
    """An rtl_tcp peer could not be reached or spoke something other than rtl_tcp (exit 1)."""


class PeerLostError(PeerError):
    """An rtl_tcp peer that was streaming closed the connection or stalled (exit 3)."""

    exit_code = 3
