"""From bursts to handsets: GSM TDMA bursts and LTE SC-FDMA transmissions, told apart by shape and timing.

Facts used (TS 45.002 §5.2, TS 45.010; TS 36.211 §4-5):

* GSM: a normal burst is 148 bits (546 us) in a 577 us timeslot, an access burst 88 bits (325 us); one
  channel is 200 kHz; a handset on one timeslot transmits once per TDMA frame of 120/26 ms = 4.615 ms.
* LTE uplink: SC-FDMA in 1 ms subframes (two 0.5 ms slots), allocations of n x 180 kHz (PRBs); PUCCH
  hops between the band edges slot by slot; transmissions start on the 1 ms subframe grid.

Rejected as not a handset: bursts shorter than 250 us (impulsive interference); bursts on most of the
channels at once for less than a slot (broadband impulses); and anything without the timing of either
system (a GSM channel needs >= 3 bursts, half of their spacings multiples of 4.615 ms; LTE needs >= 2
transmissions on a common 1 ms grid, or one random-access preamble recognised by `classify_prach`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._bursts import CHANNEL_HZ, Burst

__all__ = ["Transmission", "Handset", "classify_prach", "group_transmissions", "find_handsets", "TDMA_FRAME_S"]

TDMA_FRAME_S = 120e-3 / 26  # 4.615 ms (TS 45.010)
NORMAL_BURST_S = 148 / (1625000 / 6)  # 546 us
ACCESS_BURST_S = 88 / (1625000 / 6)  # 325 us


@dataclass
class Transmission:
    """Simultaneous bursts on adjacent channels: one transmission of `bandwidth_hz` around `center_hz`."""

    bursts: list[Burst]
    prach_root: int | None = None  # physical ZC root when the transmission is a random-access preamble

    @property
    def start_s(self) -> float:
        return min(b.start_s for b in self.bursts)

    @property
    def end_s(self) -> float:
        return max(b.end_s for b in self.bursts)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def lo_hz(self) -> float:
        return min(b.channel_hz for b in self.bursts) - CHANNEL_HZ / 2

    @property
    def hi_hz(self) -> float:
        return max(b.channel_hz for b in self.bursts) + CHANNEL_HZ / 2

    @property
    def center_hz(self) -> float:
        weights = np.array([max(b.power - b.noise, 1e-30) for b in self.bursts])
        return float(np.sum(weights * [b.channel_hz for b in self.bursts]) / weights.sum())

    @property
    def bandwidth_hz(self) -> float:
        return self.hi_hz - self.lo_hz


@dataclass
class Handset:
    """One handset's activity: technology, where, how often and how strong."""

    tech: str
    center_hz: float
    lo_hz: float
    hi_hz: float
    transmissions: list[Transmission] = field(default_factory=list)
    timing_fraction: float = 0.0  # spacings on the system's grid / all spacings

    @property
    def bursts(self) -> int:
        return len(self.transmissions)

    def duty_cycle(self, observed_s: float) -> float:
        """Time transmitting over time observed."""
        return float(sum(t.duration_s for t in self.transmissions) / observed_s) if observed_s > 0 else 0.0

    @property
    def power(self) -> float:
        """Mean burst power summed over the channels of each transmission (linear)."""
        return float(np.mean([sum(b.power for b in t.bursts) for t in self.transmissions]))

    @property
    def snr_db(self) -> float:
        """Mean burst SNR in the occupied channels, dB."""
        return float(np.mean([np.mean([b.snr_db for b in t.bursts]) for t in self.transmissions]))

    @property
    def first_s(self) -> float:
        return min(t.start_s for t in self.transmissions)

    @property
    def last_s(self) -> float:
        return max(t.end_s for t in self.transmissions)

    def burst_types(self) -> dict:
        """GSM: counts of normal and access bursts by duration."""
        cut = (NORMAL_BURST_S + ACCESS_BURST_S) / 2
        normal = sum(1 for t in self.transmissions if max(b.active_s for b in t.bursts) >= cut)
        return {"normal": normal, "access": len(self.transmissions) - normal}


