"""The "spectrum" pipeline analyzer: emissions that no receiver identifies become ``kind: emission`` records."""

from __future__ import annotations

import datetime as _dt

from ..pipeline import register_analyzer
from ._survey import SurveyAccumulator, SurveyConfig

__all__ = ["SpectrumAnalyzer", "emission_record"]


def _iso_z(t: _dt.datetime | None) -> str | None:
    if t is None:
        return None
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def emission_record(e) -> dict:
    """A DESIGN.md detection record of kind ``emission`` for a `SurveyEmission` (Hz, dBFS, dB).

    ``shape`` is the spectral-shape class (gsm, lte, umts, nr, narrowband, unknown): a hint of what
    the energy is, not an identification; ``snr_db`` is absent when the emission fills the capture.
    """
    rec = {"kind": "emission", "shape": e.shape, "freq_hz": round(e.center_hz, 1),
           "freq_lo_hz": round(e.freq_lo_hz, 1), "freq_hi_hz": round(e.freq_hi_hz, 1),
           "bandwidth_hz": round(e.obw_hz, 1), "power_dbfs": round(e.power_dbfs, 2),
           "first_seen": _iso_z(e.first_seen), "last_seen": _iso_z(e.last_seen)}
    if e.snr_db == e.snr_db:  # not NaN
        rec["snr_db"] = round(e.snr_db, 2)
    if e.nominal_bandwidth_hz:
        rec["nominal_bandwidth_hz"] = e.nominal_bandwidth_hz
    try:
        from ..bands import blocks_at, describe_frequency
    except ImportError:
        return rec
    rec.update(describe_frequency(e.center_hz, e.shape))
    if e.center_hz > 0:
        blocks = [b for b in blocks_at(e.center_hz) if b.extent == "assigned"]
        if blocks:  # whose block the energy sits in (evidence for the policy, not a verdict)
            rec["operator_blocks"] = [
                {"operator": b.operator, "country": b.country, "mcc": b.mcc, "techs": list(b.techs),
                 "duplex": b.duplex, "band": b.band, **({"unverified": True} if b.unverified else {})}
                for b in blocks]
    return rec


@register_analyzer
class SpectrumAnalyzer:
    """Survey every block; at the end report the emissions, as `emission_record` dicts.

    It runs last (``order = 100``): `detector.pipeline.run` drops the emissions that contain the
    frequency of a cell another analyzer reported, so only unidentified energy remains.
    """

    name = "spectrum"
    order = 100

    def __init__(self, config: SurveyConfig | None = None):
        self.acc = SurveyAccumulator(config or SurveyConfig())

    def process(self, block) -> list[dict]:
        """Accumulate one block (no records until the end)."""
        self.acc.update(block)
        return []

    def end_step(self) -> list[dict]:
        """Records of the emissions wholly inside the step just finished (live scans report them at once)."""
        return [emission_record(e) for e in self.acc.step_emissions()]

    def finish(self) -> list[dict]:
        """Emission records of the whole run."""
        return [emission_record(e) for e in self.acc.finish().emissions]
