"""SQLite store (stdlib ``sqlite3``, WAL) of sessions, detections and findings.

* Detections are upserted by identity (`detector.scanner.record_key`): first/last seen, count, max and
  mean power, the latest verdict and the full latest record (JSON).
* Findings are the reasons of each detection (one row per detection and rule).
* Every write is its own short transaction, committed before the call returns, with a 30 s busy timeout:
  two processes can write the same file, and a process killed with SIGKILL loses nothing it committed
  (WAL: a commit is in the log file before ``commit()`` returns; the next opener replays it).
* The schema is versioned (``PRAGMA user_version``) and migrated forward on open.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3

from .._version import __version__
from ..errors import MetadataError

__all__ = ["Store", "SCHEMA_VERSION"]

SCHEMA_VERSION = 2

_MIGRATIONS = {
    1: """
    CREATE TABLE IF NOT EXISTS sessions (
        id INTEGER PRIMARY KEY, started TEXT NOT NULL, ended TEXT, command TEXT, source TEXT, device TEXT,
        gain_db REAL, ppm INTEGER, location TEXT, tool_version TEXT, samples INTEGER, dropped INTEGER);
    CREATE TABLE IF NOT EXISTS detections (
        id INTEGER PRIMARY KEY, identity TEXT NOT NULL UNIQUE, kind TEXT, tech TEXT, band TEXT, channel INTEGER,
        freq_hz REAL, first_seen TEXT, last_seen TEXT, count INTEGER NOT NULL DEFAULT 1,
        max_power_dbfs REAL, sum_power_dbfs REAL, verdict TEXT, confidence REAL, session_id INTEGER,
        record TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS findings (
        id INTEGER PRIMARY KEY, detection_id INTEGER NOT NULL REFERENCES detections(id), rule TEXT NOT NULL,
        detail TEXT, first_seen TEXT, session_id INTEGER, UNIQUE (detection_id, rule));
    CREATE INDEX IF NOT EXISTS detections_verdict ON detections(verdict);
    """,
    # v2: every sighting, for power timelines in reports
    2: """
    CREATE TABLE IF NOT EXISTS observations (
        id INTEGER PRIMARY KEY, detection_id INTEGER NOT NULL REFERENCES detections(id), time TEXT NOT NULL,
        power_dbfs REAL, snr_db REAL, session_id INTEGER);
    CREATE INDEX IF NOT EXISTS observations_detection ON observations(detection_id, time);
    """,
}


#: Every table the migrations create (a version-0 file holding other tables belongs to another program).
_TABLES = ("sessions", "detections", "findings", "observations")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _identity(rec: dict) -> str:
    from ..scanner import record_key

    return json.dumps(record_key(rec), default=str)


class Store:
    """A detection database. ``with Store(path) as db: sid = db.start_session(...); db.upsert(rec, sid)``."""

    def __init__(self, path: str):
        self.path = str(path)
        self.db = None
        if os.path.isdir(self.path):
            raise MetadataError(f"{self.path}: is a directory; give the path of a database file (created if absent)")
        try:
            self.db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.OperationalError as e:
            self.close()
            if "unable to open" in str(e):
                raise MetadataError(f"{self.path}: cannot open or create the database ({e}): does the directory "
                                    f"exist, and may this user write to it?") from e
            raise MetadataError(f"{self.path}: not a detector database (SQLite): {e}") from e
        except sqlite3.DatabaseError as e:
            self.close()
            raise MetadataError(f"{self.path}: not a detector database (SQLite): {e}") from e
        except BaseException:
            self.close()
            raise

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:  # new, or another program's database: never add our tables to someone else's file
            theirs = sorted(name for (name,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                if name not in _TABLES)
            if theirs:
                raise MetadataError(f"{self.path}: an SQLite database of another program (tables: "
                                    f"{', '.join(theirs[:5])}); give a new file or a detector database")
        if version > SCHEMA_VERSION:
            raise MetadataError(f"{self.path}: database schema {version} is newer than this detector's "
                                f"({SCHEMA_VERSION}); upgrade detector")
        for v in range(version + 1, SCHEMA_VERSION + 1):
            try:  # one transaction per step: the tables and the version number change together
                self.db.executescript(f"BEGIN IMMEDIATE;{_MIGRATIONS[v]}PRAGMA user_version={v};COMMIT;")
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def start_session(self, command: str, source: str = "", device: str | None = None, gain_db=None, ppm=None,
                      location: str | None = None) -> int:
        """Record the start of a run; returns its id."""
        cur = self.db.execute(
            "INSERT INTO sessions (started, command, source, device, gain_db, ppm, location, tool_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (_now(), command, source, device, gain_db, ppm, location, __version__))
        return int(cur.lastrowid)

    def end_session(self, session_id: int, samples: int | None = None, dropped: int | None = None) -> None:
        """Record the end of a run with its sample and dropped counts."""
        self.db.execute("UPDATE sessions SET ended = ?, samples = ?, dropped = ? WHERE id = ?",
                        (_now(), samples, dropped, session_id))

    def upsert(self, rec: dict, session_id: int | None = None) -> int:
        """Insert a detection or update the one with the same identity; returns its row id. Committed on return."""
        ident = _identity(rec)
        now = _now()
        first = rec.get("first_seen") or now
        last = rec.get("last_seen") or now
        power = rec.get("power_dbfs")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                "INSERT INTO detections (identity, kind, tech, band, channel, freq_hz, first_seen, last_seen, count, "
                "max_power_dbfs, sum_power_dbfs, verdict, confidence, session_id, record) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(identity) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen), "
                "first_seen = min(first_seen, excluded.first_seen), count = count + 1, "
                "max_power_dbfs = max(coalesce(max_power_dbfs, excluded.max_power_dbfs), "
                "coalesce(excluded.max_power_dbfs, max_power_dbfs)), "
                "sum_power_dbfs = coalesce(sum_power_dbfs, 0) + coalesce(excluded.sum_power_dbfs, 0), "
                "verdict = excluded.verdict, confidence = excluded.confidence, "
                "session_id = excluded.session_id, record = excluded.record",
                (ident, rec.get("kind"), rec.get("tech") or rec.get("shape"), rec.get("band"), rec.get("channel"),
                 rec.get("freq_hz"), first, last, power, power, rec.get("verdict"), rec.get("confidence"),
                 session_id, json.dumps(rec)))
            row = self.db.execute("SELECT id FROM detections WHERE identity = ?", (ident,)).fetchone()[0]
            self.db.execute("INSERT INTO observations (detection_id, time, power_dbfs, snr_db, session_id) "
                            "VALUES (?, ?, ?, ?, ?)", (row, last, power, rec.get("snr_db"), session_id))
            for reason in rec.get("reasons", []):
                self.db.execute("INSERT OR IGNORE INTO findings (detection_id, rule, detail, first_seen, session_id) "
                                "VALUES (?, ?, ?, ?, ?)", (row, reason["rule"], reason.get("detail"), now, session_id))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return int(row)

    def detections(self, verdict: str | None = None) -> list[dict]:
        """Stored detections (latest record plus count, first/last seen, max/mean power)."""
        # the mean is over the sightings that carried a power: every sighting since schema 2 is an
        # observation row, so those without one are subtracted from the count
        q = ("SELECT record, count, first_seen, last_seen, max_power_dbfs, sum_power_dbfs, "
             "(SELECT count(*) FROM observations o WHERE o.detection_id = d.id AND o.power_dbfs IS NULL) "
             "FROM detections d")
        rows = self.db.execute(q + (" WHERE verdict = ?" if verdict else "") + " ORDER BY freq_hz",
                               (verdict,) if verdict else ()).fetchall()
        out = []
        for record, count, first, last, pmax, psum, unpowered in rows:
            rec = json.loads(record)
            n = count - unpowered
            rec.update({"count": count, "first_seen": first, "last_seen": last, "max_power_dbfs": pmax,
                        "mean_power_dbfs": psum / n if psum is not None and pmax is not None and n > 0 else None})
            out.append(rec)
        return out

    def timeline(self, identity_record: dict) -> list[tuple[str, float]]:
        """(time, power dBFS) of every sighting of the detection with this record's identity, oldest first."""
        return self.db.execute(
            "SELECT o.time, o.power_dbfs FROM observations o JOIN detections d ON d.id = o.detection_id "
            "WHERE d.identity = ? ORDER BY o.time", (_identity(identity_record),)).fetchall()

    def sessions(self) -> list[dict]:
        """All sessions, oldest first."""
        cur = self.db.execute("SELECT * FROM sessions ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
