"""Sequences of TS 36.211: PSS Zadoff-Chu (§6.11.1.1), SSS m-sequences (§6.11.2.1), Gold c(n) (§7.2)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._constants import PSS_ROOTS

__all__ = ["pss", "sss", "sss_indices", "gold", "crs_sequence"]

_NC = 1600
_GOLD_MAX = 4096


def pss(n_id_2: int) -> np.ndarray:
    """The 62-value PSS d_u(n) of N_ID^(2) (36.211 §6.11.1.1), complex128.

    d_u(n) = exp(-j pi u n (n+1) / 63) for n = 0..30 and exp(-j pi u (n+1)(n+2) / 63) for n = 31..61,
    with u = 25, 29, 34 for N_ID^(2) = 0, 1, 2.

    Examples
    --------
    >>> d = pss(0); round(float(abs(d[0] - 1)), 12), d.size
    (0.0, 62)
    """
    if n_id_2 not in (0, 1, 2):
        raise ValueError(f"n_id_2 must be 0, 1 or 2, not {n_id_2!r}")
    u = PSS_ROOTS[n_id_2]
    n = np.arange(62)
    m = np.where(n < 31, n * (n + 1), (n + 1) * (n + 2))
    return np.exp(-1j * np.pi * u * m / 63)


def _mseq(taps: tuple[int, ...]) -> np.ndarray:
    """31-chip m-sequence x(i+5) = sum x(i + t) mod 2, x(0..3) = 0, x(4) = 1, mapped 1 - 2x."""
    x = np.zeros(31, dtype=np.int64)
    x[4] = 1
    for i in range(26):
        x[i + 5] = sum(x[i + t] for t in taps) % 2
    return 1 - 2 * x


_S = _mseq((0, 2))
_C = _mseq((0, 3))
_Z = _mseq((0, 1, 2, 4))


def sss_indices(n_id_1: int) -> tuple[int, int]:
    """(m0, m1) of N_ID^(1) (36.211 §6.11.2.1, Table 6.11.2.1-1).

    Examples
    --------
    >>> sss_indices(0), sss_indices(29), sss_indices(30), sss_indices(59)
    ((0, 1), (29, 30), (0, 2), (0, 3))
    """
    if not 0 <= n_id_1 <= 167:
        raise ValueError(f"n_id_1 must be in 0..167, not {n_id_1!r}")
    qp = n_id_1 // 30
    q = (n_id_1 + qp * (qp + 1) // 2) // 30
    mp = n_id_1 + q * (q + 1) // 2
    m0 = mp % 31
    m1 = (m0 + mp // 31 + 1) % 31
    return m0, m1


def sss(n_id_1: int, n_id_2: int, subframe: int) -> np.ndarray:
    """The 62-value SSS d(n) (+-1, int) of a cell in subframe 0 or 5 (36.211 §6.11.2.1).

    Examples
    --------
    >>> d = sss(0, 0, 0); d.size, sorted(set(d.tolist()))
    (62, [-1, 1])
    """
    if subframe not in (0, 5):
        raise ValueError(f"the SSS is sent in subframes 0 and 5, not {subframe!r}")
    if n_id_2 not in (0, 1, 2):
        raise ValueError(f"n_id_2 must be 0, 1 or 2, not {n_id_2!r}")
    m0, m1 = sss_indices(n_id_1)
    n = np.arange(31)
    s0, s1 = _S[(n + m0) % 31], _S[(n + m1) % 31]
    c0, c1 = _C[(n + n_id_2) % 31], _C[(n + n_id_2 + 3) % 31]
    z0, z1 = _Z[(n + (m0 % 8)) % 31], _Z[(n + (m1 % 8)) % 31]
    d = np.empty(62, dtype=np.int64)
    if subframe == 0:
        d[0::2], d[1::2] = s0 * c0, s1 * c1 * z0
    else:
        d[0::2], d[1::2] = s1 * c0, s0 * c1 * z1
    return d


@lru_cache(maxsize=1)
def _gold_basis() -> tuple[np.ndarray, np.ndarray]:
    """x1(n + Nc) and the 31 x2(n + Nc) sequences of unit initialisations (Gold is linear in c_init)."""
    n_total = _NC + _GOLD_MAX
    x1 = np.zeros(n_total + 31, dtype=np.uint8)
    x1[0] = 1
    for n in range(n_total):
        x1[n + 31] = x1[n + 3] ^ x1[n]
    x2 = np.zeros((31, n_total + 31), dtype=np.uint8)
    x2[np.arange(31), np.arange(31)] = 1
    for n in range(n_total):  # vectorised over the 31 basis initialisations
        x2[:, n + 31] = x2[:, n + 3] ^ x2[:, n + 2] ^ x2[:, n + 1] ^ x2[:, n]
    return x1[_NC:_NC + _GOLD_MAX], x2[:, _NC:_NC + _GOLD_MAX]


def gold(c_init: int, length: int) -> np.ndarray:
    """Pseudo-random sequence c(n), n = 0..length-1 (36.211 §7.2: length-31 Gold, Nc = 1600), uint8 bits.

    x1(0) = 1, x1(1..30) = 0; x2 initialised with the binary digits of `c_init` (x2(i) = bit i).

    Examples
    --------
    >>> gold(0, 8).tolist() == gold(0, 16)[:8].tolist()
    True
    """
    c_init = int(c_init)
    if not 0 <= c_init < 2 ** 31:
        raise ValueError(f"c_init must be in 0..2^31-1, not {c_init}")
    if not 0 <= length <= _GOLD_MAX:
        raise ValueError(f"length must be in 0..{_GOLD_MAX}, not {length}")
    x1, basis = _gold_basis()
    bits = np.array([(c_init >> i) & 1 for i in range(31)], dtype=bool)
    x2 = np.bitwise_xor.reduce(basis[bits, :length], axis=0) if bits.any() else np.zeros(length, np.uint8)
    return (x1[:length] ^ x2).astype(np.uint8)


@lru_cache(maxsize=8192)
def crs_sequence(n_cell: int, ns: int, l: int, cp: str) -> np.ndarray:
    """The 12 cell-specific reference values r(m') of the central 6 RBs (36.211 §6.10.1.1), complex128.

    c_init = 2^10 (7 (ns + 1) + l + 1)(2 N_cell + 1) + 2 N_cell + N_CP (N_CP = 1 normal, 0 extended);
    r(m) = ((1 - 2 c(2m)) + j (1 - 2 c(2m + 1))) / sqrt(2); the central 6 RBs use m' = m + 110 - 6, m = 0..11.
    """
    n_cp = 1 if cp == "normal" else 0
    c_init = (1 << 10) * (7 * (ns + 1) + l + 1) * (2 * n_cell + 1) + 2 * n_cell + n_cp
    c = gold(c_init % (1 << 31), 2 * 2 * 110).astype(np.float64)
    r = ((1 - 2 * c[0::2]) + 1j * (1 - 2 * c[1::2])) / np.sqrt(2)
    out = r[104:116]
    out.setflags(write=False)
    return out
