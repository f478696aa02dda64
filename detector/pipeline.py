"""The one pipeline that live scans and replays share: blocks in, records out.

Analyzers register by technology (like rtl_433's decoders): each is a class with a ``name``,
``process(block) -> list[dict]`` (records found in that block) and ``finish() -> list[dict]``
(records only known at the end). `run` feeds every block of a source to every analyzer and
hands records to the sinks as soon as they exist, so an error or Ctrl-C part-way keeps them.

Analyzers run in ``order`` (lower first). One may build on another's results: an analyzer with an
``observe(records)`` method is shown, before each of its own calls, the records the analyzers before it
produced in that step (e.g. the uplink analyzer takes a TD-LTE cell's frame timing from the LTE
analyzer's record to know which subframes are uplink). `call_in_order` is that step, shared with the
live scanner.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from .sources import IQBlock, Source

__all__ = ["ANALYZERS", "register_analyzer", "load_analyzers", "build_analyzers", "BlockStats", "RunResult", "run",
           "call_in_order"]

#: name -> analyzer class. Receivers add themselves with `register_analyzer`.
ANALYZERS: dict[str, type] = {}


def register_analyzer(cls: type) -> type:
    """Class decorator: make an analyzer available to `run` under ``cls.name``."""
    ANALYZERS[cls.name] = cls
    return cls


@dataclass
class BlockStats:
    """Per-segment signal statistics every run reports (so a run with no detections still says what it saw).

    Attributes
    ----------
    center_freq_hz : float
    samples : int
    power_sum : float
        Sum of |x|^2 over the samples (full scale = 1.0 per component).
    peak : float
        Largest |I| or |Q| seen.
    dropped : int
    """

    center_freq_hz: float
    samples: int = 0
    power_sum: float = 0.0
    peak: float = 0.0
    dropped: int = 0

    @property
    def mean_power_dbfs(self) -> float:
        """Mean power in dBFS (0 dBFS = a full-scale complex tone, |x|^2 = 1)."""
        return 10 * np.log10(self.power_sum / self.samples) if self.samples and self.power_sum > 0 else -np.inf


@dataclass
class RunResult:
    """What `run` found and measured, kept even when the source failed part-way."""

    records: list[dict] = field(default_factory=list)
    segments: dict[int, BlockStats] = field(default_factory=dict)
    wall_s: float = 0.0
    error: BaseException | None = None

    @property
    def samples(self) -> int:
        """Samples processed."""
        return sum(s.samples for s in self.segments.values())


def _update(stats: dict[int, BlockStats], block: IQBlock) -> None:
    s = stats.get(block.segment)
    if s is None:
        s = stats[block.segment] = BlockStats(block.center_freq_hz)
    x = block.samples
    s.samples += x.size
    s.power_sum += float(np.vdot(x, x).real)
    if x.size:
        s.peak = max(s.peak, float(np.abs(x.view(np.float32)).max()))
    s.dropped += block.dropped


def call_in_order(analyzers: list, method: str, *args) -> list[dict]:
    """``analyzer.<method>(*args)`` for each analyzer in ``order``; those with ``observe`` first see the
    records of the ones before them in this step. Analyzers without `method` are skipped."""
    out: list[dict] = []
    for a in sorted(analyzers, key=lambda a: getattr(a, "order", 0)):
        fn = getattr(a, method, None)
        if fn is None:
            continue
        if out and hasattr(a, "observe"):
            a.observe(list(out))
        out.extend(fn(*args))
    return out


def _claimed(emission: dict, records: list[dict]) -> bool:
    """True if a cell or handset already reported lies inside the emission (it is identified energy)."""
    lo, hi = emission.get("freq_lo_hz"), emission.get("freq_hi_hz")
    if lo is None or hi is None:
        return False
    return any(r.get("kind") in ("cell", "handset") and r.get("freq_hz") is not None
               and lo - 100e3 <= r["freq_hz"] <= hi + 100e3 for r in records)


def load_analyzers() -> dict[str, type]:
    """Import the analyzer packages (each registers itself) and return the registry."""
    import importlib

    for module in ("detector.survey._analyzer", "detector.gsm", "detector.lte", "detector.uplink"):
        try:
            importlib.import_module(module)
        except ImportError as e:  # a receiver not built yet, or its optional dependency missing
            if not module.endswith(("gsm", "lte", "uplink")) or "No module named" not in str(e):
                raise
    return ANALYZERS


def build_analyzers(options: dict[str, dict] | None = None, step_local: bool | None = None) -> list:
    """One instance of every registered analyzer (``options[name]`` are its keyword arguments).

    `step_local` True keeps the analyzers whose records depend on the blocks of one tuning only (class
    attribute ``step_local``: the receivers), False the others (the spectrum survey, which merges emissions
    over a whole sweep), None all. A live scan may run the step-local ones for each step in a worker process
    (`detector.scanner.ScanRunner` with ``jobs``)."""
    options = options or {}
    return [cls(**options.get(name, {})) for name, cls in load_analyzers().items()
            if step_local is None or bool(getattr(cls, "step_local", False)) == step_local]


def run(source: Source, blocks: Iterable[IQBlock], analyzers: list | None = None,
        sink: Callable[[dict], None] | None = None) -> RunResult:
    """Feed `blocks` (from `source`) through `analyzers`; hand each record to `sink` as it is found.

    Errors raised by the source part-way are caught and stored in ``result.error`` after the
    analyzers' ``finish`` ran, so every record found before the failure is kept and emitted.
    KeyboardInterrupt is handled the same way.
    """
    from .calibration import CrystalEstimate, assume_crystal

    analyzers = sorted(analyzers or [], key=lambda a: getattr(a, "order", 0))
    result = RunResult()
    emit = sink or (lambda r: None)
    t0 = time.perf_counter()
    # the crystal error the decoded cells measure narrows the later tunings' LTE search, as in a live scan
    # (`detector.scanner`); it lapses a minute of recording time after the last decoded cell
    now = [0.0]
    crystal = CrystalEstimate(clock=lambda: now[0])
    assumed = None
    try:
        for block in blocks:
            _update(result.segments, block)
            if block.timestamp is not None:
                now[0] = block.timestamp.timestamp()
            if crystal.current() != assumed:
                assumed = crystal.current()
                assume_crystal(analyzers, assumed)
            recs = call_in_order(analyzers, "process", block)
            crystal.update(recs)
            for rec in recs:
                rec.setdefault("source", source.name)
                result.records.append(rec)
                emit(rec)
    except (Exception, KeyboardInterrupt) as e:  # keep what was found; the caller reports e
        result.error = e
    for rec in call_in_order(analyzers, "finish"):
        if rec.get("kind") == "emission" and _claimed(rec, result.records):
            continue
        rec.setdefault("source", source.name)
        result.records.append(rec)
        emit(rec)
    result.wall_s = time.perf_counter() - t0
    return result
