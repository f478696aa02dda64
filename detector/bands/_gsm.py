"""GSM ARFCN <-> frequency, 3GPP TS 45.005 §2.

Fl(n) is the uplink (mobile transmit) carrier, Fu(n) = Fl(n) + duplex the downlink; 200 kHz raster:

==========  ===============  ==========================  =======
band        ARFCN n          Fl(n), MHz                  duplex
==========  ===============  ==========================  =======
GSM450      259-293          450.6 + 0.2 (n - 259)       10
GSM480      306-340          479.0 + 0.2 (n - 306)       10
GSM750      438-511          747.2 + 0.2 (n - 438)       30
GSM850      128-251          824.2 + 0.2 (n - 128)       45
GSM900      0-124            890 + 0.2 n                 45
GSM900      940-1023         890 + 0.2 (n - 1024)        45
DCS1800     512-885          1710.2 + 0.2 (n - 512)      95
PCS1900     512-810          1850.2 + 0.2 (n - 512)      80
==========  ===============  ==========================  =======

Within GSM900, P-GSM is 1-124, E-GSM adds 0 and 975-1023, R-GSM adds 955-974, ER-GSM adds 940-954
(see `gsm_subband`). ARFCN 512-810 is either DCS1800 or PCS1900: a phone needs the BAND_INDICATOR;
this module resolves it by frequency (`gsm_channels`) or by an explicit band, and assumes DCS1800
otherwise (like Android's AccessNetworkUtils and most of Asia/Europe).
"""

from __future__ import annotations

import math

from ._common import Channel, check_freq, check_int, check_link, check_tol, fmt_ranges
from ._registry import GSM_SUBBANDS, all_bands, canonical_band
from ._tables import GSM_SEGMENTS, GsmSegment

__all__ = ["gsm_arfcn_to_freq", "gsm_freq_to_arfcn", "gsm_channels", "gsm_subband", "GSM_ARFCN_RANGES"]

#: Every valid ARFCN range with its band, for error messages.
GSM_ARFCN_RANGES = tuple((s.family, s.first, s.last) for s in GSM_SEGMENTS)

_GSM_SPACING_KHZ = 200


def _valid_summary() -> str:
    return "; ".join(f"{fam} {a}-{b}" for fam, a, b in GSM_ARFCN_RANGES)


def _raster_khz(seg: GsmSegment, n: int, link: str) -> int:
    ul = seg.ul_first_khz + _GSM_SPACING_KHZ * (n - seg.first)
    return ul + seg.duplex_khz if link == "dl" else ul


def _segments_for(band: str | None) -> tuple[tuple[GsmSegment, ...], tuple[tuple[int, int], ...] | None]:
    """Segments a band's channels use, and the ARFCN ranges the band admits (None: no restriction)."""
    if band is None:
        return GSM_SEGMENTS, None
    canon = canonical_band(band)
    info = all_bands()[canon]
    if info.tech != "gsm":
        raise ValueError(f"{band!r} is a {info.tech.upper()} band, not a GSM band")
    family = "GSM900" if canon in GSM_SUBBANDS else canon
    return tuple(s for s in GSM_SEGMENTS if s.family == family), info.dl_numbers


def _admits(ranges: tuple[tuple[int, int], ...] | None, n: int) -> bool:
    return ranges is None or any(a <= n <= b for a, b in ranges)


def gsm_subband(arfcn: int) -> str:
    """The narrowest TS 45.005 §2 band holding a GSM ARFCN.

    For the 900 MHz family this tells P-GSM (1-124), E-GSM (0, 975-1023), R-GSM (955-974) and
    ER-GSM (940-954) apart; other ARFCNs give their family (512-810: ``DCS1800``).

    Raises
    ------
    ValueError
        `arfcn` is in no GSM band.

    Examples
    --------
    >>> gsm_subband(62), gsm_subband(0), gsm_subband(975), gsm_subband(960), gsm_subband(945), gsm_subband(600)
    ('P-GSM900', 'E-GSM900', 'E-GSM900', 'R-GSM900', 'ER-GSM900', 'DCS1800')
    """
    n = check_int(arfcn, "arfcn")
    if 1 <= n <= 124:
        return "P-GSM900"
    if n == 0 or 975 <= n <= 1023:
        return "E-GSM900"
    if 955 <= n <= 974:
        return "R-GSM900"
    if 940 <= n <= 954:
        return "ER-GSM900"
    for s in GSM_SEGMENTS:
        if s.first <= n <= s.last:
            return s.family
    raise ValueError(f"ARFCN {n} is in no GSM band (valid: {_valid_summary()})")


