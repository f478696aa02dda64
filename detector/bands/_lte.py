"""LTE EARFCN <-> frequency, 3GPP TS 36.101 §5.7.3 (Table 5.7.3-1).

``F_DL = F_DL_low + 0.1 (N_DL - N_Offs-DL)`` and ``F_UL = F_UL_low + 0.1 (N_UL - N_Offs-UL)`` in MHz,
on a 100 kHz channel raster (§5.7.2). Each EARFCN belongs to exactly one band; TDD bands use the same
EARFCN on both links; supplemental-downlink bands (29, 32, 67, 69, 75, 76) have no uplink. One
frequency can be in several bands (B3 and B9, B39 and B35/B33, B7 and B41): `lte_channels` returns
one EARFCN per band.
"""

from __future__ import annotations

from ._common import Channel, check_freq, check_int, check_link, check_tol
from ._registry import canonical_band
from ._tables import LTE_BANDS, LTE_PREFERRED, LteBand

__all__ = ["earfcn_to_freq", "freq_to_earfcn", "lte_channels", "earfcn_band"]

_BY_NAME = {f"B{b.band}": b for b in LTE_BANDS}


def _range(b: LteBand, link: str) -> tuple[int, int, int] | None:
    """(N_Offs, N_last, F_low / 100 kHz) of `b` on `link`, or None (SDL uplink)."""
    if link == "dl":
        return b.n_offs_dl, b.n_dl_last, b.dl_low
    if b.ul_low is None:
        return None
    return b.n_offs_ul, b.n_ul_last, b.ul_low


def _band(name: str) -> LteBand:
    canon = canonical_band(name)
    b = _BY_NAME.get(canon)
    if b is None:
        raise ValueError(f"{name!r} is not an LTE band (B1 ... B{LTE_BANDS[-1].band}, see band_names('lte'))")
    return b


def earfcn_band(earfcn: int, link: str = "dl") -> str:
    """The band (``"B<n>"``) an EARFCN of `link` belongs to; ValueError if none (see `earfcn_to_freq`)."""
    return earfcn_to_freq(earfcn, link)[0]


def earfcn_to_freq(earfcn: int, link: str = "dl") -> tuple[str, float]:
    """Band and carrier frequency of an EARFCN (TS 36.101 §5.7.3, Table 5.7.3-1).

    Parameters
    ----------
    earfcn : int
        E-UTRA absolute radio frequency channel number of `link` (0-262143).
    link : {"dl", "ul"}
        Which numbering `earfcn` is in: FDD bands number the uplink separately (e.g. B3 DL 1200-1949,
        UL 19200-19949); a TDD band's EARFCN is valid on both links at the same frequency.

    Returns
    -------
    (str, float)
        Band name (``"B3"``) and frequency in Hz (exact multiple of 100 kHz).

    Raises
    ------
    ValueError
        The EARFCN is in no band on `link`; the message says when it is an EARFCN of the other link.

    Examples
    --------
    >>> earfcn_to_freq(1825), earfcn_to_freq(38250), earfcn_to_freq(38400, link="ul")
    (('B3', 1867500000.0), ('B39', 1880000000.0), ('B39', 1895000000.0))
    >>> earfcn_to_freq(19825, link="ul")
    ('B3', 1772500000.0)
    """
    n = check_int(earfcn, "earfcn")
    check_link(link)
    for b in LTE_BANDS:
        r = _range(b, link)
        if r is not None and r[0] <= n <= r[1]:
            return f"B{b.band}", (r[2] + n - r[0]) * 1e5
    other = "ul" if link == "dl" else "dl"
    for b in LTE_BANDS:
        r = _range(b, other)
        if r is not None and r[0] <= n <= r[1]:
            mine = _range(b, link)
            hint = (f"B{b.band}'s {link.upper()} EARFCNs are {mine[0]}-{mine[1]}" if mine is not None
                    else f"B{b.band} has no uplink")
            raise ValueError(f"EARFCN {n} is a {other.upper()} EARFCN of B{b.band}, not {link.upper()}; {hint}")
    raise ValueError(f"EARFCN {n} is in no band of TS 36.101 Table 5.7.3-1 "
                     f"(bands B1-B{LTE_BANDS[-1].band} as tabulated here)")


