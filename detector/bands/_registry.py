"""Band names, their edges, and which bands hold a frequency.

Naming (used everywhere in the package, in detection records and for the CLI's ``--band``):

========  ====================================================================================
tech      names
========  ====================================================================================
gsm       ``GSM450 GSM480 GSM750 GSM850 GSM900 DCS1800 PCS1900`` (the families a channel is
          labelled with), plus the TS 45.005 sub-bands ``P-GSM900 E-GSM900 R-GSM900 ER-GSM900``.
          ``GSM900`` is every 900 MHz ARFCN (0-124, 940-1023), so its edges are those of ER-GSM.
umts      ``UMTS-1`` ... ``UMTS-19`` (TS 25.101 band number, arabic)
lte       ``B1`` ... ``B85`` (TS 36.101 band number)
nr        ``n1`` ... ``n79`` (TS 38.104 band name)
========  ====================================================================================

`canonical_band` also accepts common spellings (case, spaces, ``-`` and ``_`` ignored):
``EGSM``, ``PGSM``, ``RGSM``/``GSM-R``, ``DCS``/``GSM1800``, ``PCS``/``GSM1900``, ``UMTS1``,
``band3``/``LTE3``, ``NR78``.
"""

from __future__ import annotations

import re
from functools import cache

from ._common import LINKS, TECHS, BandInfo, check_freq
from ._tables import GSM_BANDS, GSM_FAMILY, LTE_BANDS, NR_BANDS, UMTS_BANDS, GsmBand

__all__ = ["band_info", "band_names", "bands_for_freq", "canonical_band", "all_bands"]

_GSM_SPEC = "3GPP TS 45.005 §2"
_UMTS_SPEC = "3GPP TS 25.101 §5.4.4 (UARFCN)"
_LTE_SPEC = "3GPP TS 36.101 §5.7.3, Table 5.7.3-1"
_NR_SPEC = "3GPP TS 38.104 §5.2, §5.4.2.3 (Table 5.4.2.3-1)"

#: GSM names that label channels (one per family); the 45.005 900 MHz sub-bands come after.
GSM_FAMILIES = ("GSM450", "GSM480", "GSM750", "GSM850", "GSM900", "DCS1800", "PCS1900")
GSM_SUBBANDS = ("P-GSM900", "E-GSM900", "R-GSM900", "ER-GSM900")

_GSM_ALIASES = {
    "EGSM": "E-GSM900", "PGSM": "P-GSM900", "RGSM": "R-GSM900", "GSMR": "R-GSM900", "ERGSM": "ER-GSM900",
    "DCS": "DCS1800", "GSM1800": "DCS1800", "PCS": "PCS1900", "GSM1900": "PCS1900",
}


def _gsm_info(b: GsmBand) -> BandInfo:
    ul_lo, ul_hi = b.ul_khz
    d = b.duplex_khz
    return BandInfo(b.name, "gsm", "fdd", (ul_lo + d) * 1e3, (ul_hi + d) * 1e3, ul_lo * 1e3, ul_hi * 1e3,
                    b.arfcns, b.arfcns, _GSM_SPEC)


@cache
def all_bands() -> dict[str, BandInfo]:
    """Every band by canonical name, in `band_names` order."""
    out: dict[str, BandInfo] = {}
    gsm = {b.name: _gsm_info(b) for b in GSM_BANDS}
    gsm["GSM900"] = _gsm_info(GSM_FAMILY)
    for name in GSM_FAMILIES[:5] + GSM_SUBBANDS + GSM_FAMILIES[5:]:
        out[name] = gsm[name]
    for u in UMTS_BANDS:
        dl_n = (u.dl_uarfcn,) + tuple((n, n) for n in u.add_dl)
        ul_n = (u.ul_uarfcn,) + tuple((n, n) for n in u.add_ul)
        out[f"UMTS-{u.band}"] = BandInfo(f"UMTS-{u.band}", "umts", "fdd", u.dl_khz[0] * 1e3, u.dl_khz[1] * 1e3,
                                         u.ul_khz[0] * 1e3, u.ul_khz[1] * 1e3, dl_n, ul_n, _UMTS_SPEC)
    for b in LTE_BANDS:
        dl_lo = b.dl_low * 1e5
        dl_hi = (b.dl_low + b.n_dl_last - b.n_offs_dl + 1) * 1e5
        if b.ul_low is None:
            ul_lo = ul_hi = None
            ul_n: tuple[tuple[int, int], ...] = ()
        else:
            ul_lo = b.ul_low * 1e5
            ul_hi = (b.ul_low + b.n_ul_last - b.n_offs_ul + 1) * 1e5
            ul_n = ((b.n_offs_ul, b.n_ul_last),)
        out[f"B{b.band}"] = BandInfo(f"B{b.band}", "lte", b.duplex, dl_lo, dl_hi, ul_lo, ul_hi,
                                     ((b.n_offs_dl, b.n_dl_last),), ul_n, _LTE_SPEC)
    for n in NR_BANDS:
        ul = n.ul_khz
        out[n.band] = BandInfo(n.band, "nr", n.duplex, n.dl_khz[0] * 1e3, n.dl_khz[1] * 1e3,
                               None if ul is None else ul[0] * 1e3, None if ul is None else ul[1] * 1e3,
                               tuple((r.first, r.last) for r in n.dl), tuple((r.first, r.last) for r in n.ul),
                               _NR_SPEC)
    return out


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).upper()


