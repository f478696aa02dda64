"""Sweep planning for `detector scan`: bands or ranges -> tuning steps with a dwell per technology."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import UsageError
from ..survey import plan_hops

__all__ = ["DEFAULT_DWELL_S", "Target", "Step", "targets_from", "lte_hops", "plan_sweep", "check_reachable"]

#: Seconds per step by technology: GSM needs >= 0.94 s so the SI3 that recurs every 4 multiframes
#: (TS 45.002 §6.3.1.3) is caught at least once; LTE's PSS/SSS and PBCH repeat every 10 ms, so 80 ms
#: (8 frames, 2 MIB periods of 40 ms) suffices; a plain range with no known technology is surveyed; an
#: uplink step listens for handsets for 1 s (about 216 TDMA frames, 1000 LTE subframes).
DEFAULT_DWELL_S = {"gsm": 1.0, "lte": 0.08, "umts": 0.1, "nr": 0.08, "survey": 0.25, "handset": 1.0}


@dataclass(frozen=True)
class Target:
    """A frequency range to sweep (Hz), with what is expected there."""

    label: str
    lo_hz: float
    hi_hz: float
    techs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One tuning of the sweep."""

    index: int
    center_freq_hz: float
    dwell_s: float
    label: str
    techs: tuple[str, ...]


def targets_from(ranges: list[tuple[float, float]], bands: list[str]) -> list[Target]:
    """Targets from ``-f LOW:HIGH`` ranges (techs from the band plan) and ``--band`` names: ``GSM900`` is
    the band's downlink (base stations), ``GSM900:ul`` its uplink (handsets; FDD bands)."""
    from ..bands import band_info, bands_for_freq

    out = []
    for lo, hi in ranges:
        techs = sorted({t for f in (lo, (lo + hi) / 2, hi) for t, _, link in bands_for_freq(f) if link == "dl"})
        out.append(Target(f"{lo / 1e6:g}-{hi / 1e6:g} MHz", lo, hi, tuple(techs)))
    for spec in bands:
        name, _, link = spec.partition(":")
        link = (link or "dl").lower()
        if link not in ("dl", "ul"):
            raise UsageError(f"--band {spec}: expected NAME, NAME:dl or NAME:ul")
        try:
            b = band_info(name)
        except (KeyError, ValueError) as e:
            raise UsageError(f"--band {name}: {e}") from None
        if link == "ul":
            if b.ul_low_hz is None or b.duplex != "fdd":
                raise UsageError(f"--band {spec}: {b.name} has no separate uplink ({b.duplex}); handsets in a TDD "
                                 f"band are searched on its downlink steps (--band {b.name}), in the uplink "
                                 f"subframes of the TD-LTE cells found there")
            out.append(Target(f"{b.name} UL", b.ul_low_hz, b.ul_high_hz, ("handset",)))
        else:
            out.append(Target(b.name, b.dl_low_hz, b.dl_high_hz, (b.tech,)))
    return out


#: An LTE carrier's centre lies at least this far inside its band (the narrowest channel is 1.4 MHz wide).
LTE_EDGE_INSET_HZ = 0.7e6


def lte_hops(lo_hz: float, hi_hz: float, sample_rate_hz: float, crop: float = 0.2) -> list[float]:
    """Centre frequencies (Hz) of the fewest evenly spaced steps that cover [lo, hi] with the central
    ``1 - crop`` of each capture (the survey) and every LTE carrier centre in [lo + 0.7 MHz, hi - 0.7 MHz]
    with the cell search's reach (`detector.lte.lte_reach_hz`: +-710 kHz at 2.4 MS/s, as the PSS must fit in
    the capture), so no carrier falls between two steps: 1.42 MHz apart at 2.4 MS/s, not 1.92 MHz.

    Examples
    --------
    >>> len(lte_hops(791e6, 821e6, 2.4e6))  # band 20: 21 steps (plan_hops' 16 miss a quarter of the raster)
    21
    """
    from ..lte import lte_reach_hz

    reach = lte_reach_hz(sample_rate_hz)
    half = sample_rate_hz * (1 - crop) / 2
    if reach <= 0:
        return plan_hops(lo_hz, hi_hz, sample_rate_hz, crop)
    edge = min(half, LTE_EDGE_INSET_HZ + reach)  # first and last centres this far inside the band
    span = hi_hz - lo_hz - 2 * edge
    if span <= 0:
        return [(lo_hz + hi_hz) / 2]
    n = math.ceil(span / (2 * min(half, reach)) - 1e-9) + 1
    return [lo_hz + edge + span * k / (n - 1) for k in range(n)]


def plan_sweep(targets: list[Target], sample_rate_hz: float, crop: float = 0.2,
               dwell_s: dict[str, float] | None = None) -> list[Step]:
    """Steps covering every target with the central ``1 - crop`` of each capture (`plan_hops`; `lte_hops`
    where LTE carriers are expected, whose cell search reaches less far), each with the longest dwell any of
    its technologies needs (`DEFAULT_DWELL_S`, overridable)."""
    dwell = {**DEFAULT_DWELL_S, **(dwell_s or {})}
    steps = []
    for t in targets:
        d = max((dwell.get(tech, dwell["survey"]) for tech in t.techs), default=dwell["survey"])
        hops = lte_hops if "lte" in t.techs else plan_hops
        for f in hops(t.lo_hz, t.hi_hz, sample_rate_hz, crop):
            steps.append(Step(len(steps), f, d, t.label, t.techs))
    return steps


def check_reachable(steps: list[Step], ranges_hz, tuner: str) -> tuple[list[Step], list[str]]:
    """Split steps into those the tuner can reach and one message per target it cannot.

    `ranges_hz` are the tuner's tunable ranges ((lo, hi), ...) in Hz; an empty tuple means unknown
    (everything is kept).
    """
    if not ranges_hz:
        return steps, []
    ok, missing = [], {}
    for s in steps:
        if any(lo <= s.center_freq_hz <= hi for lo, hi in ranges_hz):
            ok.append(s)
        else:
            missing.setdefault(s.label, []).append(s.center_freq_hz)
    span = ", ".join(f"{lo / 1e6:g}-{hi / 1e6:g} MHz" for lo, hi in ranges_hz)
    msgs = [f"{label}: {len(fs)} step(s) at {min(fs) / 1e6:.1f}-{max(fs) / 1e6:.1f} MHz are beyond the {tuner} "
            f"tuner's range ({span}); skipped" for label, fs in missing.items()]
    return [Step(i, s.center_freq_hz, s.dwell_s, s.label, s.techs) for i, s in enumerate(ok)], msgs
