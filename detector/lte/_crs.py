"""Cell-specific reference signals of the central 6 RBs (36.211 §6.10.1) and channel estimation from them.

Port p's CRS in symbol l of slot ns sits on subcarriers k = 6 m + (v + v_shift) mod 6, m = 0..11 (of the 72
central ones), v_shift = N_cell mod 6; v = 0/3 for port 0 in symbols 0 / N_symb - 3, 3/0 for port 1, and
3 (ns mod 2) for port 2, 3 + 3 (ns mod 2) for port 3 in symbol 1 (36.211 §6.10.1.2).
"""

from __future__ import annotations

import numpy as np

from ._ofdm import demod
from ._sequences import crs_sequence

__all__ = ["smooth_freq", "crs_frequency_offset", "crs_frequency_search", "crs_symbols", "crs_positions", "crs_ls",
           "interp_freq", "n_symb"]


def n_symb(cp: str) -> int:
    """OFDM symbols per slot: 7 (normal CP) or 6 (extended)."""
    return 7 if cp == "normal" else 6


def crs_symbols(port: int, cp: str) -> tuple[int, ...]:
    """Symbol indices l (within a slot) carrying port `port`'s CRS."""
    if port in (0, 1):
        return (0, n_symb(cp) - 3)
    if port in (2, 3):
        return (1,)
    raise ValueError(f"antenna port must be 0-3, not {port!r}")


def crs_positions(n_cell: int, port: int, ns: int, l: int, cp: str) -> np.ndarray:
    """Subcarrier indices (0..71 of the central 6 RBs) of port `port`'s CRS in symbol `l` of slot `ns`."""
    if port in (0, 1):
        first = l == 0
        v = (0 if first else 3) if port == 0 else (3 if first else 0)
    else:
        v = 3 * (ns % 2) + (3 if port == 3 else 0)
    return 6 * np.arange(12) + (v + n_cell % 6) % 6


def crs_ls(y: np.ndarray, n_cell: int, port: int, ns: int, l: int, cp: str) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares channel at the CRS of one port: (subcarrier indices, Y / r) for a demodulated symbol y (72,)."""
    k = crs_positions(n_cell, port, ns, l, cp)
    r = crs_sequence(n_cell, ns, l, cp)
    return k, y[..., k] * np.conj(r)


def interp_freq(k: np.ndarray, h: np.ndarray, n_sc: int = 72) -> np.ndarray:
    """Linear interpolation of pilot estimates `h` (..., len(k)) at subcarriers `k` to all `n_sc` (flat ends)."""
    grid = np.arange(n_sc)
    flat = h.reshape(-1, h.shape[-1])
    out = np.empty((flat.shape[0], n_sc), np.complex128)
    for i, row in enumerate(flat):
        out[i] = np.interp(grid, k, row.real) + 1j * np.interp(grid, k, row.imag)
    return out.reshape(*h.shape[:-1], n_sc)


def crs_frequency_offset(x: np.ndarray, timing, n_cell: int, subframes=range(10), max_frames: int = 50) -> float | None:
    """Residual carrier offset (Hz) from port 0's CRS: phase between the same pilots one slot (0.5 ms) apart.

    Symbols 0 and N_symb - 3 of slot 0 and slot 1 of each listed subframe carry port 0's CRS on the same
    subcarriers; the phase of sum(h(slot 1) conj(h(slot 0))) over all of them gives the offset, unambiguous
    within +-1 kHz. `x` should already be corrected with a coarser estimate. None if no subframe is inside `x`.
    """
    from ._constants import FS, SLOT

    cp = timing.cp
    ns3 = n_symb(cp) - 3
    frames = timing.frames_in(x.size)[:max_frames]
    if frames.size == 0:
        return None
    sfs = np.asarray(list(subframes))
    acc = 0j
    for l in (0, ns3):
        f_idx, s_idx = np.meshgrid(frames, sfs, indexing="ij")
        a = demod(x, timing.symbol(f_idx, s_idx, 0, l), 72).astype(np.complex128)
        b = demod(x, timing.symbol(f_idx, s_idx, 1, l), 72).astype(np.complex128)
        for si, sf in enumerate(sfs):
            ka, ra = crs_ls(a[:, si], n_cell, 0, 2 * int(sf), l, cp)
            kb, rb = crs_ls(b[:, si], n_cell, 0, 2 * int(sf) + 1, l, cp)
            acc += np.sum(rb * np.conj(ra))
    if acc == 0:
        return None
    return float(np.angle(acc) / (2 * np.pi * SLOT * timing.clock / FS))


def smooth_freq(h: np.ndarray, width: int) -> np.ndarray:
    """Moving average of channel estimates over `width` subcarriers (last axis), shrinking at the band edges."""
    if width <= 1:
        return h
    kern = np.ones(width)
    num = np.apply_along_axis(lambda r: np.convolve(r, kern, mode="same"), -1, h)
    den = np.convolve(np.ones(h.shape[-1]), kern, mode="same")
    return num / den


def crs_frequency_search(x: np.ndarray, timing, n_cell: int, subframes=range(10), span_hz: float | None = None,
                         step_hz: float = 100.0, max_frames: int = 12) -> float | None:
    """Carrier-offset correction (Hz) that makes port 0's channel constant across each subframe.

    Port 0's CRS sit in symbols 0 and N_symb - 3 of both slots (0, 0.29, 0.5, 0.79 ms into the subframe); for
    each hypothesis d in +-`span_hz` the LS estimates (interpolated to all 72 subcarriers) are counter-rotated by
    exp(-j 2 pi d t) and summed over the four symbols; the hypothesis with the largest total energy wins. The
    unequal spacing of normal CP leaves no ambiguity within +-4 kHz (the default span); with extended CP the
    symbols are 0.25 ms apart, an alias at +-4 kHz, so the span is +-3.5 kHz. This corrects a PSS-based estimate
    that is off by more than the +-1 kHz `crs_frequency_offset` can resolve. None if no subframe is inside `x`
    or the best hypothesis is at the edge of the span.
    """
    if span_hz is None:
        span_hz = 4000.0 if timing.cp == "normal" else 3500.0
    from ._constants import FS

    cp = timing.cp
    ns3 = n_symb(cp) - 3
    frames = timing.frames_in(x.size)[:max_frames]
    if frames.size == 0:
        return None
    sfs = np.asarray(list(subframes))
    f_idx, s_idx = np.meshgrid(frames, sfs, indexing="ij")
    est, times = [], []
    for slot in (0, 1):
        for l in (0, ns3):
            starts = timing.symbol(f_idx, s_idx, slot, l)
            y = demod(x, starts, 72).astype(np.complex128)  # (F, S, 72)
            per_sf = []
            for si, sf in enumerate(sfs):
                k, h = crs_ls(y[:, si], n_cell, 0, 2 * int(sf) + slot, l, cp)
                per_sf.append(interp_freq(k, h))
            est.append(np.stack(per_sf, axis=1))  # (F, S, 72)
            times.append(float(timing.symbol(0, 0, slot, l) - timing.symbol(0, 0, 0, 0)) / FS)
    h = np.stack(est, axis=0).reshape(4, -1)  # (4 symbols, F*S*72)
    d = np.arange(-span_hz, span_hz + step_hz / 2, step_hz)
    rot = np.exp(-2j * np.pi * np.outer(d, times))  # (D, 4)
    energy = np.sum(np.abs(rot @ h) ** 2, axis=1)
    i = int(np.argmax(energy))
    if i in (0, d.size - 1):
        return None
    return float(d[i])
