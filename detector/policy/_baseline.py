"""Baselines: the cells (and emissions, handsets) known at a site, to flag what is new.

A baseline is a JSON file: ``{"created": ..., "source": ..., "entries": [{"key": [...], "record": {...}}]}``,
keyed by `detector.scanner.record_key` (a cell by its decoded identity, an emission by class and 50 kHz
place). Build one from a detection database or JSON lines of a quiet day; diff a later survey against it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os

from ..errors import FormatError

__all__ = ["load_records", "build_baseline", "load_baseline", "diff_baseline"]


def load_records(path: str) -> list[dict]:
    """Detection records from a SQLite database (``--db``) or a JSON-lines file (``--json`` output)."""
    if not os.path.exists(path):
        raise FormatError(f"{path}: no such file")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"SQLite format 3"):
        from ..store import Store

        with Store(path) as db:
            return db.detections()
    out = []
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError as e:
                    raise FormatError(f"{path}:{n}: not a JSON detection record: {e}") from None
    return out


def _key(rec):
    from ..scanner import record_key

    return json.loads(json.dumps(record_key(rec), default=str))


def build_baseline(records: list[dict], source: str = "") -> dict:
    """A baseline of every distinct identity in `records`."""
    entries = {}
    for r in records:
        entries.setdefault(json.dumps(_key(r)), {"key": _key(r), "record": r})
    return {"created": _dt.datetime.now(_dt.timezone.utc).isoformat(), "source": source,
            "entries": list(entries.values())}


def load_baseline(path: str) -> set:
    """The identity keys of a baseline file, as a set of tuples (for `evaluate`)."""
    try:
        with open(path) as fh:
            data = json.load(fh)
        return {tuple(e["key"]) for e in data["entries"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise FormatError(f"{path}: not a detector baseline (expected JSON with 'entries'): {e}") from None


def diff_baseline(records: list[dict], baseline: set) -> tuple[list[dict], list[tuple]]:
    """(records whose identity is not in the baseline, baseline keys not seen in `records`)."""
    seen = {tuple(_key(r)) for r in records}
    new = [r for r in records if tuple(_key(r)) not in baseline]
    return new, sorted(baseline - seen, key=str)
