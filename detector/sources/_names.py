"""Recording metadata from the file names that common SDR tools write.

Recognised (first match wins, CLI flags override whatever a name says):

==========================  ==============================================  ==========================
tool                        example                                         gives
==========================  ==============================================  ==========================
gqrx                        ``gqrx_20231128_101500_947400000_2400000_fc.raw``  freq, rate, time, cf32
LTE-Cell-Scanner            ``f1890_s1.92_g0_0.16s.bin``                    freq (MHz), rate (MS/s)
SDR# / HDSDR                ``SDRSharp_20231128_101500Z_947400000Hz_IQ.wav``  freq (Hz/kHz), time
rtl_433 style               ``name_947.4M_2.4M.cu8``, ``g001_433.92M_250k.cu8``  freq, rate
==========================  ==============================================  ==========================

In the rtl_433 style the first number with a frequency unit (``Hz kHz MHz GHz k M G``) is the
centre frequency and the next one (or any with a rate unit ``sps ksps Msps``) is the sample rate.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass

__all__ = ["NameInfo", "parse_recording_name", "parse_si", "EXTENSION_FORMATS"]

#: File extensions and the sample format they mean (the conventions of rtl_sdr, rtl_433, hackrf,
#: GNU Radio and gqrx). Anything else is refused rather than guessed.
EXTENSION_FORMATS = {
    ".cu8": "cu8", ".bin": "cu8", ".data": "cu8", ".complex16u": "cu8",
    ".cs8": "ci8", ".complex16s": "ci8",
    ".cs16": "ci16_le", ".complex32s": "ci16_le",
    ".cf32": "cf32_le", ".cfile": "cf32_le", ".complex": "cf32_le", ".raw": "cf32_le", ".fc32": "cf32_le",
    ".cf64": "cf64_le",
    ".wav": "wav",
}

_MULT = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9}


def parse_si(text: str) -> float:
    """Parse a number with an optional SI suffix, as rtl_sdr does (``947.4M``, ``2.4e6``, ``250k``).

    Examples
    --------
    >>> parse_si("947.4M"), parse_si("250k"), parse_si("1.92e6"), parse_si("2G")
    (947400000.0, 250000.0, 1920000.0, 2000000000.0)
    """
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([kKmMgG]?)\s*(?:[hH]z|sps|S/s)?\s*", str(text))
    if not m:
        raise ValueError(f"not a number with an optional k/M/G suffix: {text!r}")
    return float(m.group(1)) * _MULT[m.group(2).lower()]


@dataclass(frozen=True)
class NameInfo:
    """What a file name says about a recording (fields None when it does not say)."""

    center_freq_hz: float | None = None
    sample_rate_hz: float | None = None
    datetime: _dt.datetime | None = None
    datatype: str | None = None
    convention: str | None = None


_GQRX = re.compile(r"gqrx_(\d{8})_(\d{6})_(\d+)_(\d+)_fc\.raw$", re.I)
_LTESCAN = re.compile(r"(?:^|_)f(\d+(?:\.\d+)?)_s(\d+(?:\.\d+)?)(?:_|\.|$)", re.I)
_SDRSHARP = re.compile(r"_(\d{8})_(\d{6})Z?_(\d+(?:\.\d+)?)(Hz|kHz|MHz)_(IQ|RF)\.wav$", re.I)
_TOKEN = re.compile(r"^(\d+(?:\.\d+)?)(Hz|kHz|MHz|GHz|k|M|G|sps|ksps|Msps)$", re.I)


def _utc(date: str, time: str) -> _dt.datetime | None:
    try:
        return _dt.datetime.strptime(date + time, "%Y%m%d%H%M%S").replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        return None


def parse_recording_name(path: str) -> NameInfo:
    """Read centre frequency, sample rate, time and format from a recording's file name.

    Examples
    --------
    >>> parse_recording_name("gqrx_20231128_101500_947400000_2400000_fc.raw").sample_rate_hz
    2400000.0
    >>> parse_recording_name("f1890_s1.92_g0_0.16s.bin").center_freq_hz
    1890000000.0
    >>> i = parse_recording_name("g001_433.92M_250k.cu8"); (i.center_freq_hz, i.sample_rate_hz)
    (433920000.0, 250000.0)
    """
    name = os.path.basename(str(path))
    m = _GQRX.search(name)
    if m:
        return NameInfo(float(m.group(3)), float(m.group(4)), _utc(m.group(1), m.group(2)), "cf32_le", "gqrx")
    m = _SDRSHARP.search(name)
    if m:
        unit = {"hz": 1.0, "khz": 1e3, "mhz": 1e6}[m.group(4).lower()]
        return NameInfo(float(m.group(3)) * unit, None, _utc(m.group(1), m.group(2)), None, "sdrsharp")
    m = _LTESCAN.search(name)
    if m:
        return NameInfo(float(m.group(1)) * 1e6, float(m.group(2)) * 1e6, None, None, "lte-cell-scanner")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    freq = rate = None
    for tok in stem.split("_"):
        t = _TOKEN.match(tok)
        if not t:
            continue
        value, unit = float(t.group(1)), t.group(2).lower()
        scaled = value * _MULT[unit[0] if unit[0] in "kmg" else ""]
        if unit.endswith("sps"):
            rate = rate or scaled
        elif unit.endswith("hz"):
            freq = freq or scaled
        elif freq is None:
            freq = scaled
        elif rate is None:
            rate = scaled
    if freq or rate:
        return NameInfo(freq, rate, None, None, "rtl_433")
    return NameInfo()
