"""PBCH channel coding of TS 36.212: CRC-16 (§5.1.1), tail-biting convolutional code (§5.1.3.1),
rate matching for convolutionally coded channels (§5.1.4.2) and a soft tail-biting Viterbi decoder.

These functions are used in both directions (the generator in `detector.synth` encodes with them).
Bits are numpy uint8 arrays (0/1); soft values are LLRs, positive meaning bit 0 more likely.
"""

from __future__ import annotations

from functools import cache

import numpy as np

__all__ = ["crc16", "PORT_MASKS", "conv_encode", "viterbi_tailbiting", "rate_match_indices",
           "rate_match", "rate_dematch"]

#: CRC mask of the PBCH by number of cell-specific antenna ports (36.212 Table 5.3.1.1-1).
PORT_MASKS = {1: np.zeros(16, np.uint8), 2: np.ones(16, np.uint8), 4: np.tile(np.array([0, 1], np.uint8), 8)}

#: Generator polynomials 133, 171, 165 (octal) as taps g(0..6) on c_k, c_{k-1}, ..., c_{k-6} (36.212 §5.1.3.1).
_GENERATORS = np.array([[int(b) for b in format(int(g, 8), "07b")] for g in ("133", "171", "165")], np.uint8)

#: Inter-column permutation of the sub-block interleaver for convolutional codes (36.212 Table 5.1.4-2).
_PERM = (1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15, 31,
         0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30)


def _bits(a) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim != 1 or (a.size and (a.min() < 0 or a.max() > 1)):
        raise ValueError("expected a 1-D array of bits (0/1)")
    return a.astype(np.uint8)


def crc16(bits) -> np.ndarray:
    """The 16 parity bits p0..p15 of gCRC16(D) = D^16 + D^12 + D^5 + 1 (36.212 §5.1.1), zero initial state.

    Examples
    --------
    CRC-16/XMODEM of the ASCII string "123456789" is 0x31C3 (the published check value):

    >>> import numpy as np
    >>> b = np.unpackbits(np.frombuffer(b"123456789", np.uint8))
    >>> hex(int("".join(map(str, crc16(b))), 2))
    '0x31c3'
    """
    reg = 0
    for b in _bits(bits):
        fb = ((reg >> 15) & 1) ^ int(b)
        reg = (reg << 1) & 0xFFFF
        if fb:
            reg ^= 0x1021
    return np.array([(reg >> (15 - i)) & 1 for i in range(16)], np.uint8)


def conv_encode(bits) -> np.ndarray:
    """Tail-biting convolutional code, K = 7, rate 1/3 (36.212 §5.1.3.1).

    The register starts with the last 6 input bits (s_i = c_{K-1-i}); output d_k^(i) = sum_j g_i(j) c_{k-j}.

    Returns
    -------
    ndarray, shape (3, K)
        The three output streams d^(0), d^(1), d^(2).
    """
    c = _bits(bits)
    k = c.size
    if k < 6:
        raise ValueError("tail-biting encoding needs at least 6 bits")
    ext = np.concatenate([c[-6:], c])  # c_{k-j} for k = 0 with the tail-biting state
    win = np.lib.stride_tricks.sliding_window_view(ext, 7)[:, ::-1]  # row k: c_k, c_{k-1}, ..., c_{k-6}
    return ((win @ _GENERATORS.T.astype(np.int64)) % 2).T.astype(np.uint8)


def _encode_batch(c: np.ndarray) -> np.ndarray:
    """`conv_encode` of each row of `c` (B, K): (B, 3, K)."""
    ext = np.concatenate([c[:, -6:], c], axis=1).astype(np.int64)
    win = np.lib.stride_tricks.sliding_window_view(ext, 7, axis=1)[:, :, ::-1]  # (B, K, 7)
    return np.transpose((win @ _GENERATORS.T.astype(np.int64)) % 2, (0, 2, 1)).astype(np.uint8)


@cache
def _trellis():
    """next state / outputs for the 64-state code; state = (c_{k-1}, ..., c_{k-6}) as bits 5..0."""
    states = np.arange(64)
    prev_bits = ((states[:, None] >> (5 - np.arange(6))) & 1)  # c_{k-1} .. c_{k-6}
    out = np.zeros((64, 2, 3), np.int8)
    nxt = np.zeros((64, 2), np.int64)
    for b in (0, 1):
        taps = np.concatenate([np.full((64, 1), b), prev_bits], axis=1)  # c_k .. c_{k-6}
        out[:, b, :] = (taps @ _GENERATORS.T.astype(np.int64)) % 2
        nxt[:, b] = (b << 5) | (states >> 1)
    return nxt, out