def _touching(lo1: float, hi1: float, lo2: float, hi2: float, dc_hz: float | None) -> bool:
    """Frequency ranges that share an edge or overlap, or sit either side of the left-out DC channel."""
    if lo2 <= hi1 + 1.0 and hi2 >= lo1 - 1.0:
        return True
    if dc_hz is None:
        return False
    gap = (lo2 - hi1) if lo2 > hi1 else (lo1 - hi2)
    mid = (hi1 + lo2) / 2 if lo2 > hi1 else (hi2 + lo1) / 2
    return abs(gap - CHANNEL_HZ) < 1.0 and abs(mid - dc_hz) < 1.0


def _overlapping(a, b, window_s: float) -> bool:
    """Time overlap of at least half the shorter of two bursts or transmissions."""
    overlap = min(b.end_s, a.end_s) - max(b.start_s, a.start_s)
    return overlap >= 0.5 * min(b.duration_s, a.duration_s) - window_s * 0.01


def group_transmissions(bursts: list[Burst], window_s: float, n_channels: int, dc_hz: float | None = None
                        ) -> list[Transmission]:
    """Merge bursts on adjacent channels that overlap in time (an allocation wider than one channel; its edge
    channels see less energy, so their runs are shorter), then rejoin runs split by one cold window.

    `dc_hz`: the tuning, whose channel the burst detector leaves out (LO leakage); channels on either side
    of it count as adjacent, so an allocation across the tuning stays one transmission."""
    # broadband impulses first: short bursts starting together on most channels are one impulse, not handsets
    short = [b for b in bursts if b.duration_s < 0.45e-3]
    starts = np.array([b.start_s for b in short])
    crowd = max(4, int(np.ceil(0.5 * n_channels)))
    impulse = {id(b) for b in short if np.count_nonzero(np.abs(starts - b.start_s) <= window_s * 1.01) >= crowd}
    out: list[Transmission] = []
    for b in sorted((b for b in bursts if id(b) not in impulse), key=lambda b: (b.start_s, b.channel_hz)):
        for t in out[-16:]:
            if _touching(t.lo_hz, t.hi_hz, b.channel_hz - CHANNEL_HZ / 2, b.channel_hz + CHANNEL_HZ / 2, dc_hz) \
                    and _overlapping(t, b, window_s):
                t.bursts.append(b)
                break
        else:
            out.append(Transmission([b]))
    # pieces of one allocation whose channels began in different windows: join those that now touch
    out.sort(key=lambda t: t.start_s)
    i = 0
    while i < len(out):
        t = out[i]
        j = i + 1
        while j < len(out) and out[j].start_s - t.start_s <= 1.2e-3:
            u = out[j]
            if _touching(t.lo_hz, t.hi_hz, u.lo_hz, u.hi_hz, dc_hz) and _overlapping(t, u, window_s):
                t.bursts.extend(u.bursts)
                del out[j]
                j = i + 1
                continue
            j += 1
        i += 1
    # an SC-FDMA subframe whose power dips for one window appears as two runs: join them back
    out.sort(key=lambda t: t.start_s)
    merged: list[Transmission] = []
    for t in out:
        for m in merged[-8:]:
            if 0 <= t.start_s - m.end_s <= window_s * 1.01 and t.lo_hz < m.hi_hz and t.hi_hz > m.lo_hz \
                    and max(m.duration_s, t.duration_s) >= 0.45e-3:
                m.bursts.extend(t.bursts)
                break
        else:
            merged.append(t)
    keep = []
    for t in merged:
        if t.duration_s < 250e-6:
            continue  # shorter than any handset burst: impulsive interference
        if len(t.bursts) >= max(4, 0.7 * n_channels) and t.duration_s < 0.45e-3:
            continue  # broadband and brief: an impulse, not an allocation
        keep.append(t)
    return keep


