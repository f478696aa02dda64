"""The "uplink" pipeline analyzer: handset records for captures tuned inside FDD uplink bands."""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ..pipeline import register_analyzer
from ._bursts import BurstDetector
from ._handsets import classify_prach, find_handsets, group_transmissions
from ._tdd import PRB_HZ, tdd_uplink_handsets

__all__ = ["UplinkAnalyzer", "uplink_bands", "tdd_bands", "handset_record"]


def uplink_bands(freq_hz: float) -> list[str]:
    """Names of the FDD bands whose *uplink* holds `freq_hz`; empty when any TDD band holds it too.

    A TDD carrier's downlink subframes come in 1 ms pieces on a 1 ms grid: without the downlink's frame
    timing they would look like handset transmissions, so frequencies a TDD band may use (1880-1920 MHz
    is PCS1900 uplink in the Americas but band 39 in China) are left to the TDD path (`tdd_bands`).
    """
    from ..bands import band_info, bands_for_freq

    found = bands_for_freq(freq_hz)
    if any(band_info(band).duplex == "tdd" for _t, band, _l in found):
        return []
    out = []
    for _tech, band, link in found:
        if link == "ul" and band_info(band).duplex == "fdd" and band not in out:
            out.append(band)
    return out


def tdd_bands(freq_hz: float) -> list[str]:
    """Names of the TDD LTE bands holding `freq_hz` (where handsets share the carrier with the downlink)."""
    from ..bands import band_info, bands_for_freq

    out = []
    for tech, band, _link in bands_for_freq(freq_hz):
        if tech == "lte" and band_info(band).duplex == "tdd" and band not in out:
            out.append(band)
    return out


