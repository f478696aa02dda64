"""`detector report`: the HTML page lists the foreign detections with their reasons and embeds its plots."""

import os
from html.parser import HTMLParser

from conftest import RECORDINGS


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.images, self._row, self._in_td = [], [], None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self._row = {"class": a.get("class"), "text": ""}
        elif tag == "img":
            self.images.append(a.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._row is not None:
            self._row["text"] += data


def test_report_from_a_database(tmp_path, cli):
    db = tmp_path / "d.sqlite"
    for _ in range(2):  # two sessions: timelines get two points
        rc, _, _ = cli("replay", "--db", db, os.path.join(RECORDINGS, "uplink_handsets.sigmf-meta"))
        assert rc == 0
    rc, _, err = cli("report", db, "-o", tmp_path / "out")
    assert rc == 0 and "report.html: 6 detections, 2 foreign" in err
    page = _Page()
    page.feed((tmp_path / "out" / "report.html").read_text())
    foreign = [r for r in page.rows if r["class"] == "foreign"]
    assert len(foreign) == 2
    gsm = next(r["text"] for r in foreign if "888.200" in r["text"])
    assert "handset_uplink" in gsm and "China Mobile (CN, E-GSM900)" in gsm and "1015" in gsm
    assert len(page.images) == 2 and all(src.startswith("data:image/png;base64,") for src in page.images)
    assert any("replay" in r["text"] and "1200000" in r["text"] for r in page.rows)  # the sessions table
    out = tmp_path / "out"
    html = (out / "report.html").read_text()
    for f in ("overview.png", "timelines.png", "detections.csv", "detections.jsonl"):  # written and linked
        assert (out / f).stat().st_size > 100 and f'href="{f}"' in html
    import csv

    rows = list(csv.DictReader(open(out / "detections.csv")))
    assert len(rows) == 6 and {r["rules"] for r in rows if r["verdict"] == "foreign"} == {"handset_uplink"}


def test_report_from_json_lines(tmp_path, cli):
    rc, out, _ = cli("replay", "--json", os.path.join(RECORDINGS, "survey_egsm_sweep.sigmf-meta"))
    (tmp_path / "r.jsonl").write_text(out)
    rc, _, err = cli("report", tmp_path / "r.jsonl", "-o", tmp_path / "o")
    html = (tmp_path / "o" / "report.html").read_text()
    assert rc == 0 and "foreign_allocation" in html and "952.40" in html  # the UMTS carrier in a CN block


def test_terminal_tables_in_the_formats_users_know():
    from detector.report._text import grgsm_line, lte_table

    cell = {"kind": "cell", "tech": "gsm", "channel": 93, "freq_hz": 953.6e6, "power_dbfs": -40.4,
            "identity": {"cell_id": 15149, "lac": 15016, "mcc": "272", "mnc": "02"}}
    assert grgsm_line(cell) == "ARFCN:   93, Freq:  953.6M, CID: 15149, LAC: 15016, MCC: 272, MNC:   2, Pwr: -40"
    lte = {"freq_hz": 1890e6, "freq_offset_hz": -41e3, "power_dbfs": -33.8,
           "identity": {"pci": 253, "n_ports": 2, "cp": "normal", "n_rb_dl": 100, "phich": "normal"}}
    assert lte_table([lte]).splitlines()[1] == "253 2 1890.0M -41.0k  -33.8 N 100 N one"
