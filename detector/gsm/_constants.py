"""GSM physical-layer constants (TS 45.002, TS 45.004, TS 45.010), checked against gr-gsm and libosmocore.

Bit sequences are numpy ``uint8`` arrays of 0/1 in transmission order. Every table here was
compared with ``ptrkrysik/gr-gsm:include/grgsm/gsm_constants.h`` (``SYNC_BITS``, ``train_seq``,
``dummy_burst``) and with the values quoted in ``STANDARDS.md``; the unit tests re-derive the
hexadecimal forms.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SYMBOL_RATE_HZ", "SYMBOL_PERIOD_S", "FCCH_OFFSET_HZ", "FRAME_SYMBOLS", "TIMESLOT_SYMBOLS", "BURST_SYMBOLS",
    "FRAME_PERIOD_S", "TSC_BITS", "SYNC_BITS", "DUMMY_BITS", "TIMESLOT_START_SYMBOLS", "MF51_FCCH", "MF51_SCH",
    "MF51_BCCH", "MF51_CCCH_BLOCKS", "HYPERFRAME",
]

#: Modulation symbol rate (TS 45.010 §5.4): 1625000/6 = 270833.33 symbol/s.
SYMBOL_RATE_HZ = 1625000.0 / 6.0
#: Symbol period (s), 3.69 µs.
SYMBOL_PERIOD_S = 1.0 / SYMBOL_RATE_HZ
#: The frequency-correction burst is an unmodulated carrier at +Rs/4 = 67708.33 Hz (TS 45.002 §5.2.4).
FCCH_OFFSET_HZ = SYMBOL_RATE_HZ / 4.0
#: Symbol periods per TDMA frame: 8 timeslots x 156.25 (TS 45.002 §4.3).
FRAME_SYMBOLS = 1250
#: Symbol periods per timeslot.
TIMESLOT_SYMBOLS = 156.25
#: Bits of a normal/synchronisation/frequency-correction burst, tails included (guard excluded).
BURST_SYMBOLS = 148
#: TDMA frame duration (s), 120/26 ms.
FRAME_PERIOD_S = FRAME_SYMBOLS / SYMBOL_RATE_HZ
#: Frame numbers wrap at 26 x 51 x 2048 (TS 45.002 §4.3.3).
HYPERFRAME = 26 * 51 * 2048
#: Start (in symbol periods from the frame start) of each timeslot's burst when timeslots 0 and 4 are 157
#: periods long and the others 156 (one of the layouts TS 45.002 §5.2.1 permits; 8 x 156.25 = 1250).
TIMESLOT_START_SYMBOLS = (0, 157, 313, 469, 625, 782, 938, 1094)


def _bits(text: str) -> np.ndarray:
    return np.frombuffer(text.replace(" ", "").encode(), np.uint8) - ord("0")


#: Normal-burst training sequences TSC 0..7 (TS 45.002 §5.2.3 Table 5.2.3-1), 26 bits each; on C0, TSC = BCC.
TSC_BITS = np.stack([_bits(s) for s in (
    "00100101110000100010010111",
    "00101101110111100010110111",
    "01000011101110100100001110",
    "01000111101101000100011110",
    "00011010111001000001101011",
    "01001110101100000100111010",
    "10100111110110001010011111",
    "11101111000100101110111100",
)])

#: Extended training sequence of the synchronisation burst (TS 45.002 §5.2.5), 64 bits = 0xB962040F2D45761B.
SYNC_BITS = _bits("1011100101100010000001000000111100101101010001010111011000011011")

#: The 142 "mixed bits" of the dummy burst between its 3+3 tail bits (TS 45.002 §5.2.6).
DUMMY_BITS = _bits(
    "1111101101110110000010100100111000001001000100000001111100011100"
    "0101110001011100010101110100101000110011001110011110100111110001"
    "00101111101010"
)

#: Frame numbers (mod 51) of the 51-multiframe on C0 timeslot 0, non-combined (TS 45.002 §6.5.1, Fig. 8a).
MF51_FCCH = (0, 10, 20, 30, 40)
MF51_SCH = (1, 11, 21, 31, 41)
MF51_BCCH = (2, 3, 4, 5)
#: First frames of the nine CCCH blocks (the first may carry BCCH Ext); frame 50 is idle.
MF51_CCCH_BLOCKS = (6, 12, 16, 22, 26, 32, 36, 42, 46)
