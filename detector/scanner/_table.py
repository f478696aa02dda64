"""The live cell table of `detector scan` on a terminal (stderr), like grgsm_scanner and CellSearch plus
operator and verdict columns. Foreign rows are highlighted unless NO_COLOR is set or stderr is not a TTY;
off a TTY the table is not redrawn and each new detection is one log line instead. Log messages (reconnects,
the crystal error learnt, a sweep the CPU held back) are lines on stderr off a TTY and the last few lines under
the table on one (a redraw would wipe a plain line)."""

from __future__ import annotations

import collections
import os
import sys
import time

__all__ = ["LiveTable", "format_row", "HEADER"]

HEADER = (f"{'KIND':<8} {'TECH':<10} {'BAND':<9} {'CH':>6} {'FREQ MHz':>10} {'BSIC/PCI':>8} {'MCC-MNC':>8} "
          f"{'LAC/TAC':>7} {'CID':>9} {'dBFS':>6} {'SNR':>5} {'OPERATOR':<16} {'VERDICT':<8}")


def _v(x, fmt="{}"):
    return "" if x is None else fmt.format(x)


def _block_holders(rec: dict) -> str:
    """``Operator?``: who holds the block of this technology at the record's frequency (a candidate, not a
    decoded identity, hence the question mark); empty when no assigned block fits."""
    from ..bands import blocks_at

    link = "ul" if rec.get("kind") == "handset" else "dl"
    try:
        blocks = [b for b in blocks_at(float(rec["freq_hz"]), link)
                  if b.extent == "assigned" and (not rec.get("tech") or rec["tech"] in b.techs)]
    except (ValueError, TypeError, ImportError):
        return ""
    names = sorted({b.operator for b in blocks})
    return "/".join(names)[:15] + "?" if names else ""


def format_row(rec: dict) -> str:
    """One table line for a detection record (fields absent when unknown)."""
    ident = rec.get("identity") or {}
    tech = rec.get("tech") or rec.get("shape", "")
    plmn = f"{ident['mcc']}-{ident['mnc']}" if ident.get("mcc") and ident.get("mnc") else ""
    idv = ident.get("bsic", ident.get("pci"))
    op = (rec.get("operator") or {}).get("name", "")
    if not op and rec.get("operator_blocks"):
        op = "/".join(sorted({b["operator"] for b in rec["operator_blocks"]}))[:16] + "?"
    elif not op and rec.get("kind") in ("cell", "handset") and rec.get("freq_hz"):
        op = _block_holders(rec)
    return (f"{rec.get('kind', ''):<8} {tech:<10} {_v(rec.get('band')):<9} {_v(rec.get('channel')):>6} "
            f"{rec.get('freq_hz', 0) / 1e6:>10.3f} {_v(idv):>8} {plmn:>8} "
            f"{_v(ident.get('lac', ident.get('tac'))):>7} {_v(ident.get('cell_id')):>9} "
            f"{_v(rec.get('power_dbfs'), '{:.1f}'):>6} {_v(rec.get('snr_db'), '{:.0f}'):>5} {op[:16]:<16} "
            f"{rec.get('verdict', ''):<8}")


class LiveTable:
    """Redraws the table and a progress line on a TTY (at most every `min_interval_s`); logs otherwise."""

    #: log messages kept under the table on a TTY
    MESSAGES = 4

    def __init__(self, stream=None, min_interval_s: float = 0.25, env=None):
        self.stream = stream or sys.stderr
        env = os.environ if env is None else env
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.color = self.tty and "NO_COLOR" not in env and env.get("TERM") != "dumb"
        self.min_interval_s = min_interval_s
        self.rows: dict = {}
        self.progress = ""
        self.messages: collections.deque[str] = collections.deque(maxlen=self.MESSAGES)
        self._last = 0.0

    def log(self, msg: str) -> None:
        """A log message: a ``detector scan: msg`` line off a TTY; on one, kept (time-stamped, the last
        `MESSAGES`) under the table and drawn at once."""
        if not self.tty:
            print(f"detector scan: {msg}", file=self.stream, flush=True)
            return
        self.messages.append(f"{time.strftime('%H:%M:%S')} {msg}")
        self.draw(force=True)

    def add(self, key, rec: dict) -> None:
        """Add or update a row; off a TTY, print it as a log line."""
        new = key not in self.rows
        self.rows[key] = rec
        if not self.tty and new:
            print(f"detector scan: {format_row(rec).strip()}", file=self.stream, flush=True)
        self.draw()

    def set_progress(self, text: str) -> None:
        """Replace the progress line."""
        self.progress = text
        self.draw()

    def draw(self, force: bool = False) -> None:
        """Redraw on a TTY, throttled."""
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._last < self.min_interval_s:
            return
        self._last = now
        lines = ["\x1b[H\x1b[2J" + self.progress, HEADER]
        for rec in sorted(self.rows.values(), key=lambda r: (r.get("kind") != "cell", r.get("freq_hz", 0))):
            line = format_row(rec)
            if self.color and rec.get("verdict") == "foreign":
                line = f"\x1b[1;31m{line}\x1b[0m"
            lines.append(line)
        if self.messages:
            lines += ["", *self.messages]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()
