"""LTE numerology at the cell-search rate (TS 36.211 §4, §6.2.3, §6.12), in samples at 1.92 MS/s.

At 1.92 MS/s (Ts x 16) the OFDM FFT is 128 points with 15 kHz subcarrier spacing; the central
6 resource blocks (72 subcarriers, DC unused) carry PSS, SSS, PBCH and the centre CRS.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "FS", "NFFT", "SLOT", "SUBFRAME", "HALF_FRAME", "FRAME", "CP_NORMAL", "CP_EXTENDED", "N_RB_MAX",
    "PSS_ROOTS", "N_RB_VALUES", "PHICH_NG", "TDD_CONFIGS", "symbol_starts", "PSS_FFT_OFFSET", "SSS_PSS_DISTANCE",
    "sc_bins",
]

#: Sample rate of the receiver core (Hz): 30.72 MHz / 16.
FS = 1.92e6
#: FFT size at `FS` (15 kHz subcarriers).
NFFT = 128
#: Samples per slot (0.5 ms), subframe (1 ms), half-frame (5 ms) and radio frame (10 ms).
SLOT, SUBFRAME, HALF_FRAME, FRAME = 960, 1920, 9600, 19200
#: Cyclic-prefix lengths per symbol of a slot (36.211 Table 6.12-1 divided by 16).
CP_NORMAL = (10, 9, 9, 9, 9, 9, 9)
CP_EXTENDED = (32, 32, 32, 32, 32, 32)
#: Largest downlink bandwidth in resource blocks (CRS sequences are defined for it).
N_RB_MAX = 110
#: Zadoff-Chu roots of the PSS for N_ID^(2) = 0, 1, 2 (36.211 Table 6.11.1.1-1).
PSS_ROOTS = (25, 29, 34)
#: dl-Bandwidth enumeration of the MIB (36.331): n6 ... n100.
N_RB_VALUES = (6, 15, 25, 50, 75, 100)
#: phich-Resource enumeration of the MIB (36.331): Ng = 1/6, 1/2, 1, 2.
PHICH_NG = ("1/6", "1/2", "1", "2")
#: TDD uplink-downlink configurations 0-6 (36.211 Table 4.2-2): D downlink, S special, U uplink.
TDD_CONFIGS = ("DSUUUDSUUU", "DSUUDDSUUD", "DSUDDDSUDD", "DSUUUDDDDD", "DSUUDDDDDD", "DSUDDDDDDD", "DSUUUDSUUD")

#: Start of the PSS FFT window (after its CP) relative to the first sample of the radio frame,
#: keyed by (duplex, cp): FDD last symbol of slot 0; TDD third symbol of subframe 1 (36.211 §6.11.1.2).
PSS_FFT_OFFSET = {("fdd", "normal"): 832, ("fdd", "extended"): 832,
                  ("tdd", "normal"): 2204, ("tdd", "extended"): 2272}
#: Samples from the SSS FFT window start to the PSS FFT window start (36.211 §6.11.2.2): FDD one symbol
#: earlier, TDD three symbols earlier (last symbol of slot 1).
SSS_PSS_DISTANCE = {("fdd", "normal"): 137, ("fdd", "extended"): 160,
                    ("tdd", "normal"): 412, ("tdd", "extended"): 480}


def symbol_starts(cp: str) -> np.ndarray:
    """FFT-window start (after the CP) of each symbol of a slot, in samples from the slot start.

    Examples
    --------
    >>> symbol_starts("normal").tolist(), symbol_starts("extended").tolist()
    ([10, 147, 284, 421, 558, 695, 832], [32, 192, 352, 512, 672, 832])
    """
    lens = {"normal": CP_NORMAL, "extended": CP_EXTENDED}.get(cp)
    if lens is None:
        raise ValueError(f"cp must be 'normal' or 'extended', not {cp!r}")
    lens = np.asarray(lens)
    return np.cumsum(lens + NFFT) - NFFT


def sc_bins(n_sc: int = 72) -> np.ndarray:
    """FFT bins (0..127) of the `n_sc` central subcarriers in increasing frequency, DC skipped.

    Subcarrier index k = 0 is the lowest (-n_sc/2 x 15 kHz); 36.211 §6.12 leaves the DC subcarrier unused.

    Examples
    --------
    >>> sc_bins(4).tolist()
    [126, 127, 1, 2]
    """
    half = n_sc // 2
    k = np.concatenate([np.arange(-half, 0), np.arange(1, half + 1)])
    return k % NFFT
