"""GSM channel coding (TS 45.003): convolutional code, soft Viterbi, parity codes, xCCH interleaving, SCH.

Conventions
-----------
* Hard bits are ``uint8`` arrays of 0/1 in transmission order.
* Soft bits are log-likelihood ratios (float), ``LLR = log P(bit=0) / P(bit=1)``: positive means 0,
  the sign convention of libosmocore's ``sbit_t`` (+127 = 0, -127 = 1). Zero means "no information".
* Octets map to bits least-significant bit first (``osmo_pbit2ubit_ext(..., lsb_mode=1)``), which is how
  TS 45.003 numbers the information bits d(0..183) of an L2 frame and the 25 bits of the SCH.
* Batch functions take arrays whose last axis is the bit axis and vectorise over the leading axes.

Checked against ``osmocom/libosmocore:tests/coding/coding_test.ok`` (xCCH and SCH encodings of fixed
octet vectors) in ``tests/test_gsm_coding.py``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "bytes_to_bits_lsb", "bits_to_bytes_lsb", "conv_encode", "viterbi_decode", "parity_bits", "parity_syndrome",
    "FIRE_POLY", "SCH_POLY", "fire_encode", "fire_check", "sch_parity_check", "xcch_interleave_indices",
    "xcch_encode", "xcch_decode", "sch_encode", "sch_decode", "XCCH_STEALING",
]

# --------------------------------------------------------------------------------------------- bits


def bytes_to_bits_lsb(data: bytes | np.ndarray, nbits: int | None = None) -> np.ndarray:
    """Unpack octets to bits, least-significant bit of each octet first.

    Parameters
    ----------
    data : bytes or array of uint8
    nbits : int, optional
        Keep only the first `nbits` bits (e.g. 25 for the SCH).

    Examples
    --------
    >>> bytes_to_bits_lsb(b"\\x03\\x80").tolist()
    [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    """
    a = np.frombuffer(bytes(data), np.uint8) if isinstance(data, (bytes, bytearray)) else np.asarray(data, np.uint8)
    bits = np.unpackbits(a, axis=-1, bitorder="little")
    return bits if nbits is None else bits[..., :nbits]


def bits_to_bytes_lsb(bits: np.ndarray) -> np.ndarray:
    """Pack bits (LSB of each octet first) into octets; the inverse of `bytes_to_bits_lsb`.

    The last axis is padded with zeros to a multiple of 8.
    """
    return np.packbits(np.asarray(bits, np.uint8), axis=-1, bitorder="little")


# ------------------------------------------------------------------------------- convolutional code
# TS 45.003 §4.1.3: G0 = 1 + D^3 + D^4, G1 = 1 + D + D^3 + D^4 (octal 23 / 33), K = 5, rate 1/2.
# c(2k) = u(k) + u(k-3) + u(k-4);  c(2k+1) = u(k) + u(k-1) + u(k-3) + u(k-4).
_G0_TAPS = (0, 3, 4)
_G1_TAPS = (0, 1, 3, 4)
_NSTATES = 16  # state = (u(k-1), u(k-2), u(k-3), u(k-4)) as bits 0..3


def conv_encode(u: np.ndarray) -> np.ndarray:
    """Rate-1/2, K=5 convolutional encoder of TS 45.003 §4.1.3 (xCCH, SCH, RACH, TCH/FS class 1).

    The encoder starts in the zero state; the caller appends the 4 zero tail bits (they are part of
    ``u(k)`` in the specification).

    Parameters
    ----------
    u : array of 0/1, shape (..., n)

    Returns
    -------
    numpy.ndarray
        uint8, shape (..., 2n): c(2k) from G0, c(2k+1) from G1.

    Examples
    --------
    >>> conv_encode(np.array([1, 0, 0, 0, 0])).tolist()
    [1, 1, 0, 1, 0, 0, 1, 1, 1, 1]
    """
    u = np.asarray(u, np.uint8)
    n = u.shape[-1]
    pad = np.concatenate([np.zeros(u.shape[:-1] + (4,), np.uint8), u], axis=-1)

    def delayed(d):
        return pad[..., 4 - d: 4 - d + n]

    c0 = np.bitwise_xor.reduce([delayed(d) for d in _G0_TAPS], axis=0)
    c1 = np.bitwise_xor.reduce([delayed(d) for d in _G1_TAPS], axis=0)
    out = np.empty(u.shape[:-1] + (2 * n,), np.uint8)
    out[..., 0::2] = c0
    out[..., 1::2] = c1
    return out


def _trellis():
    """Per (state, input bit): next state and the two coded bits, for the encoder above."""
    s = np.arange(_NSTATES)
    hist = [(s >> i) & 1 for i in range(4)]  # u(k-1) .. u(k-4)
    nxt = np.empty((_NSTATES, 2), np.int64)
    out = np.empty((_NSTATES, 2, 2), np.int8)
    for b in (0, 1):
        nxt[:, b] = ((s << 1) & 0xF) | b
        reg = [np.full(_NSTATES, b)] + hist  # u(k), u(k-1), ..., u(k-4)
        out[:, b, 0] = reg[0] ^ reg[3] ^ reg[4]
        out[:, b, 1] = reg[0] ^ reg[1] ^ reg[3] ^ reg[4]
    # Predecessors of each next state: (prev state, input bit); two per state.
    prev = np.empty((_NSTATES, 2), np.int64)
    for ns in range(_NSTATES):
        b = ns & 1
        prev[ns] = [(ns >> 1) | (x << 3) for x in (0, 1)]
        assert all(nxt[p, b] == ns for p in prev[ns])
    return nxt, out, prev


_NEXT, _OUT, _PREV = _trellis()
_PREV_BIT = np.arange(_NSTATES) & 1
# Branch sign for each (next state, predecessor choice, coded bit): +1 when the coded bit is 0.
_SIGN = (1 - 2 * _OUT[_PREV, _PREV_BIT[:, None]]).astype(np.float32)  # (16, 2, 2)


def viterbi_decode(llr: np.ndarray, n_info: int, terminated: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Soft-decision Viterbi decoder for the K=5 code of `conv_encode`, vectorised over blocks.

    Maximises the correlation sum(LLR x (1 - 2c)) over code words (maximum likelihood for LLR inputs).
    The loop runs over the trellis steps; each step is vectorised over blocks and the 16 states.

    Parameters
    ----------
    llr : array, shape (..., 2 * n_steps)
        Soft coded bits, positive = 0, in the order of `conv_encode`'s output. Punctured or unknown
        bits are 0.
    n_info : int
        Bits to return (the leading ``n_info`` of the ``n_steps`` decoded bits; the rest are the tail).
    terminated : bool
        The code word ends in the zero state (4 zero tail bits), as on every channel decoded here.

    Returns
    -------
    bits : numpy.ndarray
        uint8, shape (..., n_info).
    metric : numpy.ndarray
        float, shape (...): the winning path's correlation (useful as a reliability measure).

    Examples
    --------
    >>> u = np.array([1, 0, 1, 1, 0, 0, 0, 0])
    >>> soft = 4.0 * (1 - 2 * conv_encode(u).astype(float))
    >>> soft[3] = -soft[3]                       # one channel error
    >>> viterbi_decode(soft, 4)[0].tolist()
    [1, 0, 1, 1]
    """
    llr = np.asarray(llr, np.float32)
    lead = llr.shape[:-1]
    n_steps = llr.shape[-1] // 2
    x = llr.reshape(-1, n_steps, 2)
    nb = x.shape[0]
    metric = np.full((nb, _NSTATES), -1e30, np.float32)
    metric[:, 0] = 0.0
    choices = np.empty((n_steps, nb, _NSTATES), np.uint8)
    sign = _SIGN  # (16 next, 2 pred, 2 coded)
    for k in range(n_steps):
        # branch[b, ns, p] = sum_i sign[ns, p, i] * x[b, k, i]
        branch = x[:, k, 0, None, None] * sign[None, :, :, 0] + x[:, k, 1, None, None] * sign[None, :, :, 1]
        cand = metric[:, _PREV] + branch  # (nb, 16, 2)
        ch = cand[:, :, 1] > cand[:, :, 0]
        choices[k] = ch
        metric = np.where(ch, cand[:, :, 1], cand[:, :, 0])
    if terminated:
        state = np.zeros(nb, np.int64)
        best = metric[:, 0]
    else:
        state = np.argmax(metric, axis=1)
        best = metric[np.arange(nb), state]
    bits = np.empty((nb, n_steps), np.uint8)
    rows = np.arange(nb)
    for k in range(n_steps - 1, -1, -1):
        bits[:, k] = state & 1
        state = _PREV[state, choices[k, rows, state]]
    return bits[:, :n_info].reshape(lead + (n_info,)), best.reshape(lead)


# ------------------------------------------------------------------------------------ parity codes
#: Fire code generator of xCCH (TS 45.003 §4.1.2): (D^23 + 1)(D^17 + D^3 + 1) = D^40 + D^26 + D^23 + D^17 + D^3 + 1.
FIRE_POLY = (1 << 40) | (1 << 26) | (1 << 23) | (1 << 17) | (1 << 3) | 1
#: SCH parity generator (TS 45.003 §4.7): D^10 + D^8 + D^6 + D^5 + D^4 + D^2 + 1.
SCH_POLY = (1 << 10) | (1 << 8) | (1 << 6) | (1 << 5) | (1 << 4) | (1 << 2) | 1

_SYNDROME_CACHE: dict[tuple[int, int], np.ndarray] = {}


def _remainder_matrix(poly: int, n_bits: int) -> np.ndarray:
    """Rows k = 0..n_bits-1: the remainder of D^(n_bits - 1 - k + deg) mod g(D), as deg bits (MSB first).

    Bit k of a block is the coefficient of D^(n_bits - 1 - k) (the first bit is the highest power, as in
    TS 45.003), so the parity of a block is the XOR of the rows of its one bits.
    """
    key = (poly, n_bits)
    m = _SYNDROME_CACHE.get(key)
    if m is None:
        deg = poly.bit_length() - 1
        rows = np.zeros((n_bits, deg), np.uint8)
        # remainder of D^(deg + j) for j = 0..n_bits-1, built incrementally
        rems = []
        r = 1 << deg
        for _ in range(n_bits):
            rr = r ^ poly if r >> deg & 1 else r
            rems.append(rr)
            r = rr << 1
        for k in range(n_bits):
            v = rems[n_bits - 1 - k]
            rows[k] = [(v >> (deg - 1 - i)) & 1 for i in range(deg)]
        m = _SYNDROME_CACHE[key] = rows
    return m


def parity_bits(data: np.ndarray, poly: int) -> np.ndarray:
    """Systematic cyclic-code parity with inverted remainder (TS 45.003 §4.1.2, §4.7).

    The parity p(0..deg-1) is chosen so that d(0)D^(n+deg-1) + ... + d(n-1)D^deg + p(0)D^(deg-1) + ... + p(deg-1),
    divided by g(D), leaves 1 + D + ... + D^(deg-1) (all ones).

    Parameters
    ----------
    data : array of 0/1, shape (..., n)
    poly : int
        Generator with bit i = coefficient of D^i (`FIRE_POLY`, `SCH_POLY`).

    Returns
    -------
    numpy.ndarray
        uint8, shape (..., deg).
    """
    data = np.asarray(data, np.uint8)
    m = _remainder_matrix(poly, data.shape[-1])
    rem = (data.astype(np.int32) @ m.astype(np.int32)) & 1
    return (rem ^ 1).astype(np.uint8)


def parity_syndrome(block: np.ndarray, poly: int) -> np.ndarray:
    """True where a data+parity block satisfies the inverted-remainder parity check (vectorised)."""
    block = np.asarray(block, np.uint8)
    deg = poly.bit_length() - 1
    return np.all(parity_bits(block[..., :-deg], poly) == block[..., -deg:], axis=-1)


def fire_encode(d: np.ndarray) -> np.ndarray:
    """The 40 Fire-code parity bits of 184 xCCH information bits (TS 45.003 §4.1.2)."""
    return parity_bits(d, FIRE_POLY)


def fire_check(block: np.ndarray) -> np.ndarray:
    """True for 224-bit (184 data + 40 parity) blocks that pass the Fire-code check (error detection only)."""
    return parity_syndrome(block, FIRE_POLY)


def sch_parity_check(block: np.ndarray) -> np.ndarray:
    """True for 35-bit (25 data + 10 parity) SCH blocks that pass the CRC-10 check (TS 45.003 §4.7)."""
    return parity_syndrome(block, SCH_POLY)


# ------------------------------------------------------------------------------------ interleaving
#: Stealing flags hl, hu on the four bursts of a control block: libosmocore's gsm0503_xcch_encode sets
#: both to 1 (TS 45.003 §4.1.5).
XCCH_STEALING = 1


def xcch_interleave_indices() -> tuple[np.ndarray, np.ndarray]:
    """Burst and position of coded bit k = 0..455 of a xCCH block (TS 45.003 §4.1.4).

    ``B = k mod 4``, ``j = 2((49k) mod 57) + ((k mod 8) div 4)``; burst B carries i(B, 0..113).

    Returns
    -------
    burst, pos : numpy.ndarray
        int arrays of length 456.
    """
    k = np.arange(456)
    return k % 4, 2 * ((49 * k) % 57) + ((k % 8) // 4)


_IL_B, _IL_J = xcch_interleave_indices()


def _burst_bits_from_interleaved(i_bits: np.ndarray, steal: int = XCCH_STEALING) -> np.ndarray:
    """i(B, 0..113) -> e(B, 0..115): e(B,j)=i(B,j), e(B,57)=hl, e(B,58)=hu, e(B,59+j)=i(B,57+j) (§4.1.5)."""
    e = np.empty(i_bits.shape[:-1] + (116,), i_bits.dtype)
    e[..., :57] = i_bits[..., :57]
    e[..., 57] = steal
    e[..., 58] = steal
    e[..., 59:] = i_bits[..., 57:]
    return e


def xcch_encode(l2: bytes) -> np.ndarray:
    """Encode a 23-octet L2 frame for BCCH/CCCH/SDCCH/SACCH (TS 45.003 §4.1).

    Fire code, 4 tail bits, rate-1/2 convolutional code, diagonal interleaving over 4 bursts.

    Returns
    -------
    numpy.ndarray
        uint8, shape (4, 116): the bits e(B, 0..115) of each burst, stealing flags at 57 and 58.

    Examples
    --------
    >>> xcch_encode(bytes(23)).shape
    (4, 116)
    """
    if len(l2) != 23:
        raise ValueError(f"xCCH frames are 23 octets, got {len(l2)}")
    d = bytes_to_bits_lsb(l2)
    u = np.concatenate([d, fire_encode(d), np.zeros(4, np.uint8)])
    c = conv_encode(u)
    i_bits = np.empty((4, 114), np.uint8)
    i_bits[_IL_B, _IL_J] = c
    return _burst_bits_from_interleaved(i_bits)


def xcch_decode(burst_llr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode xCCH blocks from the soft bits of their 4 bursts (vectorised over blocks).

    Parameters
    ----------
    burst_llr : array, shape (..., 4, 116) or (..., 4, 114)
        Soft bits e(B, 0..115) (stealing flags at 57/58 are ignored) or i(B, 0..113).

    Returns
    -------
    octets : numpy.ndarray
        uint8, shape (..., 23): the decoded L2 frames (meaningful only where `ok`).
    ok : numpy.ndarray
        bool, shape (...): the Fire-code check passed. Never use a frame where it is False.
    n_errors : numpy.ndarray
        int, shape (...): coded bits whose hard decision differs from the re-encoded code word.
    """
    b = np.asarray(burst_llr, np.float32)
    if b.shape[-1] == 116:
        b = np.concatenate([b[..., :57], b[..., 59:]], axis=-1)
    if b.shape[-2:] != (4, 114):
        raise ValueError(f"expected soft bits of shape (..., 4, 116) or (..., 4, 114), got {b.shape}")
    lead = b.shape[:-2]
    b = b.reshape((-1, 4, 114))
    c = b[:, _IL_B, _IL_J]  # (n, 456)
    u, _ = viterbi_decode(c, 228)
    ok = fire_check(u[:, :224])
    recoded = conv_encode(u)
    n_err = np.sum((c != 0) & ((c < 0) != recoded.astype(bool)), axis=-1)
    octets = bits_to_bytes_lsb(u[:, :184])
    return octets.reshape(lead + (23,)), ok.reshape(lead), n_err.reshape(lead)


# --------------------------------------------------------------------------------------------- SCH


def sch_encode(info: bytes | np.ndarray) -> np.ndarray:
    """Encode the 25 SCH information bits (TS 45.003 §4.7) into 78 coded bits.

    Parameters
    ----------
    info : bytes (4 octets, LSB first, bits 25.. ignored) or array of 25 bits

    Returns
    -------
    numpy.ndarray
        uint8, 78 bits: burst bits 3..41 are the first 39, bits 106..144 the last 39 (TS 45.002 §5.2.5).
    """
    d = np.asarray(info, np.uint8) if not isinstance(info, (bytes, bytearray)) else bytes_to_bits_lsb(info, 25)
    d = d[:25]
    u = np.concatenate([d, parity_bits(d, SCH_POLY), np.zeros(4, np.uint8)])
    return conv_encode(u)


def sch_decode(llr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode SCH blocks from 78 soft coded bits each (vectorised).

    Returns
    -------
    bits : numpy.ndarray
        uint8, shape (..., 25): the information bits d(0..24).
    ok : numpy.ndarray
        bool, shape (...): the CRC-10 check passed.
    """
    u, _ = viterbi_decode(llr, 39)
    return u[..., :25], sch_parity_check(u[..., :35])
