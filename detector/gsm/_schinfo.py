"""SCH information fields (TS 44.018 §9.1.30, TS 45.002 §3.3.2.2): BSIC and the reduced frame number.

The 25 information bits d(0..24) of the SCH are the 4 octets of the "Synchronization channel
information" element read least-significant bit first (libosmocore ``gsm0503_sch_decode`` +
``osmo_ubit2pbit_ext(..., 1)``; gr-gsm ``lib/decoding/sch.c``):

* octet 1: BSIC in bits 8..3 (d7..d2: NCC = d7 d6 d5, BCC = d4 d3 d2), T1 bits 10..9 in bits 2..1 (d1 d0);
* octet 2: T1 bits 8..1 (d15..d8);
* octet 3: T1 bit 0 in bit 8 (d23), T2 in bits 7..3 (d22..d18), T3' bits 2..1 in bits 2..1 (d17 d16);
* octet 4: T3' bit 0 in bit 1 (d24).

T1 = FN div (26 x 51), T2 = FN mod 26, T3 = FN mod 51 and T3' = (T3 - 1) / 10 (TS 45.002 §3.3.2.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SchInfo", "sch_info_bits", "parse_sch_bits", "frame_number"]


@dataclass(frozen=True)
class SchInfo:
    """Decoded SCH: BSIC (NCC, BCC) and the full TDMA frame number of the burst."""

    bsic: int
    fn: int

    @property
    def ncc(self) -> int:
        """Network colour code (high 3 bits of the BSIC)."""
        return self.bsic >> 3

    @property
    def bcc(self) -> int:
        """Base-station colour code (low 3 bits); the TSC of the cell's C0."""
        return self.bsic & 7


def frame_number(t1: int, t2: int, t3: int) -> int:
    """FN from T1, T2, T3 (TS 45.002 §3.3.2.2): 51 x 26 x T1 + 51 x ((T3 - T2) mod 26) + T3.

    Examples
    --------
    >>> frame_number(*divmod(857107, 1326)[:1], 857107 % 26, 857107 % 51)
    857107
    """
    return 51 * 26 * t1 + 51 * ((t3 - t2) % 26) + t3


def sch_info_bits(bsic: int, fn: int) -> np.ndarray:
    """The 25 SCH information bits d(0..24) for a BSIC (0..63) and the FN of an SCH frame (FN mod 51 = 1, 11, ...).

    Raises
    ------
    ValueError
        When the BSIC is out of range or FN is not an SCH frame.
    """
    if not 0 <= bsic <= 63:
        raise ValueError(f"BSIC must be 0..63, got {bsic}")
    t3 = fn % 51
    if t3 % 10 != 1 or t3 > 41:
        raise ValueError(f"FN {fn} (mod 51 = {t3}) is not an SCH frame (1, 11, 21, 31, 41)")
    t1, t2, t3p = (fn // (26 * 51)) % 2048, fn % 26, (t3 - 1) // 10
    d = np.zeros(25, np.uint8)
    for i, b in enumerate((7, 6, 5, 4, 3, 2)):  # BSIC bit 5..0 -> d7..d2
        d[b] = bsic >> (5 - i) & 1
    d[1], d[0] = t1 >> 10 & 1, t1 >> 9 & 1
    for i in range(8):  # T1 bits 8..1 -> d15..d8
        d[15 - i] = t1 >> (8 - i) & 1
    d[23] = t1 & 1
    for i in range(5):  # T2 bits 4..0 -> d22..d18
        d[22 - i] = t2 >> (4 - i) & 1
    d[17], d[16], d[24] = t3p >> 2 & 1, t3p >> 1 & 1, t3p & 1
    return d


def parse_sch_bits(d: np.ndarray) -> SchInfo:
    """BSIC and FN from the 25 decoded SCH information bits (inverse of `sch_info_bits`).

    Examples
    --------
    >>> parse_sch_bits(sch_info_bits(56, 857107))
    SchInfo(bsic=56, fn=857107)
    """
    d = [int(x) for x in np.asarray(d).ravel()[:25]]
    bsic = sum(d[b] << (5 - i) for i, b in enumerate((7, 6, 5, 4, 3, 2)))
    t1 = d[1] << 10 | d[0] << 9 | sum(d[15 - i] << (8 - i) for i in range(8)) | d[23]
    t2 = sum(d[22 - i] << (4 - i) for i in range(5))
    t3 = 10 * (d[17] << 2 | d[16] << 1 | d[24]) + 1
    return SchInfo(bsic, frame_number(t1, t2, t3))
