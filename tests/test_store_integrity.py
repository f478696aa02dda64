"""SQLite store, the cases test_store.py leaves open: two processes upserting the *same* identities (counts and
first/last seen exact), an intact file after SIGKILL mid-write, mean power over the sightings that had one, and
files that are not ours (another program's database, a directory, a missing folder) refused with a clear message."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import subprocess_env

from detector.errors import MetadataError
from detector.store import Store

SAME = """
import sys, time
from detector.store import Store
db = Store(sys.argv[1])
sid = db.start_session("test", sys.argv[2])
while not __import__("os").path.exists(sys.argv[3]):  # start together
    time.sleep(0.005)
for rnd in range(3):
    for ch in range(40):
        t = f"2026-11-28T10:0{rnd}:{ch:02d}.{sys.argv[2]}Z"
        db.upsert({"kind": "cell", "tech": "gsm", "band": "GSM900", "channel": ch, "freq_hz": 935.2e6 + 2e5 * ch,
                   "power_dbfs": -60.0 + ch + (5.0 if sys.argv[2] == "500" else 0.0), "first_seen": t,
                   "last_seen": t, "identity": {"bsic": ch % 64}}, sid)
"""


def test_two_writers_upserting_the_same_cells_lose_no_sighting(tmp_path):
    db = str(tmp_path / "same.sqlite")
    Store(db).close()
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", SAME, db, tag, str(go)], env=subprocess_env(),
                              stderr=subprocess.PIPE, text=True) for tag in ("000", "500")]
    time.sleep(0.3)
    go.write_text("")
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with Store(db) as s:
        rows = sorted(s.detections(), key=lambda r: r["channel"])
        assert len(rows) == 40 and {r["count"] for r in rows} == {6}  # 2 writers x 3 rounds, none lost
        assert rows[7]["first_seen"] == "2026-11-28T10:00:07.000Z"
        assert rows[7]["last_seen"] == "2026-11-28T10:02:07.500Z"
        assert rows[7]["max_power_dbfs"] == -48.0 and rows[7]["mean_power_dbfs"] == pytest.approx(-50.5)
        assert len(s.sessions()) == 2
        assert s.db.execute("SELECT count(*) FROM observations").fetchone()[0] == 240


LOOP = """
import sys
from detector.store import Store
db = Store(sys.argv[1])
i = 0
while True:
    db.upsert({"kind": "cell", "tech": "lte", "freq_hz": 1.89e9, "power_dbfs": -40.0,
               "identity": {"pci": i % 504, "duplex": "tdd", "cell_id": i}})
    print(i, flush=True)
    i += 1
"""


def test_file_is_intact_after_sigkill_mid_write(tmp_path):
    db = str(tmp_path / "k.sqlite")
    p = subprocess.Popen([sys.executable, "-c", LOOP, db], env=subprocess_env(), stdout=subprocess.PIPE, text=True)
    done = -1
    deadline = time.monotonic() + 60
    while done < 300 and time.monotonic() < deadline:
        done = int(p.stdout.readline())
    os.kill(p.pid, signal.SIGKILL)  # no time to finish: the loop is inside an upsert most of the time
    p.wait()
    # on a loaded machine the child may be some upserts ahead of what was read: its last complete line counts
    rest = [ln for ln in p.stdout.read().splitlines() if ln.strip().isdigit()]
    if rest:
        done = int(rest[-1])
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    with Store(db) as s:
        ids = {r["identity"]["cell_id"] for r in s.detections()}
        assert set(range(done + 1)) <= ids  # every upsert that returned is there
        assert len(ids) <= done + 2  # and at most the one that was committing when the signal came


def test_mean_power_counts_only_sightings_with_a_power(tmp_path):
    cell = {"kind": "cell", "tech": "gsm", "channel": 62, "freq_hz": 947.4e6, "identity": {"bsic": 21}}
    with Store(tmp_path / "m.sqlite") as db:
        db.upsert({**cell, "power_dbfs": -30.0})
        db.upsert(cell)  # seen, power not measured
        db.upsert({**cell, "power_dbfs": -40.0})
        (r,) = db.detections()
        assert (r["count"], r["max_power_dbfs"], r["mean_power_dbfs"]) == (3, -30.0, -35.0)
        db.upsert({**cell, "channel": 63})  # never a power
        assert next(r for r in db.detections() if r["channel"] == 63)["mean_power_dbfs"] is None


def test_another_programs_database_is_refused_and_left_alone(tmp_path):
    p = tmp_path / "contacts.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(MetadataError, match=r"contacts.sqlite: an SQLite database of another program "
                                            r"\(tables: contacts\)"):
        Store(p)
    con = sqlite3.connect(p)
    tables = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    con.close()
    assert tables == ["contacts"]


def test_paths_that_cannot_be_a_database(tmp_path):
    with pytest.raises(MetadataError, match="is a directory; give the path of a database file"):
        Store(tmp_path)
    with pytest.raises(MetadataError, match=r"no-such-dir.x.sqlite: cannot open or create the database"):
        Store(tmp_path / "no-such-dir" / "x.sqlite")
