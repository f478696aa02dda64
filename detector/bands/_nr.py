"""NR-ARFCN and GSCN <-> frequency, 3GPP TS 38.104 §5.4.2 and §5.4.3.

NR-ARFCN (global frequency raster, §5.4.2.1, Table 5.4.2.1-1), ``F_REF = F_REF-Offs + dF_Global (N_REF - N_REF-Offs)``:

================  ==========  ============  ==========  ==================
range             dF_Global   F_REF-Offs    N_REF-Offs  N_REF
================  ==========  ============  ==========  ==================
0-3000 MHz        5 kHz       0 MHz         0           0-599999
3000-24250 MHz    15 kHz      3000 MHz      600000      600000-2016666
24250-100000 MHz  60 kHz      24250.08 MHz  2016667     2016667-3279165
================  ==========  ============  ==========  ==================

The same NR-ARFCN numbering serves both links; each band allows a subset (its channel raster,
Table 5.4.2.3-1). GSCN (synchronization raster, §5.4.3.1, Table 5.4.3.1-1) numbers the possible SSB
centre frequencies SS_REF: below 3 GHz ``SS_REF = N * 1200 kHz + M * 50 kHz`` (M in {1, 3, 5}),
``GSCN = 3N + (M - 3) / 2``; 3-24.25 GHz ``3000 MHz + N * 1.44 MHz``, ``GSCN = 7499 + N``;
above ``24250.08 MHz + N * 17.28 MHz``, ``GSCN = 22256 + N``.
"""

from __future__ import annotations

from ._common import Channel, check_freq, check_int, check_link, check_tol
from ._registry import canonical_band
from ._tables import GSCN_RANGES, NR_BANDS, NR_GLOBAL_RASTER, NrBand, SsbRaster

__all__ = ["nr_arfcn_to_freq", "freq_to_nr_arfcn", "gscn_to_freq", "freq_to_gscn", "nr_channels", "nr_ssb_rasters"]

_BY_NAME = {b.band: b for b in NR_BANDS}


def _nr_khz(n: int) -> int:
    for first, last, offs_khz, n_offs, step_khz in NR_GLOBAL_RASTER:
        if first <= n <= last:
            return offs_khz + step_khz * (n - n_offs)
    raise ValueError(f"NR-ARFCN {n} is outside 0-{NR_GLOBAL_RASTER[-1][1]} (TS 38.104 Table 5.4.2.1-1)")


def nr_arfcn_to_freq(nr_arfcn: int) -> float:
    """Reference frequency F_REF of an NR-ARFCN (TS 38.104 §5.4.2.1), for either link.

    Raises
    ------
    ValueError
        `nr_arfcn` outside 0-3279165.

    Examples
    --------
    >>> nr_arfcn_to_freq(422000), nr_arfcn_to_freq(620000), nr_arfcn_to_freq(653333), nr_arfcn_to_freq(2016667)
    (2110000000.0, 3300000000.0, 3799995000.0, 24250080000.0)
    """
    return _nr_khz(check_int(nr_arfcn, "nr_arfcn")) * 1e3


def freq_to_nr_arfcn(freq_hz: float) -> int:
    """NR-ARFCN of the global-raster point nearest a frequency (TS 38.104 §5.4.2.1).

    Raises
    ------
    ValueError
        `freq_hz` above 100 GHz (outside the raster).

    Examples
    --------
    >>> freq_to_nr_arfcn(2110e6), freq_to_nr_arfcn(3500e6), freq_to_nr_arfcn(4900e6)
    (422000, 633333, 726667)
    """
    f_khz = check_freq(freq_hz) / 1e3
    best = None
    for first, last, offs_khz, n_offs, step_khz in NR_GLOBAL_RASTER:
        n = min(max(n_offs + round((f_khz - offs_khz) / step_khz), first), last)
        err = abs(f_khz - _nr_khz(n))
        if best is None or err < best[0]:
            best = (err, n)
    if best[0] > 60 / 2 + 1e-9:
        raise ValueError(f"{freq_hz / 1e9:.6f} GHz is outside the NR global raster (0-100 GHz)")
    return best[1]


def _gscn_khz(g: int) -> float:
    first0, last0, _, n_khz = GSCN_RANGES[0]
    if first0 <= g <= last0:
        n = (g + 1) // 3
        m = 2 * (g - 3 * n) + 3
        return n * n_khz + m * 50
    for first, last, base_khz, step_khz in GSCN_RANGES[1:]:
        if first <= g <= last:
            return base_khz + step_khz * (g - first)
    raise ValueError(f"GSCN {g} is outside {first0}-{GSCN_RANGES[-1][1]} (TS 38.104 Table 5.4.3.1-1)")


