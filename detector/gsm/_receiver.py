"""The GSM C0 receiver: every carrier of a wideband capture, from FCCH to System Information.

`receive(x, fs)` runs on one contiguous block of samples at one tuning (a "window", e.g. 1-2 s):

1. `fcch_search` finds frequency-correction bursts in all channels at once (no prior on the
   crystal error); hits are clustered by frequency into candidate carriers.
2. For each candidate, `refine_fcch` measures the tone (carrier frequency to a few Hz, burst start to a
   symbol); one frame (1250 symbols) later the SCH is searched (timing from the 64-bit extended
   training sequence, least-squares channel estimate, soft MLSE, soft Viterbi, CRC-10), giving
   BSIC and the full frame number.
3. A timing model (burst instants vs frame number, least squares over the decoded SCH, so the
   receiver's sample-clock error is tracked) predicts every timeslot-0 burst of the window. Two SCH
   per 51-multiframe are decoded again from it to refine the model; the BCCH (and CCCH) bursts are
   demodulated with the TSC = BCC, deinterleaved, Viterbi-decoded and Fire-checked. Only blocks
   passing the Fire code are parsed (`parse_si`); the rest are counted as failures (by TC for BCCH).
4. Each carrier's result (`CarrierResult`) holds its frequency, ARFCN, power, SNR, BSIC, frame
   numbers, the decoded System Information and per-message-type counts.

Steps 2 and 3 run batched over all carriers of the window: the equaliser and Viterbi loops (over
symbols, vectorised over bursts and states) run a handful of times per window whatever the number
of carriers. Measured (``benchmarks/bench_gsm.py``): SI3 decoded from a cold start on one
51-multiframe with 90 % probability at 3 dB in-channel SNR (Es/N0 1.7 dB); 6x real time for 3
carriers and about 4.5x for 8 carriers at 2.4 MS/s on one core.

`receive` is stateless; the pipeline analyzer (`detector.gsm.GsmAnalyzer`) merges results across
windows of a segment. `calibrate` turns the carriers' frequency offsets into the receiver's crystal
error in ppm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._arfcn import freq_to_channel
from ._burst import (
    L_TAPS,
    NB_DATA_INDEX,
    SB_DATA_INDEX,
    ChannelEstimate,
    equalise,
    estimate_channel,
    known_bits_normal,
    known_bits_sync,
)
from ._channelizer import ChannelSampler
from ._coding import sch_decode, xcch_decode
from ._constants import FCCH_OFFSET_HZ, FRAME_SYMBOLS, HYPERFRAME, MF51_CCCH_BLOCKS, SYMBOL_RATE_HZ
from ._fcch import FcchHit, FineFcch, fcch_search, refine_fcch
from ._schinfo import SchInfo, parse_sch_bits
from ._sysinfo import SysInfoError, parse_si

__all__ = ["ReceiverConfig", "CarrierResult", "receive", "demodulate_bursts", "Block", "classify_l2"]


@dataclass
class ReceiverConfig:
    """Receiver settings.

    Attributes
    ----------
    fcch_ratio : float
        FCCH tone-to-channel threshold (linear) of `fcch_search`.
    max_carriers : int
        Candidate carriers examined per window (strongest FCCH clusters first).
    fcch_per_carrier : int
        FCCH hits refined per candidate to find the SCH.
    decode_ccch : bool
        Also decode the nine CCCH blocks of each 51-multiframe (paging, assignments: counted by type);
        the first may carry BCCH Ext (SI2bis/2ter/2quater/13), which is parsed either way.
    phases : int
        Sampling phases per symbol tried for normal bursts (SCH always tries 4). One suffices once the SCH
        timing model holds (the channel estimate absorbs the fractional offset): 1 and 2 measured equal
        in the SI3-vs-SNR benchmark.
    track_sch : tuple of int
        Frames (FN mod 51) whose SCH is decoded again to track timing once a carrier is acquired; two per
        51-multiframe suffice for the timing model, all five (1, 11, 21, 31, 41) cost 2.5x more.
    """

    fcch_ratio: float = 20.0
    max_carriers: int = 24
    fcch_per_carrier: int = 6
    decode_ccch: bool = False
    phases: int = 1
    track_sch: tuple = (1, 31)


@dataclass
class Block:
    """One decoded xCCH block: first frame number, channel (``bcch``/``ccch``), octets and parsed message."""

    fn: int
    channel: str
    octets: bytes
    message: dict


@dataclass
class CarrierResult:
    """What the receiver learned about one C0 carrier in a window.

    Attributes
    ----------
    carrier_hz : float
        Measured carrier frequency relative to the capture's DC (Hz).
    fcch : list of FineFcch
    sch : list of (fn, SchInfo)
        Successfully decoded SCH bursts.
    sch_failed : int
        SCH bursts predicted by the timing model that failed their CRC.
    bsic : int or None
    blocks : list of Block
        Blocks that passed the Fire code.
    failed : dict
        Channel (``bcch``, ``ccch``) -> blocks that failed the Fire code.
    failed_bcch_tc : dict
        TC (0..7) -> BCCH Norm blocks that failed (TC 2/6 carry SI3, 3/7 SI4, 1 SI2, 0 SI1).
    snr_db : float or None
        Median burst SNR (signal power per symbol over noise variance; about the 200 kHz in-channel SNR).
    power : float or None
        Mean signal power per symbol (linear, full scale 1), from the channel estimates.
    frame_period_samples : float or None
        Measured TDMA frame period in capture samples (the receiver's sample-clock error shows here).
    """

    carrier_hz: float
    fcch: list = field(default_factory=list)
    sch: list = field(default_factory=list)
    sch_failed: int = 0
    bsic: int | None = None
    blocks: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)
    failed_bcch_tc: dict = field(default_factory=dict)
    snr_db: float | None = None
    power: float | None = None
    frame_period_samples: float | None = None
    first_sample: float | None = None
    last_sample: float | None = None

    @property
    def confirmed(self) -> bool:
        """True when an SCH decoded (a C0 for sure); False for an FCCH-only candidate."""
        return bool(self.sch)

    def channel(self, center_freq_hz: float) -> tuple[str, int, float] | None:
        """(band, ARFCN, raster frequency) for the capture's centre frequency."""
        return freq_to_channel(center_freq_hz + self.carrier_hz)


# ------------------------------------------------------------------------------------------- bursts


def _concat_estimates(ests: list[ChannelEstimate]) -> ChannelEstimate:
    return ChannelEstimate(*(np.concatenate([getattr(e, f) for e in ests]) for f in
                             ("h", "shift", "phase", "noise_var", "energy")))


def demodulate_batch(x: np.ndarray, jobs: list[tuple[ChannelSampler, np.ndarray, object]], sps: float,
                     phases: int = 4, max_shift: int = 4) -> list[tuple[np.ndarray, ChannelEstimate]]:
    """Channel-estimate and equalise bursts of several carriers in one batch.

    Parameters
    ----------
    x : numpy.ndarray
        The wideband capture.
    jobs : list of (ChannelSampler, starts, training)
        Per carrier: a sampler centred on it, the expected instants (capture samples) of each burst's bit 0 in
        the channel model (see `estimate_channel`), and the training (TSC number, or ``"sync"`` for SCH).
    sps : float
        Capture samples per symbol (frame period / 1250).
    phases : int
        Sampling phases tried per symbol.
    max_shift : int
        Timing search +-symbols.

    Returns
    -------
    list of (llr, est)
        Per job: float32 (n, 148) soft burst bits (positive = 0) and the `ChannelEstimate`, whose
        ``shift``/``phase`` give each burst's measured timing: bit 0 at
        ``starts + (shift - pad + phase / phases) * sps`` with ``pad = max_shift + L_TAPS``.

    Notes
    -----
    Sampling and channel estimation run per carrier (vectorised over its bursts); the equaliser, whose
    cost is dominated by its loop over the ~152 symbol steps, runs once for all bursts of all carriers.
    """
    pad = max_shift + L_TAPS
    n_samp = pad + 148 + L_TAPS - 1 + max_shift + 1
    off = (np.arange(n_samp) - pad)[None, :] + (np.arange(phases) / phases)[:, None]
    ys, ests, knowns, sizes = [], [], [], []
    for sampler, starts, training in jobs:
        starts = np.asarray(starts, np.float64)
        sizes.append(starts.size)
        if starts.size == 0:
            continue
        r = sampler.sample(x, starts[:, None, None] + off[None] * sps, shift_hz=FCCH_OFFSET_HZ)
        est = estimate_channel(r, pad, training, max_shift)
        idx = est.shift[:, None] + np.arange(148 + L_TAPS - 1)[None, :]
        ys.append(r[np.arange(starts.size)[:, None], est.phase[:, None], idx])
        ests.append(est)
        known = known_bits_sync() if training == "sync" else known_bits_normal(int(training))
        knowns.append(np.broadcast_to(known, (starts.size, 148)))
    if not ys:
        return [(np.zeros((0, 148), np.float32), None) for _ in jobs]
    llr = equalise(np.concatenate(ys), _concat_estimates(ests), np.concatenate(knowns))
    out, pos, k = [], 0, 0
    for n in sizes:
        if n == 0:
            out.append((np.zeros((0, 148), np.float32), None))
            continue
        out.append((llr[pos: pos + n], ests[k]))
        pos += n
        k += 1
    return out


def demodulate_bursts(x: np.ndarray, sampler: ChannelSampler, starts: np.ndarray, sps: float, training,
                      phases: int = 4, max_shift: int = 4) -> tuple[np.ndarray, ChannelEstimate]:
    """`demodulate_batch` for one carrier: (llr (n, 148), ChannelEstimate)."""
    return demodulate_batch(x, [(sampler, starts, training)], sps, phases, max_shift)[0]


_CENTRE = (L_TAPS - 1) / 2  # tap where a burst's pulse energy is expected when timing is right


def _measured_start(starts, est: ChannelEstimate, sps: float, phases: int, max_shift: int) -> np.ndarray:
    """Instant of each burst's bit 0 as the energy centroid of its pulse (independent of which tap window the
    estimator chose), minus `_CENTRE` symbols: the value to pass as `starts` to find the burst again."""
    pad = max_shift + L_TAPS
    e = np.abs(est.h) ** 2
    centroid = (e @ np.arange(e.shape[1])) / np.maximum(e.sum(axis=1), 1e-30)
    return np.asarray(starts) + (est.shift - pad + est.phase / phases + centroid - _CENTRE) * sps


def decode_sch_batch(x, jobs: list[tuple[ChannelSampler, np.ndarray]], sps: float, max_shift: int = 4):
    """SCH decoding for several carriers: per job (list of SchInfo or None, measured burst instants)."""
    res = demodulate_batch(x, [(s, st, "sync") for s, st in jobs], sps, phases=4, max_shift=max_shift)
    sizes = [len(st) for _, st in jobs]
    all_llr = np.concatenate([llr for llr, _ in res]) if sum(sizes) else np.zeros((0, 148), np.float32)
    bits, ok = sch_decode(all_llr[:, SB_DATA_INDEX])
    out, pos = [], 0
    for (_, starts), (_, est), n in zip(jobs, res, sizes, strict=True):
        infos = [parse_sch_bits(b) if o else None for b, o in zip(bits[pos: pos + n], ok[pos: pos + n], strict=True)]
        measured = _measured_start(starts, est, sps, 4, max_shift) if n else np.zeros(0)
        out.append((infos, measured))
        pos += n
    return out


def decode_sch_at(x, sampler, starts, sps, max_shift=4):
    """SCH decoding of one carrier's bursts expected at `starts`: (list of SchInfo or None, measured instants)."""
    return decode_sch_batch(x, [(sampler, np.asarray(starts, np.float64))], sps, max_shift)[0]


# --------------------------------------------------------------------------------------- clustering


def _cluster(hits: list[FcchHit], tol_hz: float) -> list[list[FcchHit]]:
    hs = sorted(hits, key=lambda h: h.carrier_hz)
    groups: list[list[FcchHit]] = []
    for h in hs:
        if groups and h.carrier_hz - groups[-1][-1].carrier_hz <= tol_hz:
            groups[-1].append(h)
        else:
            groups.append([h])
    return groups


def _fit_timing(fns: np.ndarray, ts: np.ndarray, fn0: int, period0: float) -> tuple[float, float]:
    """Least-squares t = a + b (fn - fn0); b falls back to `period0` with one point. Robust to one outlier."""
    d = ((fns - fn0 + HYPERFRAME // 2) % HYPERFRAME) - HYPERFRAME // 2
    if d.size == 1 or np.ptp(d) == 0:
        return float(np.mean(ts - period0 * d)), period0
    A = np.stack([np.ones_like(d, dtype=np.float64), d.astype(np.float64)], axis=1)
    coef, *_ = np.linalg.lstsq(A, ts, rcond=None)
    resid = ts - A @ coef
    if d.size > 3:
        keep = np.abs(resid) <= max(3 * np.median(np.abs(resid)), 0.3 * period0 / FRAME_SYMBOLS)
        if keep.sum() >= 2 and np.ptp(d[keep]) > 0:
            coef, *_ = np.linalg.lstsq(A[keep], ts[keep], rcond=None)
    return float(coef[0]), float(coef[1])


def _block_first(t3: int) -> int | None:
    if 2 <= t3 <= 5:
        return 2
    for b in MF51_CCCH_BLOCKS:
        if b <= t3 <= b + 3:
            return b
    return None


def _fcch_like(group: list[FcchHit], fines: list[FineFcch], n: int, sps: float) -> bool:
    """FCCH-only evidence: not more hits than FCCH bursts fit in the window (a CW tone scores in every frame),
    and measured bursts a whole number of TDMA frames apart (10 or 11 frames between FCCH; TS 45.002 §6.3)."""
    period = FRAME_SYMBOLS * sps
    expected = n / period * 5 / 51 + 2
    if len(group) > 1.5 * expected:
        return False
    starts = np.sort([f.start for f in fines])
    gaps = np.diff(starts) / period
    gaps = gaps[gaps > 0.5]
    if gaps.size < 2:
        return False
    return bool(np.all(np.abs(gaps - np.round(gaps)) < 0.02) and np.all(np.round(gaps) >= 10))


class _Candidate:
    """Acquisition state of one FCCH cluster."""

    def __init__(self, group: list[FcchHit], cfg: ReceiverConfig):
        self.group = group
        self.hits = sorted(group, key=lambda h: -h.ratio)[: cfg.fcch_per_carrier]
        self.next = 0
        self.fines: list[FineFcch] = []
        self.found: list = []
        self.sampler: ChannelSampler | None = None


def _acquire_all(x: np.ndarray, fs: float, cands: list[_Candidate], sps: float) -> None:
    """Refine FCCH hits (3 per candidate per round) and decode the SCH one frame later, batched over candidates."""
    period = FRAME_SYMBOLS * sps
    while True:
        jobs, owners = [], []
        for c in cands:
            if c.found or c.next >= len(c.hits):
                continue
            new = [f for f in (refine_fcch(x, fs, h) for h in c.hits[c.next: c.next + 3]) if f is not None]
            c.next += 3
            if not new:
                continue
            c.fines.extend(new)
            carrier = float(np.median([f.carrier_hz for f in c.fines]))
            if c.sampler is None or abs(c.sampler.center_hz - carrier) > 50:
                c.sampler = ChannelSampler(fs, carrier)
            starts = np.array([f.start + period for f in new])
            ok = (starts > c.sampler.margin + 20 * sps) & (starts + 180 * sps + c.sampler.margin < x.size)
            if ok.any():
                jobs.append((c.sampler, starts[ok]))
                owners.append(c)
        if not jobs:
            return
        for c, (infos, measured) in zip(owners, decode_sch_batch(x, jobs, sps, max_shift=6), strict=True):
            c.found.extend((i.fn, t, i) for i, t in zip(infos, measured, strict=True)
                           if i is not None and i.fn % 51 in (1, 11, 21, 31, 41))


def receive(x: np.ndarray, fs: float, config: ReceiverConfig | None = None, include_unconfirmed: bool = False
            ) -> list[CarrierResult]:
    """Find and decode every C0 carrier in one window of a capture.

    Parameters
    ----------
    x : numpy.ndarray
        complex64 samples at one tuning.
    fs : float
        Sample rate (Hz).
    config : ReceiverConfig, optional
    include_unconfirmed : bool
        Also return carriers seen only through their FCCH (at least 3 bursts agreeing within 200 Hz, a
        whole number of frames apart): enough for a frequency (calibration), not for an identity.

    Returns
    -------
    list of CarrierResult
        One per confirmed C0 (two SCH at consistent frame numbers, or an SCH and a Fire-checked block),
        strongest first; then, if asked, the FCCH-only candidates (``confirmed`` False, no BSIC).
    """
    cfg = config or ReceiverConfig()
    x = np.asarray(x, np.complex64)
    sps = fs / SYMBOL_RATE_HZ
    hits = fcch_search(x, fs, cfg.fcch_ratio)
    groups = _cluster(hits, tol_hz=2.5e3)
    groups.sort(key=lambda g: -(len(g) + max(h.ratio for h in g) / 100))
    cands = [_Candidate(g, cfg) for g in groups[: cfg.max_carriers]]
    _acquire_all(x, fs, cands, sps)
    results: list[CarrierResult] = []
    tracks = []
    unconfirmed: list[CarrierResult] = []
    for c in cands:  # strongest clusters first; a second cluster of the same carrier is dropped
        if c.found:
            if any(abs(r.carrier_hz - c.sampler.center_hz) < 20e3 for r in results):
                continue
            bsics = [i.bsic for _, _, i in c.found]
            bsic = max(set(bsics), key=bsics.count)
            found = [f for f in c.found if f[2].bsic == bsic]
            res = CarrierResult(carrier_hz=c.sampler.center_hz, fcch=c.fines, bsic=bsic)
            results.append(res)
            tracks.append((res, c.sampler, found))
        elif include_unconfirmed and len(c.fines) >= 3 and _fcch_like(c.group, c.fines, x.size, sps):
            f = np.array([q.carrier_hz for q in c.fines])
            if np.ptp(f - np.median(f)) < 400:
                unconfirmed.append(CarrierResult(carrier_hz=float(np.median(f)), fcch=c.fines,
                                                 snr_db=float(np.median([q.snr_db for q in c.fines])),
                                                 power=float(np.median([q.power for q in c.fines]))))
    _track_all(x, sps, tracks, cfg)
    # Confirmation: one SCH passing its CRC-10 happens by chance once in 1024 attempts (a CW spur gets a few
    # attempts per window), so a carrier counts only with a second SCH of the same BSIC at the frame number the
    # first predicts, or with a block passing the Fire code (2^-40).
    results = [r for r in results if len({fn for fn, _ in r.sch}) >= 2 or r.blocks]
    results.sort(key=lambda r: -(r.power or 0))
    unconfirmed = [u for u in unconfirmed if all(abs(u.carrier_hz - r.carrier_hz) > 20e3 for r in results)]
    return results + unconfirmed


def _track_all(x, sps, tracks, cfg: ReceiverConfig) -> None:
    """Timing model per carrier from its SCH, then every SCH and BCCH (and CCCH) burst, batched over carriers."""
    period0 = FRAME_SYMBOLS * sps
    models = []
    sch_jobs = []
    for _res, sampler, found in tracks:
        fn0 = found[0][0]
        fns = np.array([f[0] for f in found])
        ts = np.array([f[1] for f in found])
        a, b = _fit_timing(fns, ts, fn0, period0)
        margin = sampler.margin + 20 * sps
        lo = int(np.ceil((margin - a) / b)) + fn0
        hi = int(np.floor((x.size - margin - 170 * sps - a) / b)) + fn0
        sch_fns = np.array([fn for fn in range(lo, hi + 1) if fn % 51 in cfg.track_sch], np.int64)
        models.append([fn0, a, b, lo, hi, sch_fns])
        sch_jobs.append((sampler, a + b * _rel(sch_fns, fn0)))
    # 1. the tracked SCH of the window: counts decoded / failed and refines the timing model
    for (res, _sampler, found), model, (infos, measured) in zip(tracks, models, decode_sch_batch(x, sch_jobs, sps, 3),
                                                                strict=True):
        fn0, _, _, _, _, sch_fns = model
        good = {}
        for fn, info, t in zip(sch_fns.tolist(), infos, measured, strict=True):
            if info is not None and info.bsic == res.bsic and info.fn == fn % HYPERFRAME:
                good[fn] = (t, info)
        res.sch_failed = int(sch_fns.size - len(good))
        for fn, t, info in found:
            good.setdefault(fn, (t, info))
        res.sch = sorted((fn % HYPERFRAME, info) for fn, (t, info) in good.items())
        fns = np.array(sorted(good))
        a, b = _fit_timing(fns, np.array([good[f][0] for f in fns]), fn0, period0)
        model[1], model[2] = a, b
        res.frame_period_samples = b
    # 2. BCCH (+ CCCH) blocks, whole blocks only
    nb_jobs, block_lists = [], []
    for (res, sampler, _), (fn0, a, b, lo, hi, _) in zip(tracks, models, strict=True):
        firsts: dict[int, list[int]] = {}
        for fn in range(lo, hi + 1):
            first = _block_first(fn % 51)
            if first is None or (not cfg.decode_ccch and first not in (2, 6)):
                continue
            firsts.setdefault(fn - (fn % 51 - first), []).append(fn)
        blocks = [(first, fl) for first, fl in sorted(firsts.items()) if len(fl) == 4]
        burst_fns = np.array([fn for _, fl in blocks for fn in fl], np.int64)
        nb_jobs.append((sampler, a + b * _rel(burst_fns, fn0), res.bsic & 7))
        block_lists.append(blocks)
        res.first_sample = float(a + b * (lo - fn0))
        res.last_sample = float(a + b * (hi - fn0))
    demod = demodulate_batch(x, nb_jobs, sps, phases=cfg.phases, max_shift=2)
    soft = [llr[:, NB_DATA_INDEX].reshape(-1, 4, 116) for llr, _ in demod]
    n_blocks = [s.shape[0] for s in soft]
    if sum(n_blocks):
        octets, ok, _ = xcch_decode(np.concatenate(soft))
    pos = 0
    for (res, _, _), blocks, (_, est), n in zip(tracks, block_lists, demod, n_blocks, strict=True):
        res.failed = {"bcch": 0, "ccch": 0}
        for (first, _), o, k in zip(blocks, octets[pos: pos + n] if n else [], ok[pos: pos + n] if n else [],
                                    strict=True):
            chan = "bcch" if first % 51 == 2 else "ccch"
            if not k:
                res.failed[chan] += 1
                if chan == "bcch":  # which SI was lost follows from TC = (FN div 51) mod 8 (TS 45.002 §6.3.1.3)
                    tc = (first % HYPERFRAME // 51) % 8
                    res.failed_bcch_tc[tc] = res.failed_bcch_tc.get(tc, 0) + 1
                continue
            data = bytes(o)
            res.blocks.append(Block(first % HYPERFRAME, chan, data, classify_l2(data)))
        pos += n
        if est is not None and n:
            res.snr_db = float(np.median(est.snr_db))
            res.power = float(np.median(est.energy))
        else:
            res.snr_db = float(np.median([f.snr_db for f in res.fcch]))
            res.power = float(np.median([f.power for f in res.fcch]))


def _rel(fns: np.ndarray, fn0: int) -> np.ndarray:
    """Frame-number differences to `fn0`, across the hyperframe wrap."""
    return ((np.asarray(fns) - fn0 + HYPERFRAME // 2) % HYPERFRAME) - HYPERFRAME // 2


def classify_l2(data: bytes) -> dict:
    """`parse_si` that never raises: L2 fill frames become ``{"type": "FILL"}``, errors ``{"type": "malformed"}``."""
    if data[0] == 0x01 and all(b == 0x2B for b in data[1:]):
        return {"type": "FILL"}  # L2 pseudo length 0: an empty frame (TS 44.006 fill)
    try:
        return parse_si(data)
    except SysInfoError as e:
        return {"type": "malformed", "error": str(e)}


def sch_info(res: CarrierResult) -> SchInfo | None:
    """The SCH of the first decoded burst, or None."""
    return res.sch[0][1] if res.sch else None
