"""The scan loop: a capture thread sweeps the receiver while the main thread analyses what it captured.

Capture and processing overlap through a bounded queue, so a sweep takes as long as its dwells, not
as long as the DSP. With ``jobs`` > 0 the receivers (the step-local analyzers: GSM, LTE, handsets) of each
step run in a pool of worker processes, several steps at once, while the spectrum survey stays in this
process; results are still reported step by step, in sweep order.

The receiver's crystal error is learnt from the cells the sweep decodes (`CrystalEstimate`): once one is
known, later steps search LTE carriers over +-5 ppm around it instead of +-120 ppm (about a seventh of the
PSS hypotheses at 800 MHz), until no decoded cell has confirmed it for a minute.

A receiver that is lost (rtl_tcp peer closed or stalled, dongle unplugged) is
reopened with exponential backoff for up to `reconnect_s`; after that the scan ends with exit 3 and
keeps every record found. Ctrl-C stops both threads; the records found so far are kept (exit 130).
"""

from __future__ import annotations

import collections
import math
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from ..calibration import CRYSTAL_SPAN_PPM, CrystalEstimate, assume_crystal
from ..errors import DetectorError, DeviceLostError, PeerLostError
from ..pipeline import _claimed, call_in_order
from ._plan import Step

__all__ = ["CrystalEstimate", "ScanRunner", "ScanStats", "record_key"]

_LOST = (PeerLostError, DeviceLostError)


def record_key(rec: dict) -> tuple:
    """Identity of a detection across passes: a cell by its decoded identity, an emission by class and place."""
    ident = rec.get("identity") or {}
    if rec.get("kind") == "cell":
        return ("cell", rec.get("tech"), rec.get("channel"), ident.get("bsic"), ident.get("pci"),
                ident.get("mcc"), ident.get("mnc"), ident.get("lac"), ident.get("cell_id"))
    if rec.get("kind") == "handset":
        return ("handset", rec.get("tech"), rec.get("channel"), rec.get("band"))
    return ("emission", rec.get("shape"), round(float(rec.get("freq_hz", 0.0)) / 50e3))


@dataclass
class ScanStats:
    """Counters of a scan (for the summary line and the run record)."""

    passes: int = 0
    steps: int = 0
    samples: int = 0
    captured_s: float = 0.0
    processing_s: float = 0.0
    dropped: int = 0
    reconnects: int = 0
    wall_s: float = 0.0
    pass_wall_s: list[float] = field(default_factory=list)
    workers: int = 0
    waited_s: float = 0.0  # the capture paused between steps for the workers (the CPU, not the dwell, set the pace)

    @property
    def realtime_factor(self) -> float:
        """Seconds of signal analysed per second of processing on one core (> 1: faster than real time;
        worker processes multiply it by their number)."""
        return self.captured_s / self.processing_s if self.processing_s > 0 else float("inf")


#: Technologies each receiver serves (an analyzer's own ``techs`` attribute wins): a step runs the receivers its
#: target calls for (`Step.techs`), so a GSM900 sweep does not pay for an LTE cell search on every step. The
#: uplink analyzer rides on handset steps (FDD uplinks) and on LTE steps (TD-LTE uplink subframes).
ANALYZER_TECHS = {"gsm": ("gsm",), "lte": ("lte",), "uplink": ("handset", "lte")}


def for_step(analyzers: list, step) -> list:
    """The analyzers a step calls for: those serving one of its technologies, and those serving any (the
    spectrum survey); every analyzer when the step names no technology."""
    techs = set(getattr(step, "techs", ()) or ())
    if not techs:
        return analyzers
    out = []
    for a in analyzers:
        serves = getattr(a, "techs", None) or ANALYZER_TECHS.get(getattr(a, "name", ""))
        if serves is None or techs & set(serves):
            out.append(a)
    return out


#: In a worker process: the scan's crystal estimate (ppm, NaN = unknown), shared memory the scan updates.
_SHARED_CRYSTAL = None


def _worker_init(shared_crystal=None) -> None:
    """Worker processes leave Ctrl-C to the scan, which drains them and reports."""
    global _SHARED_CRYSTAL
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _SHARED_CRYSTAL = shared_crystal
    from ..pipeline import load_analyzers

    load_analyzers()  # import the receivers while the first step is captured


def _ready() -> None:
    """A no-op task: submitting it starts a worker (a spawning pool starts them one per task)."""