def classify_prach(transmissions: list[Transmission], x: np.ndarray, fs: float, center_freq_hz: float = 0.0) -> int:
    """Mark transmissions that are LTE random-access preambles (`_prach.prach_score`); returns how many.

    `x` holds the samples the burst times refer to (sample 0 = time 0), tuned to `center_freq_hz` (the
    transmissions' frequencies are absolute). Candidates are 0.6-1.6 MHz wide (format 0 is 1.05 MHz;
    weak edge channels may be missed) and 0.6-1.2 ms long (903 us); the 800 us test window is tried at
    four starts around the detected start (burst edges are known to about one STFT window).
    """
    from ._prach import prach_score

    found = 0
    for t in transmissions:
        if not (0.6e6 <= t.bandwidth_hz <= 1.6e6 and 0.6e-3 <= t.duration_s <= 1.2e-3):
            continue
        best = (0.0, None)
        for d in (-50e-6, 0.0, 50e-6, 100e-6):
            score, root, _ = prach_score(x, fs, t.center_hz - center_freq_hz, int(round((t.start_s + d) * fs)))
            if score > best[0]:
                best = (score, root)
        if best[1] is not None:
            t.prach_root = best[1]
            found += 1
    return found


def _on_grid(starts: np.ndarray, period_s: float, tol_s: float) -> float:
    """Fraction of consecutive spacings that are whole multiples of `period_s` (within `tol_s`)."""
    if starts.size < 2:
        return 0.0
    d = np.diff(np.sort(starts))
    k = np.round(d / period_s)
    return float(np.mean((k >= 1) & (np.abs(d - k * period_s) <= tol_s)))


def find_handsets(transmissions: list[Transmission], window_s: float) -> list[Handset]:
    """GSM handsets per channel and LTE handsets per frequency region, with their timing evidence."""
    gsm, lte = {}, []
    for t in transmissions:
        narrow = t.bandwidth_hz <= 2 * CHANNEL_HZ + 1
        if narrow and t.duration_s <= 0.75e-3:
            ch = round(max(t.bursts, key=lambda b: b.power).channel_hz)
            gsm.setdefault(ch, []).append(t)
        elif t.duration_s >= 0.45e-3:
            lte.append(t)
    out = []
    tol = max(window_s * 1.5, 60e-6)
    for ch, ts in gsm.items():
        frac = _on_grid(np.array([t.start_s for t in ts]), TDMA_FRAME_S, tol)
        if len(ts) >= 3 and frac >= 0.5:
            out.append(Handset("gsm", float(ch), ch - CHANNEL_HZ / 2, ch + CHANNEL_HZ / 2, ts, frac))
    regions: list[list[Transmission]] = []
    for t in sorted(lte, key=lambda t: t.lo_hz):
        for r in regions:
            if t.lo_hz < max(x.hi_hz for x in r) + CHANNEL_HZ and t.hi_hz > min(x.lo_hz for x in r) - CHANNEL_HZ:
                r.append(t)
                break
        else:
            regions.append([t])
    for r in regions:
        starts = np.array([t.start_s for t in r])
        # on the 1 ms subframe grid: the start times agree modulo 1 ms
        phase = np.mod(starts - starts.min() + tol, 1e-3)
        frac = float(np.mean(phase <= 2 * tol)) if starts.size >= 2 else 0.0
        if (len(r) >= 2 and frac >= 0.5) or any(t.prach_root is not None for t in r):  # a preamble is enough
            lo, hi = min(t.lo_hz for t in r), max(t.hi_hz for t in r)
            w = np.array([t.bandwidth_hz * t.duration_s for t in r])
            c = float(np.sum(w * [t.center_hz for t in r]) / w.sum())
            out.append(Handset("lte", c, lo, hi, r, frac))
    return sorted(out, key=lambda h: h.center_hz)
