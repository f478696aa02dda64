"""The "gsm" pipeline analyzer: one detection record per C0 carrier per tuning (DESIGN.md).

Blocks of a segment (one tuning) are buffered up to `window_s` seconds (bounded memory: 2 s at
2.4 MS/s is 38 MB of complex64), then `receive` runs on the window; consecutive windows overlap by
`overlap_s` so that a burst pair or block cut by the boundary is seen whole in one of them (blocks
decoded twice are counted once, by frame number). Results of the windows of a segment are merged per
(ARFCN, BSIC) and turned into records when the segment ends (`process` of the next segment's first
block, `end_step` for live scans, or `finish`).

A record holds only what was decoded: no MCC/MNC/LAC/CI unless an SI3/SI4 passed its Fire code,
no neighbours unless an SI2/2bis/2ter did. Fields (DESIGN.md's detection record, plus ``gsm``):

* ``band``, ``channel`` (ARFCN), ``freq_hz`` (raster), ``freq_offset_hz`` (measured - raster, Hz),
  ``power_dbfs`` (signal power per symbol from the channel estimates), ``snr_db`` (signal over noise in
  the 200 kHz channel, median over bursts), ``first_seen``/``last_seen`` (UTC);
* ``identity``: ``bsic``, ``ncc``, ``bcc`` (SCH); ``mcc``, ``mnc`` (strings), ``lac`` (SI3/SI4, majority);
  ``cell_id`` (SI3); ``neighbours`` (union of the SI2, SI2bis and SI2ter BCCH allocations);
* ``gsm``: ``ppm`` (-offset/frequency x 1e6, the ``-p`` correction), ``sample_clock_ppm`` (from the TDMA frame
  period), ``fn_first``, ``mnc_digits``, ``neighbours_by_message``, ``neighbours_3g_uarfcn`` and
  ``neighbours_lte_earfcn`` (SI2quater), ``cell_allocation`` (SI1), SI3 parameters (``ccch_conf``,
  ``bs_ag_blks_res``, ``bs_pa_mfrms``, ``t3212_decihours``, cell selection and reselection, ``gprs``,
  ``si2ter_indicator``, ``si2quater_indicator``), and ``counts``: SCH decoded/failed, BCCH and CCCH blocks
  decoded/failed (BCCH failures by TC: 2 and 6 are SI3), decoded messages by type.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..pipeline import register_analyzer
from ._arfcn import freq_to_channel
from ._receiver import CarrierResult, ReceiverConfig, receive

__all__ = ["GsmAnalyzer", "CellAccumulator", "cell_record", "gsm_bands_in_capture"]


def _iso(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def gsm_bands_in_capture(center_freq_hz: float, sample_rate_hz: float) -> bool:
    """True when some GSM downlink channel lies inside the captured band (or the tuning is unknown)."""
    if not (center_freq_hz == center_freq_hz) or center_freq_hz <= 0:
        return True
    for f in np.linspace(center_freq_hz - sample_rate_hz / 2, center_freq_hz + sample_rate_hz / 2, 33):
        if freq_to_channel(float(f)) is not None:
            return True
    return False


@dataclass
class CellAccumulator:
    """Everything decoded about one carrier (ARFCN + BSIC) during one tuning, merged over windows."""

    center_freq_hz: float
    carrier_abs_hz: list = field(default_factory=list)
    bsic: int | None = None
    sch_fns: set = field(default_factory=set)
    sch_failed: int = 0
    blocks: dict = field(default_factory=dict)  # (channel, fn) -> message dict
    failed: Counter = field(default_factory=Counter)
    failed_tc: Counter = field(default_factory=Counter)
    snr_db: list = field(default_factory=list)
    power: list = field(default_factory=list)
    first: _dt.datetime | None = None
    last: _dt.datetime | None = None
    frame_period_samples: list = field(default_factory=list)
    sample_rate_hz: float = 0.0

    def add(self, r: CarrierResult, t0: _dt.datetime, fs: float) -> None:
        """Merge one window's result (`t0` = UTC time of the window's first sample)."""
        self.sample_rate_hz = fs
        self.carrier_abs_hz.append(self.center_freq_hz + r.carrier_hz if self.center_freq_hz == self.center_freq_hz
                                   else r.carrier_hz)
        self.bsic = r.bsic if r.bsic is not None else self.bsic
        new_sch = {fn for fn, _ in r.sch}
        self.sch_fns |= new_sch
        self.sch_failed += r.sch_failed
        for b in r.blocks:
            self.blocks.setdefault((b.channel, b.fn), b.message)
        for k, v in r.failed.items():
            self.failed[k] += v
        for k, v in r.failed_bcch_tc.items():
            self.failed_tc[k] += v
        if r.snr_db is not None:
            self.snr_db.append(r.snr_db)
        if r.power:
            self.power.append(r.power)
        if r.frame_period_samples:
            self.frame_period_samples.append(r.frame_period_samples)
        a = t0 + _dt.timedelta(seconds=max(r.first_sample or 0.0, 0.0) / fs)
        b = t0 + _dt.timedelta(seconds=max(r.last_sample or 0.0, 0.0) / fs)
        self.first = a if self.first is None or a < self.first else self.first
        self.last = b if self.last is None or b > self.last else self.last


def cell_record(acc: CellAccumulator) -> dict:
    """A DESIGN.md ``kind: cell`` record for an accumulated carrier (only decoded fields)."""
    f_abs = float(np.median(acc.carrier_abs_hz))
    rec: dict = {"kind": "cell", "tech": "gsm"}
    known_tuning = acc.center_freq_hz == acc.center_freq_hz and acc.center_freq_hz > 0
    chan = freq_to_channel(f_abs) if known_tuning else None
    if chan is not None:
        band, arfcn, raster = chan
        rec.update({"band": band, "channel": arfcn, "freq_hz": raster, "freq_offset_hz": round(f_abs - raster, 1)})
    elif known_tuning:
        rec["freq_hz"] = round(f_abs, 1)
    else:
        rec["baseband_offset_hz"] = round(f_abs, 1)
    if acc.power:
        rec["power_dbfs"] = round(10 * math.log10(max(float(np.median(acc.power)), 1e-30)), 2)
    if acc.snr_db:
        rec["snr_db"] = round(float(np.median(acc.snr_db)), 2)
    if acc.first is not None:
        rec["first_seen"], rec["last_seen"] = _iso(acc.first), _iso(acc.last)
    ident: dict = {}
    if acc.bsic is not None:
        ident.update({"bsic": acc.bsic, "ncc": acc.bsic >> 3, "bcc": acc.bsic & 7})
    msgs = sorted(acc.blocks.items(), key=lambda kv: kv[0][1])
    by_type: dict[str, list[dict]] = {}
    for (_, _fn), m in msgs:
        by_type.setdefault(m.get("type", "unknown"), []).append(m)

    def vote(key, types=("SI3", "SI4")):
        vals = [m[key] for t in types for m in by_type.get(t, []) if key in m]
        return Counter(vals).most_common(1)[0][0] if vals else None

    for key in ("mcc", "mnc", "lac"):
        v = vote(key)
        if v is not None:
            ident[key] = v
    ci = vote("cell_id", ("SI3",))
    if ci is not None:
        ident["cell_id"] = ci
    gsm: dict = {}
    neigh_by: dict[str, list[int]] = {}
    for t in ("SI2", "SI2bis", "SI2ter"):
        if t in by_type:
            neigh_by[t] = sorted({a for m in by_type[t] for a in m.get("neighbours", [])})
    if neigh_by:
        ident["neighbours"] = sorted({a for v in neigh_by.values() for a in v})
        gsm["neighbours_by_message"] = neigh_by
    si2q = by_type.get("SI2quater", [])
    utran = sorted({f["uarfcn"] for m in si2q for key in ("utran_fdd", "utran_tdd") for f in m.get(key, [])})
    lte = sorted({e for m in si2q for e in m.get("eutran_earfcns", [])})
    if utran:
        gsm["neighbours_3g_uarfcn"] = utran
    if lte:
        gsm["neighbours_lte_earfcn"] = lte
    rec["identity"] = ident
    if "mnc" in ident:
        gsm["mnc_digits"] = len(ident["mnc"])
    if "SI1" in by_type:
        gsm["cell_allocation"] = by_type["SI1"][-1].get("cell_allocation", [])
    si3 = by_type.get("SI3", [])
    if si3:
        s = si3[-1]
        for k in ("ccch_conf", "bs_ag_blks_res", "bs_pa_mfrms", "t3212_decihours", "cell_reselect_hysteresis_db",
                  "rxlev_access_min", "ms_txpwr_max_cch", "cell_barred", "gprs", "si2ter_indicator",
                  "si2quater_indicator", "cell_reselect_offset_db", "temporary_offset_db", "penalty_time_s",
                  "power_offset_db", "neci", "acs"):
            if k in s:
                gsm[k] = s[k]
    if acc.sch_fns:
        gsm["fn_first"] = min(acc.sch_fns)
    if "freq_offset_hz" in rec and rec.get("freq_hz"):
        gsm["ppm"] = round(-rec["freq_offset_hz"] / rec["freq_hz"] * 1e6, 3)
    if acc.frame_period_samples and acc.sample_rate_hz:
        nominal = 1250 * acc.sample_rate_hz / (1625000 / 6)
        gsm["sample_clock_ppm"] = round((float(np.median(acc.frame_period_samples)) / nominal - 1) * 1e6, 2)
    counts = Counter(m.get("type", "unknown") for m in acc.blocks.values())
    gsm["counts"] = {"sch": {"decoded": len(acc.sch_fns), "failed": acc.sch_failed},
                     "bcch": {"decoded": sum(1 for (c, _) in acc.blocks if c == "bcch"),
                              "failed": int(acc.failed.get("bcch", 0)),
                              "failed_by_tc": {str(k): v for k, v in sorted(acc.failed_tc.items())}},
                     "ccch": {"decoded": sum(1 for (c, _) in acc.blocks if c == "ccch"),
                              "failed": int(acc.failed.get("ccch", 0))},
                     "messages": dict(sorted(counts.items()))}
    rec["gsm"] = gsm
    return rec


@register_analyzer
class GsmAnalyzer:
    """GSM C0 receiver over each tuning; one ``kind: cell`` record per decoded carrier when a tuning ends.

    Parameters
    ----------
    window_s : float
        Seconds of samples buffered per receiver run (bounds memory).
    overlap_s : float
        Overlap between consecutive windows of a segment.
    config : ReceiverConfig, optional
    min_window_s : float
        A segment's last window shorter than this is still decoded if it holds at least one
        FCCH-SCH pair (about 10 ms); shorter tails are dropped.
    gsmtap : str, optional
        ``HOST[:PORT]``: also send every decoded block as GSMTAP (UDP, default port 4729) for Wireshark.
    """

    name = "gsm"
    step_local = True  # records from one tuning's blocks only: a scan may run it in a worker process
    order = 10

    def __init__(self, window_s: float = 2.0, overlap_s: float = 0.06, config: ReceiverConfig | None = None,
                 min_window_s: float = 0.01, gsmtap: str | None = None):
        self.window_s = window_s
        self.overlap_s = overlap_s
        self.config = config or ReceiverConfig()
        self.min_window_s = min_window_s
        self._key = None
        self._buf: list[np.ndarray] = []
        self._buf_n = 0
        self._buf_t0: _dt.datetime | None = None
        self._fs = 0.0
        self._fc = float("nan")
        self._active = False
        self._cells: dict[tuple, CellAccumulator] = {}
        self.windows = 0
        self._gsmtap = None
        if gsmtap:
            from ._gsmtap import GsmtapSender, parse_hostport

            self._gsmtap = GsmtapSender(*parse_hostport(gsmtap))

    # -- buffering -------------------------------------------------------------------------------
    def _run_window(self, final: bool) -> None:
        if not self._buf:
            return
        x = np.concatenate(self._buf) if len(self._buf) > 1 else self._buf[0]
        t0 = self._buf_t0
        if x.size >= self.min_window_s * self._fs:
            self.windows += 1
            for r in receive(x, self._fs, self.config):
                f_abs = self._fc + r.carrier_hz if self._fc == self._fc else r.carrier_hz
                ch = freq_to_channel(f_abs) if self._fc == self._fc and self._fc > 0 else None
                key = (ch[1] if ch else round(f_abs / 100e3), r.bsic)
                acc = self._cells.get(key)
                if acc is None:
                    acc = self._cells[key] = CellAccumulator(self._fc)
                if self._gsmtap is not None and ch is not None:
                    for b in r.blocks:
                        if (b.channel, b.fn) not in acc.blocks:
                            self._gsmtap.send(ch[1], b.fn, b.channel, b.octets, r.snr_db or 0.0,
                                              pcs=ch[0] == "PCS1900")
                acc.add(r, t0, self._fs)
        if final:
            self._buf, self._buf_n = [], 0
            return
        keep = int(self.overlap_s * self._fs)
        tail = x[-keep:] if keep else x[:0]
        self._buf = [tail.copy()] if keep else []
        self._buf_n = tail.size
        self._buf_t0 = t0 + _dt.timedelta(seconds=(x.size - tail.size) / self._fs)

    def _flush(self) -> list[dict]:
        if self._active:
            self._run_window(final=True)
        recs = [cell_record(acc) for acc in self._cells.values() if acc.bsic is not None]
        recs.sort(key=lambda r: (r.get("freq_hz") or r.get("baseband_offset_hz") or 0))
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
            self._active = gsm_bands_in_capture(block.center_freq_hz, block.sample_rate_hz)
            self._buf, self._buf_n, self._buf_t0 = [], 0, block.timestamp
        if not self._active or len(block) == 0:
            return out
        if not self._buf:
            self._buf_t0 = block.timestamp
        x = block.samples
        if not np.all(np.isfinite(x.view(np.float32))):
            x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        self._buf.append(x)
        self._buf_n += x.size
        if self._buf_n >= self.window_s * self._fs:
            self._run_window(final=False)
        return out

    def end_step(self) -> list[dict]:
        """Records of the tuning just finished (live scans call this at the end of each dwell)."""
        out = self._flush()
        self._key = None
        return out

    def finish(self) -> list[dict]:
        """Records of the last tuning."""
        out = self._flush()
        if self._gsmtap is not None:
            self._gsmtap.close()
        return out