@cache
def _lookup() -> dict[str, str]:
    table = {_key(n): n for n in all_bands()}
    for alias, canon in _GSM_ALIASES.items():
        table[_key(alias)] = canon
    for n in list(all_bands()):
        if n.startswith("UMTS-"):
            table["U" + n[5:]] = n
        elif n.startswith("B"):
            for prefix in ("BAND", "LTE", "LTEB", "EUTRA"):
                table[prefix + n[1:]] = n
        elif n.startswith("n"):
            table["NR" + n[1:]] = n
            table["NRN" + n[1:]] = n
    return table


def canonical_band(name: str) -> str:
    """Return the canonical spelling of a band name (see the module notes for accepted spellings).

    Raises
    ------
    ValueError
        `name` is not a known band; the message lists the names per technology.

    Examples
    --------
    >>> canonical_band("egsm"), canonical_band("dcs"), canonical_band("band 39"), canonical_band("N78")
    ('E-GSM900', 'DCS1800', 'B39', 'n78')
    """
    if not isinstance(name, str):
        raise TypeError(f"band name must be a str, not {type(name).__name__}")
    canon = _lookup().get(_key(name))
    if canon is None:
        raise ValueError(f"unknown band {name!r}; known bands: {_names_summary()}")
    return canon


def _names_summary() -> str:
    parts = []
    for tech in TECHS:
        names = band_names(tech)
        parts.append(f"{tech}: {' '.join(names) if tech == 'gsm' else names[0] + ' ... ' + names[-1]}")
    return "; ".join(parts) + " (band_names() lists all)"


def band_info(name: str) -> BandInfo:
    """Edges, duplex mode and channel-number ranges of a band.

    Parameters
    ----------
    name : str
        A band name in any spelling `canonical_band` accepts (``"GSM900"``, ``"E-GSM900"``,
        ``"DCS1800"``, ``"UMTS-1"``, ``"B3"``, ``"B39"``, ``"n78"``).

    Returns
    -------
    BandInfo
        Band edges in Hz per link and the channel-number ranges (TS 45.005 §2, TS 25.101 §5.4,
        TS 36.101 §5.7.3, TS 38.104 §5.4.2).

    Raises
    ------
    ValueError
        Unknown band.

    Examples
    --------
    >>> b = band_info("B39")
    >>> b.tech, b.duplex, b.dl_low_hz, b.dl_high_hz, b.dl_numbers
    ('lte', 'tdd', 1880000000.0, 1920000000.0, ((38250, 38649),))
    >>> g = band_info("E-GSM900")
    >>> g.ul_low_hz, g.dl_high_hz, g.dl_numbers
    (880000000.0, 960000000.0, ((0, 124), (975, 1023)))
    """
    return all_bands()[canonical_band(name)]


def band_names(tech: str | None = None) -> list[str]:
    """Canonical band names, for ``--band`` choices and validation.

    Parameters
    ----------
    tech : {None, "gsm", "umts", "lte", "nr"}
        Restrict to one technology; None lists all (GSM, then UMTS, LTE, NR).

    Returns
    -------
    list of str
        GSM: the families ``GSM450 ... PCS1900`` with the 45.005 900 MHz sub-bands after ``GSM900``;
        UMTS ``UMTS-<n>``; LTE ``B<n>``; NR ``n<n>``; each in band-number order.

    Examples
    --------
    >>> band_names("gsm")[:5], "B3" in band_names("lte"), "n78" in band_names()
    (['GSM450', 'GSM480', 'GSM750', 'GSM850', 'GSM900'], True, True)
    """
    if tech is not None and tech not in TECHS:
        raise ValueError(f"tech must be one of {TECHS} or None, not {tech!r}")
    return [n for n, b in all_bands().items() if tech is None or b.tech == tech]


def bands_for_freq(freq_hz: float) -> list[tuple[str, str, str]]:
    """Every band whose edges hold a frequency, on each link.

    GSM is reported by family (``GSM900``, not also P-/E-/R-GSM); a TDD band holds the frequency on
    both links and appears twice (``dl`` and ``ul``). Edges are inclusive.

    Parameters
    ----------
    freq_hz : float
        Frequency in Hz.

    Returns
    -------
    list of (tech, band, link)
        In the order GSM, UMTS, LTE, NR, then band order, ``dl`` before ``ul``.

    Examples
    --------
    >>> [b for b in bands_for_freq(947.4e6) if b[0] in ("gsm", "lte")]
    [('gsm', 'GSM900', 'dl'), ('lte', 'B8', 'dl')]
    >>> [b for b in bands_for_freq(1890e6) if b[1] == "B39"]
    [('lte', 'B39', 'dl'), ('lte', 'B39', 'ul')]
    """
    f = check_freq(freq_hz)
    out = []
    for name, b in all_bands().items():
        if name in GSM_SUBBANDS:
            continue
        for link in LINKS:
            if b.contains(f, link):
                out.append((b.tech, name, link))
    return out
