"""Burst demodulation: channel estimation from a training sequence and a soft-output MLSE equaliser.

Signal model (Laurent's main-pulse approximation of GMSK, as in gr-gsm and osmo-trx): after the
channel is shifted down by Rs/4 ("derotation", a multiplication by j^-n at symbol instants), the
symbol-spaced samples of a burst are

    r[n] = sum_{l=0}^{L-1} h[l] a[n-l] + w[n],     a[n] = 1 - 2 d[n] in {+1, -1},

with d[n] the burst's (not differentially encoded) bits, h a complex channel of L = 5 taps holding the
GMSK pulse, the receive filter, the timing offset and any multipath, and w noise (plus the small
second Laurent component). TS 45.002 §5.2 puts known bits in every burst: 3+3 tail bits, and the
26-bit training sequence (normal burst, bits 61..86) or the 64-bit extended one (SCH, bits 42..105).

* `estimate_channel` fits h by least squares over the training sequence for each candidate timing
  (integer symbol shifts x sub-symbol sampling phases) and keeps the best fit, with its noise variance.
* `equalise` is a max-log-MAP (forward-backward Viterbi) detector over the 2^(L-1) = 16 states, with the
  known bits as a-priori constraints. It returns the log-likelihood ratio of every burst bit
  (positive = 0), scaled by the estimated noise variance, so bursts of different SNR combine
  correctly in the channel decoder. The recursions loop over the ~152 symbol steps; each step is
  vectorised over bursts and states.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._constants import SYNC_BITS, TSC_BITS

__all__ = ["ChannelEstimate", "estimate_channel", "equalise", "NB_TRAINING_POS", "SB_TRAINING_POS",
           "known_bits_normal", "known_bits_sync", "NB_DATA_INDEX", "SB_DATA_INDEX", "L_TAPS"]

#: Channel taps (symbol-spaced) of the equaliser.
L_TAPS = 5
#: First bit of the training sequence in a normal burst and in a synchronisation burst (TS 45.002 §5.2.3, §5.2.5).
NB_TRAINING_POS = 61
SB_TRAINING_POS = 42
#: Burst bit positions of e(0..115) of a normal burst (57 data, hl, [TSC], hu, 57 data).
NB_DATA_INDEX = np.concatenate([np.arange(3, 61), np.arange(87, 145)])
#: Burst bit positions of the 78 coded bits of a synchronisation burst.
SB_DATA_INDEX = np.concatenate([np.arange(3, 42), np.arange(106, 145)])


def known_bits_normal(tsc: int) -> np.ndarray:
    """Burst-length array of known bits of a normal burst: 0/1 where known, -1 where data."""
    k = np.full(148, -1, np.int8)
    k[:3] = 0
    k[145:] = 0
    k[NB_TRAINING_POS: NB_TRAINING_POS + 26] = TSC_BITS[tsc]
    return k


def known_bits_sync() -> np.ndarray:
    """Burst-length array of known bits of a synchronisation burst: 0/1 where known, -1 where data."""
    k = np.full(148, -1, np.int8)
    k[:3] = 0
    k[145:] = 0
    k[SB_TRAINING_POS: SB_TRAINING_POS + 64] = SYNC_BITS
    return k


@dataclass
class ChannelEstimate:
    """Least-squares channel estimates of a batch of bursts.

    Attributes
    ----------
    h : numpy.ndarray
        complex, (n_bursts, L): taps such that sample j = shift + n of the chosen phase holds
        sum_l h[l] a[n-l].
    shift : numpy.ndarray
        int, (n_bursts,): index into the candidate sample rows of the sample aligned with burst bit 0.
    phase : numpy.ndarray
        int, (n_bursts,): chosen sampling phase.
    noise_var : numpy.ndarray
        float, (n_bursts,): residual variance of the fit (complex, per sample).
    energy : numpy.ndarray
        float, (n_bursts,): sum |h|^2 (the signal power per symbol).
    """

    h: np.ndarray
    shift: np.ndarray
    phase: np.ndarray
    noise_var: np.ndarray
    energy: np.ndarray

    @property
    def snr_db(self) -> np.ndarray:
        """Signal power over noise variance per burst, dB (about the SNR in the 200 kHz channel)."""
        return 10 * np.log10(np.maximum(self.energy, 1e-30) / np.maximum(self.noise_var, 1e-30))


def _design(known: np.ndarray, first: int, length: int, L: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows n = first+L-1 .. first+length-1 of the regression r[n] = sum_l h[l] a[n-l] over known symbols."""
    a = 1.0 - 2.0 * known[first: first + length].astype(np.float64)
    rows = np.arange(first + L - 1, first + length)
    A = np.stack([a[rows - first - l] for l in range(L)], axis=1)
    return rows, A