def viterbi_tailbiting(llr: np.ndarray, n_wrap: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Soft tail-biting Viterbi decoder of the K = 7, rate-1/3 code (wrap-around Viterbi).

    Parameters
    ----------
    llr : ndarray, shape (..., 3, K)
        Soft values of the three streams (positive = bit 0), e.g. from `rate_dematch`.
    n_wrap : int
        The received block is decoded `n_wrap` + 1 times back to back and the bits of the middle copy
        are kept, which makes the start and end states agree in practice.

    Returns
    -------
    bits : ndarray, shape (..., K), uint8
    metric : ndarray, shape (...)
        Correlation of the re-encoded bits with the LLRs over the block, normalised by sum |llr|
        (1.0 = every soft value agrees).

    Notes
    -----
    Loops over trellis steps and vectorises over the 64 states and the leading (batch) axes.
    """
    llr = np.asarray(llr, dtype=np.float64)
    if llr.ndim < 2 or llr.shape[-2] != 3:
        raise ValueError("llr must have shape (..., 3, K)")
    batch = llr.shape[:-2]
    k = llr.shape[-1]
    flat = llr.reshape(-1, 3, k)
    nb = flat.shape[0]
    nxt, out = _trellis()
    reps = n_wrap + 1
    seq = np.concatenate([flat] * reps, axis=2)  # (nb, 3, reps*k)
    n_steps = seq.shape[2]
    # branch metrics of the 8 possible output triples, for every step at once: (T, nb, 8)
    triples = ((np.arange(8)[:, None] >> np.array([2, 1, 0])[None, :]) & 1).astype(np.float64)
    bm8 = np.einsum("bct,pc->tbp", seq, 1.0 - 2.0 * triples).astype(np.float32)
    pattern = (out[..., 0].astype(np.int64) << 2) | (out[..., 1].astype(np.int64) << 1) | out[..., 2]  # (64, 2)
    # predecessors of s' = (b << 5) | (s >> 1) are s = ((s' & 31) << 1) | j, j = 0, 1, with input b = s' >> 5
    ns = np.arange(64)
    pred = ((ns[:, None] & 31) << 1) | np.arange(2)[None, :]  # (64, 2)
    pat = pattern[pred, (ns >> 5)[:, None]]  # (64, 2): output triple on the branch pred -> s'
    pm = np.zeros((nb, 64), np.float32)
    decisions = np.zeros((n_steps, nb, 64), bool)
    for t in range(n_steps):
        pr = pm.reshape(nb, 32, 2)
        cand = np.concatenate([pr, pr], axis=1) + bm8[t][:, pat]  # (nb, 64, 2) = pm[:, pred] + branch metric
        choice = cand[:, :, 1] > cand[:, :, 0]
        decisions[t] = choice
        pm = np.where(choice, cand[:, :, 1], cand[:, :, 0])
        pm -= pm.max(axis=1, keepdims=True)
    state = np.argmax(pm, axis=1)
    bits = np.zeros((nb, n_steps), np.uint8)
    rows = np.arange(nb)
    for t in range(n_steps - 1, -1, -1):
        bits[:, t] = state >> 5
        state = pred[state, decisions[t, rows, state].astype(np.int64)]
    mid = bits[:, k:2 * k] if reps >= 2 else bits[:, :k]
    enc = _encode_batch(mid).astype(np.float64)
    agree = np.sum((1 - 2 * enc) * flat, axis=(1, 2)) / np.maximum(np.sum(np.abs(flat), axis=(1, 2)), 1e-30)
    return mid.reshape(*batch, k), agree.reshape(batch)


@cache
def _circular_buffer(d: int) -> np.ndarray:
    """Index (stream * D + position) of each non-NULL bit of the circular buffer w (36.212 §5.1.4.2)."""
    cols = 32
    rows = -(-d // cols)
    n_dummy = rows * cols - d
    y = np.concatenate([np.full(n_dummy, -1), np.arange(d)]).reshape(rows, cols)
    v = y[:, list(_PERM)].T.reshape(-1)  # read out column by column after the permutation
    w = np.concatenate([np.where(v >= 0, v + s * d, -1) for s in range(3)])
    return w[w >= 0]


def rate_match_indices(d: int, e: int) -> np.ndarray:
    """For each of the `e` output bits, the index (stream * d + k) of the coded bit it repeats."""
    buf = _circular_buffer(d)
    return buf[np.arange(e) % buf.size]


def rate_match(streams: np.ndarray, e: int) -> np.ndarray:
    """Rate matching of the 3 coded streams (shape (3, D)) to `e` bits (36.212 §5.1.4.2, k0 = 0)."""
    streams = np.asarray(streams)
    return streams.reshape(-1)[rate_match_indices(streams.shape[1], e)]


def rate_dematch(llr: np.ndarray, d: int) -> np.ndarray:
    """Inverse of `rate_match` for soft values: sums the repetitions; returns shape (..., 3, d)."""
    llr = np.asarray(llr, dtype=np.float64)
    idx = rate_match_indices(d, llr.shape[-1])
    flat = llr.reshape(-1, llr.shape[-1])
    out = np.zeros((flat.shape[0], 3 * d))
    for r in range(flat.shape[0]):
        out[r] = np.bincount(idx, weights=flat[r], minlength=3 * d)
    return out.reshape(*llr.shape[:-1], 3, d)