def _iso(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def handset_record(h, t0: _dt.datetime, observed_s: float) -> dict:
    """A DESIGN.md ``kind: handset`` record (Hz, dBFS, dB; times UTC)."""
    import math

    from ..bands import blocks_at, gsm_channels

    rec = {"kind": "handset", "tech": h.tech, "link": "ul", "freq_hz": round(h.center_hz, 1),
           "freq_lo_hz": round(h.lo_hz, 1), "freq_hi_hz": round(h.hi_hz, 1), "bursts": h.bursts,
           "duty_cycle": round(h.duty_cycle(observed_s), 4),
           "power_dbfs": round(10 * math.log10(max(h.power, 1e-30)), 2), "snr_db": round(h.snr_db, 2),
           "first_seen": _iso(t0 + _dt.timedelta(seconds=h.first_s)),
           "last_seen": _iso(t0 + _dt.timedelta(seconds=h.last_s))}
    bands = uplink_bands(h.center_hz) or tdd_bands(h.center_hz)
    if h.tech == "gsm":
        rec["burst_types"] = h.burst_types()
        rec["tdma_timing"] = round(h.timing_fraction, 3)  # spacings that are whole TDMA frames
        chans = gsm_channels(h.center_hz, link="ul", tol_hz=20e3)
        if chans:
            rec["band"], rec["channel"] = chans[0].band, chans[0].number
    else:
        rec["bandwidth_hz"] = round(h.hi_hz - h.lo_hz, 1)
        if hasattr(h, "timing_fraction"):  # FDD: found by bursts; TDD handsets are found per uplink subframe
            rec["subframe_timing"] = round(h.timing_fraction, 3)  # starts on a common 1 ms grid
        roots = sorted({t.prach_root for t in getattr(h, "transmissions", []) if t.prach_root is not None})
        if roots:
            rec["prach"] = sum(1 for t in h.transmissions if t.prach_root is not None)
            rec["prach_roots"] = roots
        lte = [b for b in bands if b.startswith("B")]
        if lte:
            rec["band"] = lte[0]
    if bands:
        rec["bands"] = bands
    blocks = [b for b in blocks_at(h.center_hz, link="ul") if b.extent == "assigned"]
    if h.tech == "lte":  # a frequency in two bands (B35/B39): the band of the block an operator holds there
        held = [name for b in blocks for name in b.band.split("/") if name in bands]
        if held:
            rec["band"] = held[0]
    if blocks:
        rec["operator_blocks"] = [{"operator": b.operator, "country": b.country, "mcc": b.mcc,
                                   "techs": list(b.techs), "duplex": b.duplex, "band": b.band,
                                   **({"unverified": True} if b.unverified else {})} for b in blocks]
    return rec


@register_analyzer
class UplinkAnalyzer:
    """Handset records per segment (tuning), when a segment ends.

    * FDD uplink bands: burst detection (`BurstDetector`), transmissions grouped into GSM and LTE handsets,
      LTE random-access preambles recognised (`classify_prach`).
    * TDD bands (e.g. B38-B41): the LTE analyzer's records of the same segment (shown to `observe`) give
      each TD-LTE cell's frame timing and UL/DL configuration; `tdd_uplink_handsets` then looks for
      handsets in that cell's uplink subframes. With no TD-LTE cell found, a TDD band is not searched
      (downlink subframes would look like handset bursts).

    LTE records this analyzer reads (a ``tech: lte``, ``identity.duplex: tdd`` cell record of the same
    segment): ``lte.frame_start_s`` (seconds from the segment's first sample to a radio-frame start),
    ``lte.tdd_config`` (0-6), ``freq_hz`` + ``freq_offset_hz`` (the carrier as measured; or
    ``baseband_offset_hz`` when the tuning is unknown) and ``identity.n_rb_dl`` when the MIB decoded (else
    20 MHz is assumed: only what the capture holds is examined).
    """

    name = "uplink"
    step_local = True  # records from one tuning's blocks only: a scan may run it in a worker process
    order = 50

    #: Seconds of each segment kept for the random-access preamble and TDD tests (bounded memory: 2 s at
    #: 2.4 MS/s is 38 MB); later samples of a longer dwell are searched for bursts, not for these.
    keep_s = 2.0

    def __init__(self, pfa: float = 1e-4, tdd_pfa: float = 1e-6):
        self.pfa = pfa
        self.tdd_pfa = tdd_pfa
        self._key = None
        self._det: BurstDetector | None = None
        self._tdd = False
        self._t0 = None
        self._fs = 0.0
        self._fc = 0.0
        self._seg_start = 0
        self._samples = 0
        self._kept: list[np.ndarray] = []
        self._lte_cells: list[dict] = []

    def observe(self, records: list[dict]) -> None:
        """Records of analyzers that ran before this one (`detector.pipeline.call_in_order`): TD-LTE cells."""
        for r in records:
            if r.get("kind") == "cell" and r.get("tech") == "lte" and (r.get("identity") or {}).get("duplex") == "tdd":
                self._lte_cells.append(r)

    def _flush(self) -> list[dict]:
        det, self._det = self._det, None
        kept, self._kept = self._kept, []
        cells, self._lte_cells = self._lte_cells, []
        tdd, self._tdd = self._tdd, False
        if tdd and kept:
            return self._tdd_records(np.concatenate(kept), cells)
        if det is None:
            return []
        observed = self._samples / det.fs
        trans = group_transmissions(det.finish(), det.window_s, det.channels_hz.size, det.fc)
        if kept:
            classify_prach(trans, np.concatenate(kept), det.fs, det.fc)
        return [handset_record(h, self._t0, observed) for h in find_handsets(trans, det.window_s)]

    def _tdd_records(self, x: np.ndarray, cells: list[dict]) -> list[dict]:
        out = []
        for cell in cells:
            lte = cell.get("lte") or {}
            start_s, config = lte.get("frame_start_s"), lte.get("tdd_config")
            if start_s is None or config is None:
                continue
            n_rb = (cell.get("identity") or {}).get("n_rb_dl") or 100
            if cell.get("freq_hz") is not None:
                offset = cell["freq_hz"] + cell.get("freq_offset_hz", 0.0) - self._fc
            else:
                offset = cell.get("baseband_offset_hz", 0.0)
            found, _info = tdd_uplink_handsets(x, self._fs, float(start_s) * self._fs, int(config), offset,
                                               n_rb * PRB_HZ, self.tdd_pfa)
            # on the cell's frequency scale: the receiver's error measured on the downlink is taken out
            to_abs = self._fc - (cell.get("freq_offset_hz") or 0.0)
            for h in found:
                h.lo_hz += to_abs
                h.hi_hz += to_abs
                rec = handset_record(h, self._t0, x.size / self._fs)
                rec.update(duplex="tdd", subframes=len(h.subframes),
                           cell={"pci": (cell.get("identity") or {}).get("pci"), "freq_hz": cell.get("freq_hz"),
                                 "tdd_config": int(config)})
                out.append(rec)
        return out

    def process(self, block) -> list[dict]:
        """Feed a block; returns the records of the previous segment when a new one starts."""
        out = []
        key = (block.segment, block.center_freq_hz)
        if key != self._key:
            out = self._flush()
            self._key = key
            fc = block.center_freq_hz
            self._t0, self._samples, self._fs, self._fc = block.timestamp, 0, block.sample_rate_hz, fc
            self._seg_start = block.start_sample
            if fc == fc and fc > 0 and uplink_bands(fc):
                self._det = BurstDetector(block.sample_rate_hz, fc, self.pfa)
            elif fc == fc and fc > 0 and tdd_bands(fc):
                self._tdd = True
        if self._det is not None or self._tdd:
            if self._det is not None:
                self._det.update(block.samples)
            if self._samples < self.keep_s * block.sample_rate_hz:
                self._kept.append(block.samples)
            self._samples += len(block)
        return out

    def end_step(self) -> list[dict]:
        """Records of the tuning just finished (live scans call this at the end of each dwell)."""
        out = self._flush()
        self._key = None
        return out

    def finish(self) -> list[dict]:
        """Records of the last segment."""
        return self._flush()
