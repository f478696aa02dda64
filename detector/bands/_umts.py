"""UMTS (UTRA FDD) UARFCN <-> frequency, 3GPP TS 25.101 §5.4.4.

General channels: ``N = 5 (F - F_offset)`` with F in MHz, i.e. a 200 kHz raster, on each link with
that link's offset. Additional channels (bands 2, 4, 5, 6 here) sit 100 kHz off that raster and are
listed explicitly with their own offset (``F = F_offset_add + N / 5``).
"""

from __future__ import annotations

import math

from ._common import Channel, check_freq, check_int, check_link, check_tol
from ._registry import canonical_band
from ._tables import UMTS_BANDS, UmtsBand

__all__ = ["uarfcn_to_freq", "freq_to_uarfcn", "umts_channels"]


def _bands(band: str | None) -> tuple[UmtsBand, ...]:
    if band is None:
        return UMTS_BANDS
    canon = canonical_band(band)
    if not canon.startswith("UMTS-"):
        names = ", ".join(f"UMTS-{u.band}" for u in UMTS_BANDS)
        raise ValueError(f"{band!r} is not a UMTS band (UMTS bands: {names})")
    return tuple(u for u in UMTS_BANDS if f"UMTS-{u.band}" == canon)


def _general(u: UmtsBand, link: str) -> tuple[int, tuple[int, int]]:
    return (u.dl_offset_khz, u.dl_uarfcn) if link == "dl" else (u.ul_offset_khz, u.ul_uarfcn)


def _additional(u: UmtsBand, link: str) -> tuple[int, tuple[int, ...]]:
    return (u.add_dl_offset_khz, u.add_dl) if link == "dl" else (u.add_ul_offset_khz, u.add_ul)


def _matches(u: UmtsBand, n: int, link: str) -> int | None:
    """Raster frequency in kHz of UARFCN `n` in band `u` on `link`, or None if `n` is not a channel there."""
    off, (a, b) = _general(u, link)
    if a <= n <= b:
        return off + 200 * n
    off, add = _additional(u, link)
    if n in add:
        return off + 200 * n
    return None


def uarfcn_to_freq(uarfcn: int, link: str = "dl", band: str | None = None) -> tuple[str, float]:
    """Band and carrier frequency of a UARFCN (TS 25.101 §5.4.4).

    Parameters
    ----------
    uarfcn : int
        UTRA absolute radio frequency channel number of `link`.
    link : {"dl", "ul"}
        UARFCNs are numbered separately per link; say which one `uarfcn` is.
    band : str, optional
        ``"UMTS-<n>"``; required only when the number is a channel of several bands at different
        frequencies (never the case for the bands in this table on one link). Bands 5 and 6 share
        numbers at the same frequencies; the lower band number is returned.

    Returns
    -------
    (str, float)
        Band name and frequency in Hz (exact).

    Raises
    ------
    ValueError
        Not a channel on `link` of any band (of `band`).

    Examples
    --------
    >>> uarfcn_to_freq(10562), uarfcn_to_freq(2937), uarfcn_to_freq(9612, link="ul")
    (('UMTS-1', 2112400000.0), ('UMTS-8', 927400000.0), ('UMTS-1', 1922400000.0))
    >>> uarfcn_to_freq(412)
    ('UMTS-2', 1932500000.0)
    """
    n = check_int(uarfcn, "uarfcn")
    check_link(link)
    hits = [(f"UMTS-{u.band}", khz) for u in _bands(band) if (khz := _matches(u, n, link)) is not None]
    if not hits:
        where = band if band is not None else "any band in the table"
        raise ValueError(f"UARFCN {n} is not a {link.upper()} channel of {where} (TS 25.101 §5.4.4)")
    if len({khz for _, khz in hits}) > 1:
        raise ValueError(f"UARFCN {n} ({link.upper()}) is a channel of {', '.join(b for b, _ in hits)} "
                         f"at different frequencies; pass band=")
    name, khz = hits[0]
    return name, khz * 1e3


def freq_to_uarfcn(freq_hz: float, band: str, link: str = "dl") -> int:
    """UARFCN of the UMTS channel nearest a frequency in one band (general or additional raster).

    Parameters
    ----------
    freq_hz : float
        Carrier frequency in Hz.
    band : str
        ``"UMTS-<n>"``.
    link : {"dl", "ul"}

    Raises
    ------
    ValueError
        No channel of `band` within 100 kHz of `freq_hz`.

    Examples
    --------
    >>> freq_to_uarfcn(2112.4e6, "UMTS-1"), freq_to_uarfcn(927.4e6, "UMTS-8"), freq_to_uarfcn(871.5e6, "UMTS-5")
    (10562, 2937, 1007)
    """
    chans = umts_channels(freq_hz, link, 100e3, band=band)
    if not chans:
        raise ValueError(f"no {canonical_band(band)} {link.upper()} channel within 100 kHz of {freq_hz / 1e6:.4f} MHz")
    return chans[0].number


def umts_channels(freq_hz: float, link: str = "dl", tol_hz: float = 100e3, band: str | None = None) -> list[Channel]:
    """All UARFCNs (general and additional) whose raster frequency is within `tol_hz` of a frequency.

    Parameters
    ----------
    freq_hz : float
        Measured carrier frequency in Hz.
    link : {"dl", "ul"}
    tol_hz : float
        Largest accepted ``|freq_hz - raster|`` in Hz.
    band : str, optional
        Search only this band.

    Returns
    -------
    list of Channel
        Sorted by ``|offset_hz|``, then band number; `duplex` is ``"fdd"``.

    Examples
    --------
    >>> [(c.band, c.number) for c in umts_channels(2140e6, tol_hz=0)]
    [('UMTS-1', 10700), ('UMTS-4', 1675)]
    >>> [(c.band, c.number) for c in umts_channels(882.5e6, tol_hz=0)]
    [('UMTS-5', 1062), ('UMTS-6', 1062)]
    """
    f = check_freq(freq_hz)
    check_link(link)
    tol = check_tol(tol_hz)
    f_khz, tol_khz = f / 1e3, tol / 1e3
    out = []
    for order, u in enumerate(_bands(band)):
        name = f"UMTS-{u.band}"
        off, (a, b) = _general(u, link)
        lo = max(a, math.ceil((f_khz - tol_khz - off) / 200 - 1e-9))
        hi = min(b, math.floor((f_khz + tol_khz - off) / 200 + 1e-9))
        cands = [(n, off + 200 * n) for n in range(lo, hi + 1)]
        off_a, add = _additional(u, link)
        cands += [(n, off_a + 200 * n) for n in add]
        for n, khz in cands:
            offset = f - khz * 1e3
            if abs(offset) <= tol + 1e-6:
                out.append((abs(offset), order, Channel("umts", name, n, khz * 1e3, link, "fdd", offset)))
    out.sort(key=lambda t: (t[0], t[1], t[2].number))
    return [c for _, _, c in out]
