"""LTE random-access preambles (PRACH, TS 36.211 §5.7): is a short 6-PRB transmission a Zadoff-Chu preamble?

A handset that starts a connection (attach, call setup, paging response) first sends a preamble: a
Zadoff-Chu sequence of length N_ZC = 839 on 839 subcarriers of 1.25 kHz (1.05 MHz), preamble format 0
lasting T_CP + T_SEQ = 103.1 + 800 us (§5.7.1, Table 5.7.1-1). One preamble, with no data after it, is
what an idle phone near a border sends when it tries a foreign network: worth telling apart from data.

Test (any root, any cyclic shift): the DFT of a ZC sequence of root u is again a ZC sequence, of root
u^-1 mod 839, so on the 839 subcarriers X(k+1) X*(k) = C exp(j 2 pi u^-1 k / 839): a single tone in k.
Within the 903 us of the preamble, any 800 us window holds a cyclic shift of the whole sequence (that is
what the CP is for), and a cyclic time shift only turns the tone's phase. So: FFT an 800 us window
(bins 1.25 kHz apart), take 839 bins around the transmission's centre, form Y(k) = X(k+1) X*(k) and
measure the fraction of its energy in the strongest bin of the DFT of Y. A preamble gives nearly all
of it, SC-FDMA data or noise about ln(839)/839. The integer bin offset (carrier and receiver error)
(10 kHz steps) and the fractional offset (quarter bins) are searched; the strongest bin's index m gives the physical
root u = m^-1 mod 839.

Units: Hz, seconds; the score is a fraction in [0, 1].
"""

from __future__ import annotations

import numpy as np

__all__ = ["N_ZC", "PRACH_SCS_HZ", "PRACH_SEQ_S", "PRACH_CP_S", "PRACH_SCORE_THRESHOLD", "prach_score"]

N_ZC = 839
PRACH_SCS_HZ = 1250.0
PRACH_SEQ_S = 24576 / 30.72e6  # 800 us
PRACH_CP_S = 3168 / 30.72e6  # 103.125 us (format 0)
#: Score above which a window holds a ZC preamble. Noise and SC-FDMA data peak near
#: ln(candidates x 839) / 839 ~ 0.016 here (random bins are exponential: exceeding 0.1 has
#: probability ~ 3e5 x exp(-84) per test); a preamble at 0 dB in-band SNR scores about 0.25.
PRACH_SCORE_THRESHOLD = 0.1


def prach_score(x: np.ndarray, fs: float, center_hz: float, start: int, search_hz: float = 60e3
                ) -> tuple[float, int | None, float]:
    """Zadoff-Chu evidence in the 800 us starting `start` samples into `x`, around `center_hz`.

    Parameters
    ----------
    x : complex ndarray
        Samples at `fs` S/s (at least ``start + 0.8 ms * fs`` of them).
    center_hz : float
        The transmission's centre (offset from the tuning, Hz), e.g. from burst detection.
    start : int
        First sample of the window: somewhere in the preamble's cyclic prefix is best.
    search_hz : float
        +- range searched around `center_hz` for the subcarrier grid.

    Returns
    -------
    (score, root, offset_hz): score in [0, 1]; the physical root u (None if the score is below
    `PRACH_SCORE_THRESHOLD`); the centre frequency where the preamble fits best (Hz).
    """
    n = int(round(PRACH_SEQ_S * fs))
    if fs / 2 < 0.55e6 or start < 0 or start + n > x.size:
        return 0.0, None, center_hz
    w = np.asarray(x[start:start + n], dtype=np.complex128)
    t = np.arange(n)
    # the tone survives a grid misplaced by a few bins (it only loses the bins that fall off the edge), so
    # whole-bin shifts are tried 8 bins (10 kHz) apart; a fractional-bin error spreads each subcarrier's
    # energy over its neighbours and destroys the tone, so quarter bins are tried
    span = int(search_hz // PRACH_SCS_HZ)
    shifts = np.arange(-span, span + 1, 8)
    fracs = np.array([0.0, 0.25, 0.5, 0.75])
    base = center_hz / PRACH_SCS_HZ  # bins (fs / n = 1.25 kHz)
    rows, offsets = [], []
    for fr in fracs:
        spec = np.fft.fft(w * np.exp(-2j * np.pi * (base + fr) * t / n))  # centre near bin 0
        idx = (np.arange(N_ZC)[None, :] - N_ZC // 2 + shifts[:, None]) % n
        rows.append(spec[idx])
        offsets.append((base + fr + shifts) * PRACH_SCS_HZ)
    xk = np.concatenate(rows)  # (candidates, 839)
    y = np.roll(xk, -1, axis=1) * np.conj(xk)
    z = np.abs(np.fft.fft(y, axis=1)) ** 2
    energy = N_ZC * np.sum(np.abs(y) ** 2, axis=1)
    score = z.max(axis=1) / np.maximum(energy, 1e-300)
    best = int(np.argmax(score))
    s = float(score[best])
    if s < PRACH_SCORE_THRESHOLD:
        return s, None, float(np.concatenate(offsets)[best])
    m = int(np.argmax(z[best]))
    root = pow(m, -1, N_ZC) if m else None
    return s, root, float(np.concatenate(offsets)[best])