def gscn_to_freq(gscn: int) -> float:
    """SS_REF (SS block centre frequency) of a GSCN (TS 38.104 §5.4.3.1, Table 5.4.3.1-1).

    Examples
    --------
    >>> gscn_to_freq(1901), gscn_to_freq(6246), gscn_to_freq(7711), gscn_to_freq(8480)
    (760850000.0, 2498550000.0, 3305280000.0, 4412640000.0)
    """
    return _gscn_khz(check_int(gscn, "gscn")) * 1e3


def freq_to_gscn(freq_hz: float) -> int:
    """GSCN of the synchronization-raster point nearest a frequency (TS 38.104 §5.4.3.1).

    Examples
    --------
    >>> freq_to_gscn(760.85e6), freq_to_gscn(2498.55e6), freq_to_gscn(3305.28e6)
    (1901, 6246, 7711)
    """
    f_khz = check_freq(freq_hz) / 1e3
    first0, last0, _, n_khz = GSCN_RANGES[0]
    cands = []
    n = round(f_khz / n_khz)
    for nn in (n - 1, n, n + 1):
        for m in (1, 3, 5):
            g = 3 * nn + (m - 3) // 2
            if first0 <= g <= last0:
                cands.append(g)
    for first, last, base_khz, step_khz in GSCN_RANGES[1:]:
        cands.append(min(max(first + round((f_khz - base_khz) / step_khz), first), last))
    return min(cands, key=lambda g: (abs(_gscn_khz(g) - f_khz), g))


def _band(name: str) -> NrBand:
    canon = canonical_band(name)
    if canon not in _BY_NAME:
        raise ValueError(f"{name!r} is not an NR band (NR bands here: {', '.join(_BY_NAME)})")
    return _BY_NAME[canon]


def nr_ssb_rasters(band: str) -> tuple[SsbRaster, ...]:
    """Synchronization rasters of an NR band (TS 38.104 §5.4.3.3, Table 5.4.3.3-1).

    Bands n38 and n39 also allow 15 kHz SSBs on an irregular GSCN set (Table 5.4.3.3-1 notes),
    returned as an extra entry with step 0 and the set in ``note``.

    Examples
    --------
    >>> [(r.scs_khz, r.gscn_first, r.gscn_step, r.gscn_last) for r in nr_ssb_rasters("n41")]
    [(15, 6246, 3, 6717), (30, 6252, 3, 6714)]
    """
    b = _band(band)
    out = b.ssb
    if b.ssb_special_15khz:
        out = out + (SsbRaster(15, b.ssb_special_15khz[0], 0, b.ssb_special_15khz[-1],
                               "GSCN set " + " ".join(map(str, b.ssb_special_15khz))),)
    return out


def nr_channels(freq_hz: float, link: str = "dl", tol_hz: float = 50e3,
                bands: list[str] | tuple[str, ...] | None = None) -> list[Channel]:
    """The NR-ARFCN, on each band's channel raster, nearest a frequency, for every NR band that has one within `tol_hz`.

    Parameters
    ----------
    freq_hz : float
        Measured carrier (reference) frequency in Hz.
    link : {"dl", "ul"}
    tol_hz : float
        Largest accepted ``|freq_hz - raster|`` in Hz.
    bands : list of str, optional
        Search only these bands (``"n78"`` ...).

    Returns
    -------
    list of Channel
        One per band, using the band's finest raster (Table 5.4.2.3-1); sorted by ``|offset_hz|``
        then table order.

    Examples
    --------
    >>> [(c.band, c.number) for c in nr_channels(3500e6)]
    [('n77', 633333), ('n78', 633333)]
    >>> [(c.band, c.number) for c in nr_channels(1765e6, link="ul")]
    [('n3', 353000)]
    """
    f = check_freq(freq_hz)
    check_link(link)
    tol = check_tol(tol_hz)
    pool = NR_BANDS if bands is None else tuple(_band(x) for x in bands)
    if f > 100e9:
        return []
    n_near = freq_to_nr_arfcn(f)
    out = []
    for order, b in enumerate(pool):
        rasters = b.dl if link == "dl" else b.ul
        best = None
        for r in rasters:
            k = round((n_near - r.first) / r.step)
            n = min(max(r.first + k * r.step, r.first), r.first + (r.last - r.first) // r.step * r.step)
            for cand in (n - r.step, n, n + r.step):
                if r.first <= cand <= r.last and (cand - r.first) % r.step == 0:
                    raster = _nr_khz(cand) * 1e3
                    if best is None or abs(f - raster) < abs(f - best[1]):
                        best = (cand, raster)
        if best is not None and abs(f - best[1]) <= tol + 1e-6:
            out.append((abs(f - best[1]), order, Channel("nr", b.band, best[0], best[1], link, b.duplex, f - best[1])))
    out.sort(key=lambda t: (t[0], t[1]))
    return [c for _, _, c in out]
