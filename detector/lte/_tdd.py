"""TDD uplink-downlink configuration (36.211 Table 4.2-2) from which subframes carry downlink energy.

After frame synchronisation the mean power of each of the 20 slots of a radio frame (averaged over the
capture's frames) is compared with templates of the 7 configurations: downlink slots at the level of
subframe 0, uplink slots at the noise floor (handset bursts seen from a distance are much weaker; they
are what the uplink detector looks for in the U subframes), and special subframes with their DwPTS in the
first slot (the second, guard period / UpPTS or a long DwPTS, is not scored). Levels are compared in dB
between the weakest slot (0) and subframes 0 and 5 (1), which are downlink in every configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._constants import FRAME, SLOT, TDD_CONFIGS

__all__ = ["TddResult", "tdd_config", "slot_energy"]


@dataclass
class TddResult:
    """Per-subframe energy and the UL/DL configuration that fits it best.

    Attributes
    ----------
    config : int
        UL/DL configuration 0-6.
    pattern : str
        Its subframe pattern, e.g. ``"DSUDDDSUDD"``.
    subframe_power_db : list of float
        Mean power per subframe relative to subframe 0 (dB), averaged over frames.
    frame_start : float
        Sample index (1.92 MS/s) of a radio-frame start; subframe i begins i x 1920 x clock later.
    clock : float
    uplink_subframes : list of int
        The U subframes of `config` (where handset bursts of this cell's users appear).
    confidence : float
        Cost gap between the best and second-best configuration (0 = ambiguous).
    """

    config: int
    pattern: str
    subframe_power_db: list
    frame_start: float
    clock: float
    uplink_subframes: list
    confidence: float

    @property
    def frame_start_s(self) -> float:
        """`frame_start` in seconds from the first sample of the 1.92 MS/s signal it was measured in."""
        return self.frame_start / 1.92e6

    def subframe_start_s(self, subframe: int, frame: int = 0) -> float:
        """Start (s) of `subframe` (0-9) of radio frame `frame` (0 = the one at `frame_start`)."""
        return (self.frame_start + (frame * 19200 + subframe * 1920) * self.clock) / 1.92e6


def slot_energy(x: np.ndarray, frame_start: float, clock: float = 1.0) -> np.ndarray:
    """Mean |x|^2 of each of the 20 slots of a radio frame, averaged over the complete frames of `x`."""
    p = np.abs(np.asarray(x)) ** 2
    first = int(np.ceil(-frame_start / (FRAME * clock) - 1e-9))
    last = int(np.floor((x.size - frame_start) / (FRAME * clock) + 1e-9)) - 1
    if last < first:
        raise ValueError("no complete radio frame in the capture")
    frames = np.arange(first, last + 1)
    starts = np.round(frame_start + (frames[:, None] * FRAME + np.arange(20)[None, :] * SLOT) * clock).astype(int)
    cs = np.concatenate([[0.0], np.cumsum(p, dtype=np.float64)])
    length = int(round(SLOT * clock))
    lo = np.clip(starts, 0, p.size)
    hi = np.clip(starts + length, 0, p.size)
    e = (cs[hi] - cs[lo]) / np.maximum(hi - lo, 1)
    return e.mean(axis=0)


def _templates() -> tuple[np.ndarray, np.ndarray]:
    """Expected normalised level (1 downlink, 0 floor) and weight of each slot, per configuration."""
    t = np.zeros((7, 20))
    w = np.ones((7, 20))
    for c, pat in enumerate(TDD_CONFIGS):
        for sf, kind in enumerate(pat):
            t[c, 2 * sf: 2 * sf + 2] = {"D": (1.0, 1.0), "U": (0.0, 0.0), "S": (1.0, 0.0)}[kind]
            if kind == "S":
                w[c, 2 * sf + 1] = 0.0  # the second slot of a special subframe depends on the DwPTS length
    return t, w


def tdd_config(x: np.ndarray, frame_start: float, clock: float = 1.0, noise_power: float | None = None) -> TddResult:
    """Estimate the UL/DL configuration of a TDD cell from slot energies (see module notes).

    Parameters
    ----------
    x : ndarray of complex, 1.92 MS/s
    frame_start : float
        Sample index of a radio-frame start (from the SSS).
    clock : float
        Received / nominal sample clock.
    noise_power : float, optional
        Noise power per sample; default: the weakest slot's power.
    """
    e = slot_energy(x, frame_start, clock)
    db = 10 * np.log10(np.maximum(e, 1e-30))
    floor = float(np.min(db)) if noise_power is None else 10 * np.log10(max(noise_power, 1e-30))
    ref = float(np.mean(db[[0, 1, 10, 11]]))  # subframes 0 and 5 are downlink in every configuration
    norm = np.clip((db - floor) / max(ref - floor, 1e-9), 0.0, 1.0)
    tpl, wgt = _templates()
    cost = np.sum(wgt * (tpl - norm[None, :]) ** 2, axis=1)
    order = np.argsort(cost)
    best = int(order[0])
    sub = e.reshape(10, 2).mean(axis=1)
    rel = 10 * np.log10(np.maximum(sub, 1e-30) / max(sub[0], 1e-30))
    return TddResult(best, TDD_CONFIGS[best], [round(float(v), 2) for v in rel], float(frame_start), float(clock),
                     [i for i, k in enumerate(TDD_CONFIGS[best]) if k == "U"], float(cost[order[1]] - cost[best]))
