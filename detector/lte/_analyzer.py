"""The "lte" pipeline analyzer: one detection record per LTE cell per tuning (DESIGN.md).

Blocks of a segment (one tuning) are buffered, and `search` runs on windows of `window_s` seconds (at most
`max_window_samples` samples, so memory stays bounded at any rate: 2^22 complex64 = 32 MB, 1.5 times that
buffered); the segment's last window holds the rest, 0.5 to 1.5 windows (a short remainder is no search of
its own).
Cells of all windows of a segment are merged per (carrier raster point, PCI) and turned into records when
the segment ends (the next segment's first block, `end_step` in live scans, or `finish`).

A record holds only what was measured: MIB fields only when a PBCH CRC passed. Fields (DESIGN.md's
detection record, plus ``lte``):

* ``band`` (the band of the detected duplex mode that holds the raster point; ``bands`` lists all of them
  when there are several), ``channel`` (downlink EARFCN), ``freq_hz`` (raster), ``freq_offset_hz`` (measured
  - raster, Hz), ``power_dbfs`` (mean power of one PSS/SSS resource element, RSRP-like, relative to a
  full-scale tone), ``snr_db`` (that over the noise per 15 kHz subcarrier), ``first_seen``/``last_seen``;
* ``identity``: ``pci``, ``n_id_1``, ``n_id_2``, ``duplex``, ``cp``; with a MIB: ``n_rb_dl``, ``n_ports``, ``sfn``
  (of the first complete radio frame of the window it was decoded in), ``phich`` {``duration``, ``resource``};
* ``lte``: ``ppm`` (-offset / raster x 1e6, the ``-p`` correction), ``pss_metric``, ``pss_threshold``, ``sss_z``,
  ``half_frames``, ``mib_ttis`` (TTIs whose CRC passed / tried), ``frame_start_s`` (first radio-frame start,
  seconds into the segment), and for TDD ``tdd_config``, ``tdd_pattern`` and ``subframe_power_db``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field

import numpy as np

from ..bands import lte_channels
from ..calibration import CRYSTAL_SPAN_PPM
from ..pipeline import register_analyzer
from ._constants import FS
from ._search import LteCell, SearchConfig, carrier_raster, search

__all__ = ["LteAnalyzer", "CellAccumulator", "cell_record", "lte_bands_in_capture"]


def _iso(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def lte_bands_in_capture(center_freq_hz: float, sample_rate_hz: float) -> bool:
    """True when an LTE downlink raster point lies in the captured band (or the tuning is unknown)."""
    if sample_rate_hz < FS * (1 - 1e-6):
        return False
    if not (center_freq_hz == center_freq_hz) or center_freq_hz <= 0:
        return True
    half = max(sample_rate_hz / 2 - 480e3, 0.0) + 300e3  # carrier within the band, allowing for the ppm error
    for f in np.arange(center_freq_hz - half, center_freq_hz + half + 1, 100e3):
        try:
            if lte_channels(float(f), tol_hz=50e3):
                return True
        except ValueError:
            continue
    return False


@dataclass
class CellAccumulator:
    """One cell (raster point + PCI) during one tuning, merged over windows."""

    center_freq_hz: float
    sample_rate_hz: float
    cells: list = field(default_factory=list)  # (window t0, window first sample, LteCell)

    def best(self) -> LteCell:
        return max((c for _, _, c in self.cells), key=lambda c: c.pss_metric)


def _channels(raster: float, duplex: str):
    try:
        chans = lte_channels(raster, tol_hz=1.0)
    except ValueError:
        return []
    same = [c for c in chans if c.duplex == duplex]
    return same or chans


def cell_record(acc: CellAccumulator) -> dict:
    """A DESIGN.md ``kind: cell`` record for an accumulated LTE cell (measured fields only)."""
    best = acc.best()
    fc = acc.center_freq_hz
    known = fc == fc and fc > 0
    rec: dict = {"kind": "cell", "tech": "lte"}
    offsets = [c.offset_hz for _, _, c in acc.cells]
    off = float(np.median(offsets))
    if known:
        raster, foff = carrier_raster(fc, off, acc.sample_rate_hz, clock=best.timing.clock)
        chans = _channels(raster, best.duplex)
        if chans:
            rec["band"] = chans[0].band
            if len(chans) > 1:
                rec["bands"] = [c.band for c in chans]
            rec["channel"] = chans[0].number
        rec["freq_hz"] = raster
        rec["freq_offset_hz"] = round(foff, 1)
    else:
        rec["baseband_offset_hz"] = round(off, 1)
    rec["power_dbfs"] = round(float(np.median([c.power_dbfs for _, _, c in acc.cells])), 2)
    rec["snr_db"] = round(float(np.median([c.snr_db for _, _, c in acc.cells])), 2)
    t_first = min(t0 + _dt.timedelta(seconds=max(c.extra["pss_position"], 0) / FS) for t0, _, c in acc.cells)
    t_last = max(t0 + _dt.timedelta(seconds=max(c.extra["pss_positions"][-1], 0) / FS) for t0, _, c in acc.cells)
    rec["first_seen"], rec["last_seen"] = _iso(t_first), _iso(t_last)
    ident = {"pci": best.pci, "n_id_1": best.n_id_1, "n_id_2": best.n_id_2, "duplex": best.duplex, "cp": best.cp}
    mibs = [(t0, c.mib) for t0, _, c in acc.cells if c.mib is not None]
    lte: dict = {}
    if mibs:
        _, m = max(mibs, key=lambda tm: (tm[1].ttis_decoded, tm[1].metric))
        ident.update({"n_rb_dl": m.n_rb_dl, "n_ports": m.n_ports, "sfn": m.sfn, "phich": dict(m.phich)})
        lte["mib_ttis"] = [sum(mm.ttis_decoded for _, mm in mibs), sum(mm.ttis_tried for _, mm in mibs)]
    rec["identity"] = ident
    if known and "freq_hz" in rec:
        lte["ppm"] = round(-rec["freq_offset_hz"] / rec["freq_hz"] * 1e6, 3)
    lte.update({"pss_metric": round(best.pss_metric, 1), "pss_threshold": round(best.pss_threshold, 1),
                "sss_z": round(best.sss_z, 2), "half_frames": sum(c.half_frames for _, _, c in acc.cells),
                "frame_start_s": round(min(c.timing.frame_start % (19200 * c.timing.clock) + s0 * FS /
                                           acc.sample_rate_hz for _, s0, c in acc.cells) / FS, 6)})
    tdds = [c.tdd for _, _, c in acc.cells if c.tdd is not None]
    if tdds:
        t = max(tdds, key=lambda t: t.confidence)
        lte.update({"tdd_config": t.config, "tdd_pattern": t.pattern, "subframe_power_db": t.subframe_power_db,
                    "uplink_subframes": t.uplink_subframes})
    rec["lte"] = lte
    return rec


@register_analyzer
class LteAnalyzer:
    """LTE cell search over each tuning; one ``kind: cell`` record per cell when a tuning ends.

    Parameters
    ----------
    window_s : float
        Seconds of samples per search (longer: more half-frames and PBCH TTIs combined).
    max_window_samples : int
        Cap on a window's samples (bounds memory at high rates).
    min_window_s : float
        A segment's last window shorter than this is dropped (a search needs one half-frame, 5 ms).
    config : SearchConfig, optional
    max_wide_windows : int
        Windows searched per tuning when the rate is above 2.5 MS/s (a wide capture costs several seconds of
        CPU per window, e.g. ~7 s at 19.2 MS/s with one cell; later windows of such a tuning are skipped).
    """

    name = "lte"
    step_local = True  # records from one tuning's blocks only: a scan may run it in a worker process
    order = 20

    def __init__(self, window_s: float = 1.0, max_window_samples: int = 1 << 22, min_window_s: float = 0.005,
                 config: SearchConfig | None = None, max_wide_windows: int = 1):
        self.window_s = window_s
        self.max_wide_windows = max_wide_windows
        self._seg_windows = 0
        self.max_window_samples = max_window_samples
        self.min_window_s = min_window_s
        self.config = config or SearchConfig()
        self._configured = self.config
        self._key = None
        self._buf: list[np.ndarray] = []
        self._buf_n = 0
        self._buf_t0: _dt.datetime | None = None
        self._buf_s0 = 0
        self._seg_s0 = 0
        self._fs = 0.0
        self._fc = float("nan")
        self._active = False
        self._cells: dict[tuple, CellAccumulator] = {}
        self.windows = 0
        self.errors: list[str] = []

    def _window_len(self) -> int:
        return int(min(self.window_s * self._fs, self.max_window_samples))

    def _run_window(self) -> None:
        if not self._buf:
            return
        x = np.concatenate(self._buf) if len(self._buf) > 1 else self._buf[0]
        t0, s0 = self._buf_t0, self._buf_s0
        self._buf, self._buf_n = [], 0
        self._buf_s0 = s0 + x.size
        if x.size < self.min_window_s * self._fs:
            return
        if self._fs > 2.5e6 and self._seg_windows >= self.max_wide_windows:
            return
        self._seg_windows += 1
        self.windows += 1
        fc = self._fc if self._fc == self._fc and self._fc > 0 else None
        try:
            cells = search(x, self._fs, fc, self.config)
        except ValueError as e:  # too short after resampling, etc.: nothing to report for this window
            self.errors.append(str(e))
            return
        for c in cells:
            if fc is not None:
                raster, _ = carrier_raster(fc, c.offset_hz, self._fs, clock=c.timing.clock)
                key = (raster, c.pci)
            else:
                key = (round(c.offset_hz / 100e3), c.pci)
            acc = self._cells.get(key)
            if acc is None:
                acc = self._cells[key] = CellAccumulator(self._fc, self._fs)
            acc.cells.append((t0, s0 - self._seg_s0, c))

    def _flush(self) -> list[dict]:
        if self._active:
            self._run_window()
        recs = [cell_record(acc) for acc in self._cells.values()]
        recs.sort(key=lambda r: (r.get("freq_hz") or r.get("baseband_offset_hz") or 0, -r.get("power_dbfs", 0)))
        self._cells = {}
        self._active = False
        return recs

    def process(self, block) -> list[dict]:
        """Buffer a block; returns the previous segment's records when a new segment starts."""
        out: list[dict] = []
        key = (block.segment, block.center_freq_hz, block.sample_rate_hz)
        if key != self._key:
            out = self._flush()
            self._key = key
            self._fs, self._fc = block.sample_rate_hz, block.center_freq_hz
            self._active = lte_bands_in_capture(block.center_freq_hz, block.sample_rate_hz)
            self._buf, self._buf_n, self._buf_t0 = [], 0, block.timestamp
            self._buf_s0 = self._seg_s0 = block.start_sample
            self._seg_windows = 0
        if not self._active or len(block) == 0:
            return out
        if not self._buf:
            self._buf_t0 = block.timestamp
            self._buf_s0 = block.start_sample
        x = block.samples
        if not np.all(np.isfinite(x.view(np.float32))):
            x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        n_win = self._window_len()
        self._buf.append(x)
        self._buf_n += x.size
        # a window is searched once 1.5 windows are buffered, so the tuning's last window holds what remains
        # (0.5 to 1.5 windows): a 1.11 s tuning is one 1.11 s search, not a 1 s one and a 0.11 s one
        while self._buf_n >= n_win + n_win // 2:
            whole = np.concatenate(self._buf) if len(self._buf) > 1 else self._buf[0]
            self._buf, self._buf_n = [whole[:n_win]], n_win
            self._run_window()
            self._buf, self._buf_n = [whole[n_win:]], whole.size - n_win
            self._buf_t0 = (self._buf_t0 + _dt.timedelta(seconds=n_win / self._fs)) if self._buf_t0 else None
        return out

    def assume_crystal(self, ppm: float | None, span_ppm: float = CRYSTAL_SPAN_PPM) -> None:
        """Search the coming tunings for carriers seen with a crystal error within `span_ppm` of `ppm` (the
        ``-p`` correction a decoded cell of this sweep measured: `SearchConfig.ppm_center`); None: the
        configured range again. A scan calls it between tunings."""
        if ppm is None:
            self.config = self._configured
        else:
            self.config = dataclasses.replace(self._configured, ppm_center=float(ppm),
                                              ppm_max=min(float(span_ppm), self._configured.ppm_max))

    def end_step(self) -> list[dict]:
        """Records of the tuning just finished (live scans call this at the end of each dwell)."""
        out = self._flush()
        self._key = None
        return out

    def finish(self) -> list[dict]:
        """Records of the last tuning."""
        return self._flush()