def gsm_arfcn_to_freq(arfcn: int, band: str | None = None, link: str = "dl") -> float:
    """Carrier frequency of a GSM ARFCN (TS 45.005 §2).

    Parameters
    ----------
    arfcn : int
        Absolute radio frequency channel number.
    band : str, optional
        GSM band (``"GSM900"``, ``"P-GSM900"``, ``"E-GSM900"``, ``"DCS1800"``, ``"PCS1900"``, ...;
        see `band_names`). Needed only for ARFCN 512-810: **without a band, 512-810 is taken as
        DCS1800** (pass ``band="PCS1900"`` for the Americas). When given, the ARFCN must belong to it.
    link : {"dl", "ul"}
        Downlink (BTS transmit, Fu) or uplink (MS transmit, Fl).

    Returns
    -------
    float
        Frequency in Hz, exact (a multiple of 200 kHz offset from the band's base).

    Raises
    ------
    ValueError
        The ARFCN is in no GSM band, or not in `band`; the message lists the valid ranges.

    See Also
    --------
    gsm_channels : frequency to channels, which resolves DCS/PCS by frequency.

    Examples
    --------
    >>> gsm_arfcn_to_freq(62), gsm_arfcn_to_freq(975), gsm_arfcn_to_freq(1, link="ul")
    (947400000.0, 925200000.0, 890200000.0)
    >>> gsm_arfcn_to_freq(512), gsm_arfcn_to_freq(512, band="PCS1900")
    (1805200000.0, 1930200000.0)
    """
    n = check_int(arfcn, "arfcn")
    check_link(link)
    segments, admitted = _segments_for(band)
    for seg in segments:
        if seg.first <= n <= seg.last and _admits(admitted, n):
            return _raster_khz(seg, n, link) * 1e3
    if band is None:
        raise ValueError(f"ARFCN {n} is in no GSM band; valid ARFCNs: {_valid_summary()} (TS 45.005 §2)")
    canon = canonical_band(band)
    raise ValueError(f"ARFCN {n} is not in {canon}; its ARFCNs are {fmt_ranges(all_bands()[canon].dl_numbers)}")


def gsm_channels(freq_hz: float, link: str = "dl", tol_hz: float = 100e3, band: str | None = None) -> list[Channel]:
    """All GSM channels whose raster frequency lies within `tol_hz` of a frequency.

    Every band is searched (ARFCN 512-810 resolve to DCS1800 or PCS1900 by frequency).

    Parameters
    ----------
    freq_hz : float
        Measured carrier frequency in Hz.
    link : {"dl", "ul"}
        Which link's raster to match.
    tol_hz : float
        Largest accepted ``|freq_hz - raster|`` in Hz (default 100 kHz = half the channel spacing).
    band : str, optional
        Search only this band (any GSM name of `band_names`).

    Returns
    -------
    list of Channel
        Sorted by ``|offset_hz|`` then ARFCN; ``band`` is the family (``GSM900``, ``DCS1800``...),
        `duplex` ``"fdd"``, `offset_hz` = `freq_hz` minus the raster frequency.

    Examples
    --------
    >>> [(c.band, c.number, c.offset_hz) for c in gsm_channels(947.4012e6)]
    [('GSM900', 62, 1200.0)]
    >>> [(c.band, c.number) for c in gsm_channels(1930.2e6)]
    [('PCS1900', 512)]
    >>> [c.number for c in gsm_channels(947.5e6)]
    [62, 63]
    """
    f = check_freq(freq_hz)
    check_link(link)
    tol = check_tol(tol_hz)
    segments, admitted = _segments_for(band)
    f_khz, tol_khz = f / 1e3, tol / 1e3
    out = []
    for seg in segments:
        base = _raster_khz(seg, seg.first, link)
        k_lo = max(0, math.ceil((f_khz - tol_khz - base) / _GSM_SPACING_KHZ - 1e-9))
        k_hi = min(seg.last - seg.first, math.floor((f_khz + tol_khz - base) / _GSM_SPACING_KHZ + 1e-9))
        for k in range(k_lo, k_hi + 1):
            n = seg.first + k
            if not _admits(admitted, n):
                continue
            raster_hz = (base + _GSM_SPACING_KHZ * k) * 1e3
            offset = f - raster_hz
            if abs(offset) <= tol + 1e-6:
                out.append(Channel("gsm", seg.family, n, raster_hz, link, "fdd", offset))
    out.sort(key=lambda c: (abs(c.offset_hz), c.number))
    return out


def gsm_freq_to_arfcn(freq_hz: float, link: str = "dl", band: str | None = None) -> int:
    """ARFCN of the GSM channel nearest a frequency (within 100 kHz).

    Parameters
    ----------
    freq_hz : float
        Carrier frequency in Hz.
    link : {"dl", "ul"}
        Raster to use.
    band : str, optional
        Restrict to one band (e.g. ``"P-GSM900"``).

    Raises
    ------
    ValueError
        No GSM channel within 100 kHz (in `band`, if given).

    Examples
    --------
    >>> gsm_freq_to_arfcn(953.6e6), gsm_freq_to_arfcn(880.2e6, link="ul"), gsm_freq_to_arfcn(1909.8e6, link="ul")
    (93, 975, 810)
    """
    chans = gsm_channels(freq_hz, link, 100e3, band)
    if not chans:
        where = f" in {canonical_band(band)}" if band is not None else ""
        raise ValueError(f"no GSM {link.upper()} channel{where} within 100 kHz of {freq_hz / 1e6:.4f} MHz")
    return chans[0].number