def process_step(make_analyzers: Callable[[], list], step, blocks: list) -> tuple[list[dict], float]:
    """Run fresh `make_analyzers()` over one step's blocks (in a worker process), with the scan's crystal
    estimate as it is when the step starts (cells decoded since it was captured may have given it): (records,
    CPU seconds)."""
    t = time.process_time()
    analyzers = for_step(make_analyzers(), step)
    v = _SHARED_CRYSTAL.value if _SHARED_CRYSTAL is not None else math.nan
    assume_crystal(analyzers, None if math.isnan(v) else v)
    out: list[dict] = []
    for block in blocks:
        out.extend(call_in_order(analyzers, "process", block))
    out.extend(call_in_order(analyzers, "end_step"))
    return out, time.process_time() - t


class ScanRunner:
    """Sweep `steps` `passes` times (None = until stopped) on the source `open_source()` returns.

    Parameters
    ----------
    open_source : callable
        Returns a ready `TunableSource` (sample rate and gain set); called again to reconnect.
    steps : list of Step
    make_analyzers : callable
        Returns fresh analyzer objects (``process(block)``, ``finish()``) for one pass.
    on_record : callable
        Called with each record the first time its identity (`record_key`) is seen in this scan,
        and again when its verdict changes.
    on_progress : callable, optional
        Called with (pass index, step, stats) when a step completes.
    reconnect_s : float
        How long to keep trying to reopen a lost receiver.
    judge : callable, optional
        The site policy (record -> record with verdict), applied before a record is compared or reported.
    jobs : int
        Worker processes for the step-local analyzers (0: everything in this process). With jobs > 0,
        `make_analyzers` gives the analyzers that stay here and `step_analyzers` (picklable, e.g. a
        `functools.partial` of `detector.pipeline.build_analyzers`) those each step builds in a worker.
    pace_hint : str
        Appended to the note logged (once) after a sweep the workers held back by more than a quarter of its
        time, when no crystal error is known by then (e.g. how to narrow the LTE search).
    """

    def __init__(self, open_source: Callable, steps: list[Step], make_analyzers: Callable[[], list],
                 on_record: Callable[[dict], None], passes: int | None = 1,
                 on_progress: Callable | None = None, reconnect_s: float = 30.0, block_samples: int = 1 << 16,
                 log: Callable[[str], None] = lambda msg: None, judge: Callable[[dict], dict] | None = None,
                 jobs: int = 0, step_analyzers: Callable[[], list] | None = None, pace_hint: str = ""):
        if jobs and step_analyzers is None:
            raise ValueError("jobs > 0 needs step_analyzers (the analyzers a worker builds for each step)")
        self.jobs = max(int(jobs), 0)
        self.step_analyzers = step_analyzers
        self.open_source = open_source
        self.steps = steps
        self.make_analyzers = make_analyzers
        self.on_record = on_record
        self.passes = passes
        self.on_progress = on_progress or (lambda *a: None)
        self.reconnect_s = reconnect_s
        self.block_samples = block_samples
        self.log = log
        self.judge = judge or (lambda rec: rec)
        self.stats = ScanStats()
        self.records: dict[tuple, dict] = {}
        self._pass_found: list[dict] = []  # records of the current pass, for `_emit_batch` claims
        self.error: BaseException | None = None
        self.source_name = "?"
        self._queue: queue.Queue = queue.Queue(maxsize=64)
        self._stop = threading.Event()
        self.crystal = CrystalEstimate()
        self._backlog = threading.Condition()  # signalled when a step handed to the workers is done
        self._inflight: list[Future] = []  # those steps (the capture thread reads it, the main thread replaces it)
        self._share: Callable[[], None] = lambda: None  # publish the estimate to the workers
        self.pace_hint = pace_hint
        self._pace_noted = False
        self._waited_running_s = 0.0  # of stats.waited_s, what came after the workers' start-up

    # -- capture thread ---------------------------------------------------------------------------
    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _reopen(self, first_error: BaseException):
        deadline = time.monotonic() + self.reconnect_s
        delay = 0.5
        while not self._stop.is_set():
            if time.monotonic() >= deadline:
                raise first_error
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 8.0)
            try:
                src = self.open_source()
            except (*_LOST, OSError, DetectorError) as e:
                self.log(f"reconnect failed: {e}")
                continue
            self.stats.reconnects += 1
            self.log(f"reconnected to {src.name}")
            return src
        return None

    def _capture(self) -> None:
        src = None
        try:
            src = self.open_source()
            self.source_name = src.name
            pass_index, i = 0, 0
            while not self._stop.is_set() and (self.passes is None or pass_index < self.passes):
                step = self.steps[i]
                try:
                    src.tune(step.center_freq_hz)
                    n = int(round(step.dwell_s * src.sample_rate_hz))
                    for block in src.blocks(self.block_samples, n):
                        if not self._put(("block", pass_index, step, block)):
                            return
                except _LOST as e:
                    self.log(f"{e}; reconnecting for up to {self.reconnect_s:g} s")
                    try:
                        src.close()
                    except Exception:  # noqa: BLE001 - already lost
                        pass
                    src = self._reopen(e)
                    if src is None:
                        return
                    continue  # redo this step on the new connection
                self._put(("step", pass_index, step, None))
                self._wait_for_workers(src)
                i += 1
                if i == len(self.steps):
                    self._put(("pass", pass_index, None, None))
                    pass_index, i = pass_index + 1, 0
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            self._put(("error", None, None, e))
        finally:
            if src is not None:
                try:
                    self.stats.dropped += src.stats.dropped
                    src.close()
                except Exception:  # noqa: BLE001
                    pass
            self._put(("end", None, None, None))

    def _track(self, pending: collections.deque) -> None:
        """Publish the steps handed to the workers and not yet reported (a list: the capture thread reads it
        while this thread changes `pending`)."""
        self._inflight = [p[0] for p in pending]

    def _step_finished(self, _future) -> None:
        with self._backlog:
            self._backlog.notify_all()

    def _wait_for_workers(self, src) -> None:
        """Between two steps: while more steps wait for the workers than they can start next, pause the
        receiver (what it streams meanwhile is not wanted) rather than capture into a backlog; a step is
        never cut short, so no sample of a step is lost to the CPU being slower than the dwell."""
        if not self.jobs:
            return
        t0 = time.monotonic()
        starting = not any(f.done() for f in self._inflight) and self.stats.steps == 0  # workers importing
        with self._backlog:
            paused = False
            # steps done but not yet reported (behind a slower one, reports keep sweep order) hold no samples
            while sum(not f.done() for f in self._inflight) > self.jobs + 1 and not self._stop.is_set():
                if not paused:
                    src.pause()
                    paused = True
                self._backlog.wait(0.2)
        if paused:
            waited = time.monotonic() - t0
            self.stats.waited_s += waited
            if not starting:
                self._waited_running_s += waited

    def _note_pace(self, pass_index: int, wall_s: float, waited_s: float) -> None:
        """Say once when a sweep took longer than its dwell because the workers could not keep up: the
        capture waited for them (`waited_s`, not counting their start-up) more than a quarter of `wall_s`."""
        if self._pace_noted or waited_s <= 0.25 * wall_s:
            return
        self._pace_noted = True
        hint = self.pace_hint if self.crystal.current() is None else ""
        self.log(f"sweep {pass_index + 1}: the receivers, not the dwell, set the pace: the capture waited "
                 f"{waited_s:.1f} s of {wall_s:.1f} s for {self.jobs} worker(s){hint}")

    # -- processing (caller's thread) -------------------------------------------------------------
    def _same_emission(self, rec: dict):
        """The key of an emission already reported with the same class within 30 kHz, if any."""
        if rec.get("kind") != "emission":
            return None
        for key, old in self.records.items():
            if old.get("kind") == "emission" and old.get("shape") == rec.get("shape") \
                    and abs(old.get("freq_hz", 0) - rec.get("freq_hz", 0)) < 30e3:
                return key
        return None

    def _emit(self, rec: dict) -> None:
        rec.setdefault("source", self.source_name)
        rec = self.judge(rec)
        key = self._same_emission(rec) or record_key(rec)
        old = self.records.get(key)
        if old is None or old.get("verdict") != rec.get("verdict"):
            self.records[key] = rec
            self.on_record(rec)
        else:
            old["last_seen"] = rec.get("last_seen", old.get("last_seen"))
            old["power_dbfs"] = rec.get("power_dbfs", old.get("power_dbfs"))

    def _emit_batch(self, recs: list[dict]) -> None:
        """Emit records of one step (or pass end): cells and handsets first, then the emissions that none
        of this pass's cells or handsets explains (as `detector.pipeline.run` does for a replay)."""
        for rec in sorted(recs, key=lambda r: r.get("kind") == "emission"):
            if rec.get("kind") == "emission" and _claimed(rec, self._pass_found):
                continue
            self._pass_found.append(rec)
            self._emit(rec)

    def _finish_pass(self, analyzers) -> None:
        self._emit_batch(call_in_order(analyzers, "finish"))
        self._pass_found = []

    def _step_done(self, pass_index: int, step, records: list[dict]) -> None:
        if self.crystal.update(records):
            self.log(f"crystal error {self.crystal.ppm:+.2f} ppm (from {self.crystal.source}): later steps "
                     f"search LTE carriers within {CRYSTAL_SPAN_PPM:g} ppm of it")
        self._share()
        self._emit_batch(records)
        self.stats.steps += 1
        self.on_progress(pass_index, step, self.stats)

    def _drain(self, pending: collections.deque, timeout: float | None = None) -> None:
        """Report the steps whose workers are done, in sweep order; with `timeout`, wait for all of them (then
        give up on the rest)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while pending:
            fut, local_recs, pass_index, step = pending[0]
            if not fut.done() and timeout is None:
                return
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:
                recs, cpu_s = fut.result(timeout=left)
            except FutureTimeout:
                return
            except BaseException:
                pending.popleft()  # a receiver failed in its worker: the scan reports it as it would in-line
                self._track(pending)
                raise
            pending.popleft()
            self._track(pending)
            self.stats.processing_s += cpu_s
            self._step_done(pass_index, step, recs + local_recs)

    def run(self) -> ScanStats:
        """Run the scan; returns the stats. ``self.error`` holds what ended it early (lost device, Ctrl-C)."""
        t0 = time.monotonic()
        pass_t0 = t0
        pass_waited = pass_startup = 0.0
        pool = None
        if self.jobs:
            import multiprocessing

            # spawn: the workers must not inherit the capture thread or the receiver's socket
            shared = multiprocessing.get_context("spawn").Value("d", math.nan, lock=False)
            self._share = lambda: setattr(shared, "value", v if (v := self.crystal.current()) is not None
                                          else math.nan)
            # one thread per worker: the workers already fill the cores, and an idle BLAS thread pool in
            # each of them spins (the CPU time per step doubled on 2 cores)
            for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ.setdefault(var, "1")
            pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_worker_init, initargs=(shared,))
            for _ in range(self.jobs):  # start every worker now: they import the receivers during the first dwell
                pool.submit(_ready)
            self.stats.workers = self.jobs
        pending: collections.deque[tuple[Future, list[dict], int, object]] = collections.deque()
        step_blocks: list = []
        thread = threading.Thread(target=self._capture, name="scan-capture", daemon=True)
        thread.start()
        analyzers = self.make_analyzers()
        in_step = None  # the step whose blocks this process is analysing
        try:
            while True:
                try:
                    kind, pass_index, step, payload = self._queue.get(timeout=0.1 if pending else None)
                except queue.Empty:
                    self._drain(pending)  # report finished steps while the capture waits for them
                    continue
                if kind == "block":
                    t = time.perf_counter()
                    if in_step is not step:
                        in_step = step
                        assume_crystal(analyzers, self.crystal.current())
                    self._emit_batch(call_in_order(for_step(analyzers, step), "process", payload))
                    self.stats.processing_s += time.perf_counter() - t
                    self.stats.samples += len(payload)
                    self.stats.captured_s += payload.duration_s
                    if pool is not None:
                        step_blocks.append(payload)
                        self._drain(pending)
                elif kind == "step":
                    in_step = None
                    t = time.perf_counter()
                    local = call_in_order(analyzers, "end_step")
                    self.stats.processing_s += time.perf_counter() - t
                    if pool is None:
                        self._step_done(pass_index, step, local)
                    else:
                        self._share()  # (an estimate may have lapsed)
                        fut = pool.submit(process_step, self.step_analyzers, step, step_blocks)
                        pending.append((fut, local, pass_index, step))
                        self._track(pending)
                        fut.add_done_callback(self._step_finished)
                        step_blocks = []
                        self._drain(pending)  # the capture waits between steps while too many are pending
                elif kind == "pass":
                    self._drain(pending, timeout=3600.0)  # the pass's steps, before its whole-sweep records
                    t = time.perf_counter()
                    self._finish_pass(analyzers)
                    self.stats.processing_s += time.perf_counter() - t
                    self.stats.passes += 1
                    now = time.monotonic()
                    self.stats.pass_wall_s.append(now - pass_t0)
                    startup = (self.stats.waited_s - self._waited_running_s) - pass_startup
                    self._note_pace(pass_index, now - pass_t0 - startup, self._waited_running_s - pass_waited)
                    pass_t0, pass_waited = now, self._waited_running_s
                    pass_startup = self.stats.waited_s - self._waited_running_s
                    analyzers = self.make_analyzers()
                elif kind == "error":
                    self.error = payload
                elif kind == "end":
                    break
        except KeyboardInterrupt as e:
            self.error = e
        finally:
            self._stop.set()
            thread.join(timeout=5.0)
            if pool is not None:
                try:  # steps already captured are reported (a few seconds at most on Ctrl-C)
                    self._drain(pending, timeout=3600.0 if self.error is None else 10.0)
                except BaseException as e:  # noqa: BLE001 - a second Ctrl-C or a failed worker: stop here
                    self.log(f"unfinished steps dropped: {e!r}")
                pool.shutdown(wait=False, cancel_futures=True)
            self.stats.wall_s = time.monotonic() - t0
        if self.error is not None and self.stats.steps % max(len(self.steps), 1):
            self._finish_pass(analyzers)  # what the interrupted pass saw is kept too
        return self.stats
