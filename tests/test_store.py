"""SQLite store: upserts by identity, schema versions, two writers at once, and nothing committed lost to kill -9."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import RECORDINGS, subprocess_env

from detector.errors import MetadataError
from detector.store import SCHEMA_VERSION, Store


def _cell(power, t, mcc="460"):
    return {"kind": "cell", "tech": "gsm", "band": "GSM900", "channel": 62, "freq_hz": 947.4e6, "power_dbfs": power,
            "first_seen": t, "last_seen": t, "identity": {"bsic": 21, "mcc": mcc, "mnc": "00", "lac": 1, "cell_id": 2},
            "verdict": "foreign", "reasons": [{"rule": "foreign_plmn", "detail": "MCC 460"}]}


def test_upsert_by_identity(tmp_path):
    with Store(tmp_path / "d.sqlite") as db:
        sid = db.start_session("replay", "file:x")
        db.upsert(_cell(-30.0, "2026-11-28T10:00:01.000Z"), sid)
        db.upsert(_cell(-20.0, "2026-11-28T10:00:00.000Z"), sid)
        db.upsert(_cell(-25.0, "2026-11-28T10:00:05.000Z", mcc="467"), sid)  # another identity
        db.end_session(sid, samples=100, dropped=3)
        rows = db.detections()
        assert len(rows) == 2
        a = next(r for r in rows if r["identity"]["mcc"] == "460")
        assert (a["count"], a["first_seen"], a["last_seen"]) == (2, "2026-11-28T10:00:00.000Z",
                                                                 "2026-11-28T10:00:01.000Z")
        assert (a["max_power_dbfs"], a["mean_power_dbfs"]) == (-20.0, -25.0)
        assert db.sessions()[0]["dropped"] == 3 and db.sessions()[0]["tool_version"]
        assert db.db.execute("SELECT count(*) FROM findings").fetchone()[0] == 2


def test_migration_from_schema_1_keeps_the_data(tmp_path):
    from detector.store._sqlite import _MIGRATIONS

    p = tmp_path / "v1.sqlite"
    con = sqlite3.connect(p)
    con.executescript(_MIGRATIONS[1] + "PRAGMA user_version=1;")
    con.execute("INSERT INTO detections (identity, kind, freq_hz, record) VALUES ('k', 'cell', 947.4e6, '{}')")
    con.commit()
    con.close()
    with Store(p) as db:
        assert db.schema_version == 2
        assert db.db.execute("SELECT count(*) FROM detections").fetchone()[0] == 1
        db.upsert(_cell(-30.0, "2026-11-28T10:00:01.000Z"))
        db.upsert(_cell(-28.0, "2026-11-28T10:00:09.000Z"))
        assert db.timeline(_cell(0, "")) == [("2026-11-28T10:00:01.000Z", -30.0), ("2026-11-28T10:00:09.000Z", -28.0)]


def test_schema_migrates_from_an_empty_file_and_refuses_a_newer_one(tmp_path):
    p = tmp_path / "old.sqlite"
    sqlite3.connect(p).close()  # a version-0 database
    with Store(p) as db:
        assert db.schema_version == SCHEMA_VERSION
    con = sqlite3.connect(p)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(MetadataError, match="newer than this detector's"):
        Store(p)
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(MetadataError, match="junk.sqlite: not a detector database"):
        Store(tmp_path / "junk.sqlite")


WRITER = """
import sys, time
from detector.store import Store
db = Store(sys.argv[1]); sid = db.start_session("test", sys.argv[2])
for i in range(int(sys.argv[3])):
    db.upsert({"kind": "cell", "tech": "gsm", "channel": i, "freq_hz": 935e6 + 2e5 * i, "power_dbfs": -30.0,
               "identity": {"bsic": i, "mcc": sys.argv[2], "mnc": "00"}}, sid)
    print(i, flush=True)
    time.sleep(float(sys.argv[4]))
"""


def test_two_writers_at_once(tmp_path):
    db = str(tmp_path / "two.sqlite")
    Store(db).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, db, mcc, "150", "0"], env=subprocess_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for mcc in ("460", "250")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with Store(db) as s:
        assert len(s.detections()) == 300


def test_committed_detections_survive_kill_9(tmp_path):
    db = str(tmp_path / "k.sqlite")
    p = subprocess.Popen([sys.executable, "-c", WRITER, db, "460", "100000", "0.002"], env=subprocess_env(),
                         stdout=subprocess.PIPE, text=True)
    done = -1
    deadline = time.monotonic() + 60
    while done < 200 and time.monotonic() < deadline:
        done = int(p.stdout.readline())
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    with Store(db) as s:
        assert len(s.detections()) >= done + 1  # every upsert that returned (and printed) is there


def test_replay_db_records_what_it_printed(tmp_path, cli):
    db = tmp_path / "r.sqlite"
    rc, out, _ = cli("replay", "--json", "--db", db, os.path.join(RECORDINGS, "uplink_handsets.sigmf-meta"))
    assert rc == 0
    printed = [json.loads(line) for line in out.splitlines()]
    with Store(db) as s:
        stored = s.detections()
        assert sorted(r["freq_hz"] for r in stored) == sorted(r["freq_hz"] for r in printed)
        assert {r["verdict"] for r in stored if r["kind"] == "handset"} == {"foreign"}
        assert s.sessions()[0]["command"] == "replay" and s.sessions()[0]["samples"] == 1200000