def freq_to_earfcn(freq_hz: float, band: str, link: str = "dl") -> int:
    """EARFCN of the 100 kHz raster point of `band` nearest a frequency (TS 36.101 §5.7.3).

    Parameters
    ----------
    freq_hz : float
        Carrier frequency in Hz (a measured frequency is rounded to the nearest raster point).
    band : str
        LTE band (``"B3"``, ``"B39"``; ``"band 3"`` and ``"LTE3"`` are accepted too).
    link : {"dl", "ul"}

    Raises
    ------
    ValueError
        `band` has no `link` (SDL uplink), or no EARFCN of it lies within 50 kHz of `freq_hz`.

    Examples
    --------
    >>> freq_to_earfcn(1860e6, "B3"), freq_to_earfcn(1890e6, "B39"), freq_to_earfcn(1765e6, "B3", "ul")
    (1750, 38350, 19750)
    """
    f = check_freq(freq_hz)
    check_link(link)
    b = _band(band)
    r = _range(b, link)
    if r is None:
        raise ValueError(f"B{b.band} is a supplemental-downlink band: it has no uplink EARFCNs")
    offs, last, low = r
    n = offs + round(f / 1e5 - low)
    if not offs <= n <= last:
        lo_hz, hi_hz = low * 1e5, (low + last - offs) * 1e5
        raise ValueError(f"{f / 1e6:.4f} MHz is outside B{b.band} {link.upper()} "
                         f"(EARFCN {offs}-{last} = {lo_hz / 1e6:.1f}-{hi_hz / 1e6:.1f} MHz)")
    return n


def lte_channels(freq_hz: float, link: str = "dl", tol_hz: float = 50e3,
                 bands: list[str] | tuple[str, ...] | None = None) -> list[Channel]:
    """The EARFCN of every LTE band whose raster point lies within `tol_hz` of a frequency.

    Parameters
    ----------
    freq_hz : float
        Measured carrier frequency in Hz.
    link : {"dl", "ul"}
    tol_hz : float
        Largest accepted ``|freq_hz - raster|`` in Hz (default 50 kHz = half the raster).
    bands : list of str, optional
        Search only these bands.

    Returns
    -------
    list of Channel
        One per band. Sorted by ``|offset_hz|``, then the bands deployed in the regions BANDPLANS.md
        covers (B1 B3 B5 B7 B8 B20 B26 B28 B31 B34 B38 B39 B40 B41) before the others, then band
        number; so ``[0]`` of 1890 MHz is B39, not the overlapping B35. `duplex` is ``"tdd"`` for TDD
        bands, else ``"fdd"``.

    Examples
    --------
    >>> [(c.band, c.number) for c in lte_channels(2646e6)]
    [('B7', 3010), ('B41', 41150)]
    >>> [(c.band, c.number, c.duplex) for c in lte_channels(1890e6)][:2]
    [('B39', 38350, 'tdd'), ('B35', 36750, 'tdd')]
    """
    f = check_freq(freq_hz)
    check_link(link)
    tol = check_tol(tol_hz)
    pool = LTE_BANDS if bands is None else tuple(_band(x) for x in bands)
    out = []
    for b in pool:
        r = _range(b, link)
        if r is None:
            continue
        offs, last, low = r
        n = min(max(offs + round(f / 1e5 - low), offs), last)
        raster = (low + n - offs) * 1e5
        offset = f - raster
        if abs(offset) <= tol + 1e-6:
            duplex = "tdd" if b.duplex == "tdd" else "fdd"
            out.append(Channel("lte", f"B{b.band}", n, raster, link, duplex, offset))
    out.sort(key=lambda c: (abs(c.offset_hz), int(c.band[1:]) not in LTE_PREFERRED, int(c.band[1:])))
    return out