def estimate_channel(r: np.ndarray, pad: int, training: str | int, max_shift: int, L: int = L_TAPS
                     ) -> ChannelEstimate:
    """Least-squares channel estimates over the training sequence, best timing per burst.

    Parameters
    ----------
    r : numpy.ndarray
        complex, (n_bursts, n_phases, n_samples): derotated symbol-spaced samples of each burst for each
        sampling phase; ``r[b, p, pad + n]`` is at the nominal instant of burst bit n.
    pad : int
        Samples before the nominal burst start in `r`.
    training : int or "sync"
        TSC number (normal burst) or ``"sync"`` (extended training sequence of the SCH).
    max_shift : int
        Timing candidates: integer symbol shifts -max_shift..max_shift (times every phase).
    L : int
        Channel taps.

    Returns
    -------
    ChannelEstimate
        For each burst, the (shift, phase) whose fit explains most energy; ``shift`` is such that
        ``r[b, phase, shift + n]`` is modelled by sum_l h[l] a[n - l].
    """
    if training == "sync":
        known, first, length = known_bits_sync(), SB_TRAINING_POS, 64
    else:
        known, first, length = known_bits_normal(int(training)), NB_TRAINING_POS, 26
    rows, A = _design(known, first, length, L)
    pinv = np.linalg.pinv(A)  # (L, n_rows)
    gram = (A.T @ A).astype(np.float32)  # explained energy |A h|^2 = h^H (A^T A) h
    nb, n_ph, ns = r.shape
    shifts = np.arange(-max_shift, max_shift + 1)
    idx = pad + shifts[:, None] + rows[None, :]  # (n_shift, n_rows)
    if idx.min() < 0 or idx.max() >= ns:
        raise ValueError("estimate_channel: sample window too short for the requested timing search")
    seg = r[:, :, idx]  # (nb, n_ph, n_shift, n_rows)
    hs = np.einsum("lj,bpsj->bpsl", pinv.astype(np.float32), seg)
    explained = np.einsum("bpsl,lm,bpsm->bps", hs.conj(), gram, hs).real  # (nb, n_ph, n_shift)
    flat = explained.reshape(nb, -1)
    best = np.argmax(flat, axis=1)
    ph, si = np.divmod(best, shifts.size)
    bsel = np.arange(nb)
    y = seg[bsel, ph, si]  # (nb, n_rows)
    h = y @ pinv.T
    resid = y - h @ A.T
    dof = max(1, rows.size - L)
    noise = np.sum(np.abs(resid) ** 2, axis=1) / dof
    return ChannelEstimate(h=h, shift=pad + shifts[si], phase=ph, noise_var=noise,
                           energy=np.sum(np.abs(h) ** 2, axis=1))


def _state_tables(L: int):
    ns = 1 << (L - 1)
    s = np.arange(ns)
    # symbols of (state s, new bit b): a[k], a[k-1], ..., a[k-L+1]; state bit i = bit of a[k-1-i]
    sym = np.empty((ns, 2, L))
    for b in (0, 1):
        sym[:, b, 0] = 1 - 2 * b
        for i in range(L - 1):
            sym[:, b, i + 1] = 1 - 2 * ((s >> i) & 1)
    nxt = ((s[:, None] << 1) | np.arange(2)[None, :]) & (ns - 1)  # (ns, 2)
    prev = np.stack([(s >> 1) | (x << (L - 2)) for x in (0, 1)], axis=1)  # predecessors of each state
    pbit = s & 1  # the new bit that leads into each state
    return sym, nxt, prev, pbit


_TABLES: dict[int, tuple] = {}
_BIG = 1e4


def equalise(y: np.ndarray, est: ChannelEstimate, known: np.ndarray) -> np.ndarray:
    """Max-log-MAP equaliser: soft values of the 148 burst bits.

    Parameters
    ----------
    y : numpy.ndarray
        complex, (n_bursts, 148 + L - 1): ``y[b, n]`` = the sample modelled by sum_l h[l] a[n-l] (burst bits
        n >= 148 and n < 0 are unknown guard bits).
    est : ChannelEstimate
    known : numpy.ndarray
        int8, (148,) or (n_bursts, 148): 0/1 for known bits, -1 for data.

    Returns
    -------
    numpy.ndarray
        float32, (n_bursts, 148): LLR = log P(bit=0)/P(bit=1) given the burst (clipped to +-50 for known
        bits, which the constraints decide).
    """
    h = est.h
    L = h.shape[1]
    if L not in _TABLES:
        _TABLES[L] = _state_tables(L)
    sym, nxt, prev, pbit = _TABLES[L]
    nst = sym.shape[0]
    nb, K = y.shape
    sig2 = np.maximum(est.noise_var, 1e-30)[:, None, None]
    expect = np.einsum("sbl,nl->nsb", sym, h)  # (nb, nst, 2)
    gam = -(np.abs(y[:, :, None, None] - expect[:, None]) ** 2) / sig2[:, :, :, None]  # (nb, K, nst, 2)
    gam = gam.astype(np.float32)
    kn = np.broadcast_to(np.asarray(known, np.int8), (nb, 148))
    kk = np.full((nb, K), -1, np.int8)
    kk[:, :148] = kn
    gam[:, :, :, 1] -= np.where(kk == 0, _BIG, 0)[:, :, None].astype(np.float32)
    gam[:, :, :, 0] -= np.where(kk == 1, _BIG, 0)[:, :, None].astype(np.float32)
    # Path metrics stay within a few hundred (each step adds -|e|^2/sigma^2 of the best path), so no
    # renormalisation is needed in float32; penalised (impossible) paths sink by _BIG per step.
    g_in = gam[:, :, prev, pbit[:, None]]  # (nb, K, nst, 2): branch into state s' from its 2 predecessors
    alpha = np.empty((K + 1, nb, nst), np.float32)
    alpha[0] = 0.0
    for k in range(K):
        c = alpha[k][:, prev] + g_in[:, k]
        np.maximum(c[:, :, 0], c[:, :, 1], out=alpha[k + 1])
    beta = np.zeros((nb, nst), np.float32)
    llr = np.empty((nb, K), np.float32)
    for k in range(K - 1, -1, -1):
        t = gam[:, k] + beta[:, nxt]  # (nb, nst, 2): leave state s with bit b
        m = alpha[k][:, :, None] + t
        mx = m.max(axis=1)  # (nb, 2)
        llr[:, k] = mx[:, 0] - mx[:, 1]
        beta = np.maximum(t[:, :, 0], t[:, :, 1])
    return np.clip(llr[:, :148], -50.0, 50.0)
