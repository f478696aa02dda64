"""SSS detection (36.211 §6.11.2): maximum likelihood over N_ID^(1), half-frame parity, duplex and CP.

For every PSS occurrence h the PSS gives a channel estimate H_h on its 62 subcarriers; the SSS symbol
(one symbol before the PSS for FDD, three for TDD; 137/160/412/480 samples for normal/extended CP) is
equalised with it and correlated with all 2 x 168 candidate sequences. Occurrences alternate between
subframe 0 and 5, so the metric of (N_ID^(1), parity) sums h's correlation with the subframe-(0 or 5)
sequence chosen by (h + parity) mod 2. Each hypothesis' metric is normalised by the energy of its windows
(a correlation coefficient), so that a window full of a stronger cell's data does not outweigh a quiet
one; the decision statistic is the best metric in units of the robust spread of all the others (a
z-score), which does not depend on the signal level.

A non-coherent variant (sum over 12-subcarrier segments of |correlation|^2) finds a second cell that shares the
PSS of a stronger one (same N_ID^(2), same timing) once the stronger cell's SSS has been cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._constants import SSS_PSS_DISTANCE
from ._crs import smooth_freq
from ._ofdm import demod
from ._sequences import pss, sss

__all__ = ["SssResult", "sss_table", "sss_detect", "HYPOTHESES", "FLAT"]

#: Width (subcarriers, 15 kHz) of the moving average applied to the PSS channel estimate used as the SSS's
#: phase/amplitude reference (195 kHz: well inside the coherence bandwidth of EPA/ETU-like channels).
REF_SMOOTH_SC = 13
#: `smooth_sc` value that takes one channel value over all 62 PSS subcarriers (a flat channel over 930 kHz,
#: i.e. little delay spread): 4.8x the estimate's SNR of `REF_SMOOTH_SC`, which decides weak cells whose SSS
#: sits under a stronger unsynchronised cell's data (SINR about -12 dB per RE).
FLAT = 62
#: Subcarriers combined coherently per segment by the non-coherent detector.
NONCOHERENT_SEGMENT_SC = 12

#: (duplex, cp) hypotheses tested.
HYPOTHESES = (("fdd", "normal"), ("tdd", "normal"), ("fdd", "extended"), ("tdd", "extended"))


@lru_cache(maxsize=3)
def sss_table(n_id_2: int) -> np.ndarray:
    """All SSS sequences of N_ID^(2): shape (2, 168, 62), [0] subframe 0, [1] subframe 5 (float32 +-1)."""
    t = np.array([[sss(n1, n_id_2, sf) for n1 in range(168)] for sf in (0, 5)], np.float32)
    t.setflags(write=False)
    return t


@dataclass
class SssResult:
    """Outcome of `sss_detect` for one PSS.

    Attributes
    ----------
    n_id_1 : int
    parity : int
        0 if the first PSS occurrence used is in subframe 0 (FDD) / 1 (TDD), 1 if in subframe 5 / 6.
    duplex, cp : str
    z : float
        Best metric minus the median of all hypotheses, over their robust standard deviation.
    margin : float
        z of the best minus z of the second-best hypothesis.
    coherent : bool
        Which detector produced it.
    """

    n_id_1: int
    parity: int
    duplex: str
    cp: str
    z: float
    margin: float
    coherent: bool = True


def _robust_z(m: np.ndarray) -> tuple[np.ndarray, float, float]:
    med = float(np.median(m))
    mad = float(np.median(np.abs(m - med))) * 1.4826
    return (m - med) / max(mad, 1e-30), med, mad


def sss_detect(x: np.ndarray, n_id_2: int, pss_positions: np.ndarray, clock: float = 1.0,
               coherent: bool = True, hypotheses=HYPOTHESES, channel: np.ndarray | None = None,
               smooth_sc: int | tuple[int, ...] = REF_SMOOTH_SC) -> SssResult:
    """ML SSS detection given the PSS FFT-window positions of consecutive half-frames.

    Parameters
    ----------
    x : ndarray of complex, 1.92 MS/s, carrier offset already removed
    n_id_2 : int
    pss_positions : ndarray of float
        PSS window starts of consecutive half-frames (sample indices).
    clock : float
        Received / nominal sample clock (scales the SSS-PSS distance).
    coherent : bool
        Equalise with the PSS channel estimate (True) or combine 8-subcarrier segments non-coherently.
    channel : ndarray, shape (H, 62), optional
        Channel estimates to use instead of the PSS ones (e.g. from before a cancellation).
    smooth_sc : int or tuple of int
        Moving-average width (subcarriers) of the PSS channel estimate; `FLAT` (62) or more: its mean. Several
        widths: the demodulated SSS is scored against each reference and the larger z-score decides.
    """
    pos = np.asarray(pss_positions, dtype=np.float64)
    if pos.size == 0:
        raise ValueError("no PSS occurrence to detect the SSS from")
    table = sss_table(n_id_2)  # (2, 168, 62)
    if channel is not None:
        channels = [channel]
    else:
        y_pss = demod(x, pos, 62)
        # the PSS's LS estimate, smoothed over each of `smooth_sc` subcarriers: a clean reference at low SNR
        ls = y_pss * np.conj(pss(n_id_2))[None, :]
        channels = [np.repeat(ls.mean(axis=1, keepdims=True), ls.shape[1], axis=1) if w >= FLAT
                    else smooth_freq(ls, w) for w in np.atleast_1d(smooth_sc)]
    if not coherent:
        channels = channels[:1]  # not used
    h_count = pos.size
    par = (np.arange(h_count)[None, :] + np.arange(2)[:, None]) % 2  # (parity, h) -> table row
    metrics = []  # (reference, hypothesis) -> (2, 168)
    for hyp in hypotheses:
        dist = SSS_PSS_DISTANCE[hyp] * clock
        y = demod(x, pos - dist, 62)  # (H, 62), once for every reference
        row = []
        for ch in channels:
            if coherent:
                z = (y * np.conj(ch)).astype(np.complex64)  # (H, 62)
                # m[p, n1] = | sum_h z[h] . table[par[p, h], n1] |: coherent over subcarriers and half-frames, blind
                # to the common phase a residual carrier offset puts between the PSS and SSS symbols (1-3 kHz at
                # low SNR)
                by_sf = np.einsum("hk,snk->hsn", z, table.astype(np.complex64))  # (H, 2, 168)
                m = np.abs(np.stack([by_sf[np.arange(h_count), par[p], :].sum(axis=0) for p in (0, 1)]))
                m = m / np.sqrt(max(float(np.sum(np.abs(y) ** 2) * np.sum(np.abs(ch) ** 2)), 1e-30))
            else:
                seg = NONCOHERENT_SEGMENT_SC
                k = (62 // seg) * seg
                prod = y[:, None, None, :k] * table[None, :, :, :k]  # (H, 2, 168, k)
                e = np.abs(prod.reshape(h_count, 2, 168, k // seg, seg).sum(axis=4)) ** 2
                e = e.sum(axis=3)  # (H, 2, 168)
                m = np.stack([e[np.arange(h_count), par[p], :].sum(axis=0) for p in (0, 1)])
                m = m / max(float(np.sum(np.abs(y[:, :k]) ** 2)), 1e-30)
            row.append(m)
        metrics.append(row)
    results = []
    for ri in range(len(channels)):
        allm = np.stack([row[ri] for row in metrics])  # (hyp, 2, 168)
        z, _, _ = _robust_z(allm.reshape(-1))
        order = np.argsort(z)[::-1]
        best, second = order[0], order[1]
        hi, p, n1 = np.unravel_index(int(best), allm.shape)
        duplex, cp = hypotheses[hi]
        results.append(SssResult(int(n1), int(p), duplex, cp, float(z[best]), float(z[best] - z[second]), coherent))
    return max(results, key=lambda r: r.z)  # with several references, the larger z-score decides
