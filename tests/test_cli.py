"""The ``detector`` command on the bundled and real recordings: info, replay, version, exit codes."""

import json
import os
import re

import pytest
from conftest import RECORDINGS

from detector import __version__

SWEEP = os.path.join(RECORDINGS, "tones_gsm900_sweep.sigmf-meta")


def test_version_matches_pyproject_source(cli):
    import tomllib

    root = os.path.dirname(RECORDINGS)
    with open(os.path.join(root, "pyproject.toml"), "rb") as fh:
        py = tomllib.load(fh)
    assert py["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "detector._version.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    rc, out, _ = cli("--version")
    assert rc == 0 and out.strip() == f"detector {__version__}"


def test_info_on_sweep(cli):
    rc, out, err = cli("info", SWEEP)
    assert rc == 0, err
    assert "sigmf (cu8)" in out and "2.4 MS/s" in out and "tunings      2" in out
    assert "[0] 936 MHz  240000 samples (0.1 s) from sample 0  2026-01-01T00:00:00Z" in out
    assert "[1] 938.4 MHz  240000 samples (0.1 s) from sample 240000" in out


def test_info_json(cli):
    rc, out, _ = cli("info", "--json", SWEEP)
    d = json.loads(out)
    assert rc == 0 and d["datatype"] == "cu8" and d["num_samples"] == 480000
    assert [s["center_freq_hz"] for s in d["segments"]] == [936e6, 938.4e6]


def test_replay_reports_each_tuning(cli):
    rc, out, err = cli("replay", "--json", SWEEP)
    assert rc == 0, err
    truth = json.load(open(SWEEP.replace(".sigmf-meta", ".truth.json")))
    tones = {t["freq_hz"]: t["power_dbfs"] for step in truth["steps"] for t in step["tones"]
             if abs(t["offset_hz"]) < 0.4 * truth["sample_rate_hz"]}  # inside the kept 80 % of a tuning
    recs = [json.loads(line) for line in out.splitlines()]  # stdout holds JSON lines only
    assert sorted(round(r["freq_hz"], -3) for r in recs) == sorted(tones)
    for r in recs:
        assert r["kind"] == "emission" and r["shape"] == "narrowband"
        assert r["power_dbfs"] == pytest.approx(tones[round(r["freq_hz"], -3)], abs=0.2)
        assert r["source"] == f"file:{SWEEP}"
    assert "480000 samples (0.200 s) in 2 tuning(s)" in err
    # per-tuning mean power: sum of the ground-truth tones in band plus the noise (see test_recordings)
    assert "[0] 936 MHz: mean power -19.5 dBFS" in err
    assert "[1] 938.4 MHz: mean power -22.9 dBFS" in err


REAL = [
    ("lte/f1890_s1.92_g0_0.16s.bin", [], "cu8", 1890e6, 307200),
    ("lte/f1860_s1.92_g0_1s_rtlsdr.bin", [], "cu8", 1860e6, 1920000),
    ("lte/signal.1.92M.dat", ["--format", "cf32", "-s", "1.92M"], "cf32_le", None, 9601),
    ("lte/f2646_s1.92_noise_hackrf.bin", ["--format", "cs8"], "ci8", 2646e6, 960000),
    ("gsm/GSMSP_20070204_robert_dbsrx_953.6MHz_128.cfile", ["-s", "500k"], "cf32_le", 953.6e6, 80000),
    ("gsm/GSMSP_940.8Mhz_118.cfile", ["-s", "542373", "-f", "940.8M"], "cf32_le", 940.8e6, 15360),
]


@pytest.mark.parametrize("name,flags,datatype,freq,n", REAL, ids=[r[0] for r in REAL])
def test_real_captures_open(real_captures, cli, name, flags, datatype, freq, n):
    path = os.path.join(real_captures, name)
    rc, out, err = cli("info", "--json", *flags, path)
    assert rc == 0, err
    d = json.loads(out)
    assert (d["datatype"], d["segments"][0]["center_freq_hz"], d["num_samples"]) == (datatype, freq, n)
    rc, out, err = cli("replay", "--json", *flags, path)
    assert rc == 0, err
    assert all(json.loads(line)["kind"] in ("emission", "cell") for line in out.splitlines())
    assert f"{n} samples" in err


def test_synth_scenes_reproduce_the_bundled_recordings(tmp_path, cli):
    """`detector synth` with the default seed writes the bundled recording byte for byte; another seed differs."""
    for scene, name in (("tones-gsm900", "tones_gsm900_sweep"), ("uplink-handsets", "uplink_handsets")):
        rc, _, err = cli("synth", scene, "-o", tmp_path / f"{name}.sigmf-meta")
        assert rc == 0, err
        ours = (tmp_path / f"{name}.sigmf-data").read_bytes()
        assert ours == open(os.path.join(RECORDINGS, f"{name}.sigmf-data"), "rb").read()
    rc, _, _ = cli("synth", "tones-gsm900", "--seed", "5", "-o", tmp_path / "other.sigmf-meta")
    other = (tmp_path / "other.sigmf-data").read_bytes()
    assert rc == 0 and other != (tmp_path / "tones_gsm900_sweep.sigmf-data").read_bytes() and len(other) == 960000


@pytest.mark.parametrize("ext, flagged", [("cu8", True), ("cf32", False)])
def test_clipping_is_flagged_only_where_there_is_a_full_scale(tmp_path, cli, ext, flagged):
    # the same waveform at full scale: a cu8 file hits its limits, a cf32 file (raw ADC units) has none
    import numpy as np

    from detector.sources import from_complex64, sample_format

    x = (np.exp(2j * np.pi * 0.01 * np.arange(48000)) * (1.0 if ext == "cu8" else 300.0)).astype(np.complex64)
    path = tmp_path / f"tone_936M_2.4M.{ext}"
    path.write_bytes(from_complex64(x, sample_format(ext)))
    rc, _out, err = cli("replay", path)
    assert rc == 0, err
    line = next(ln for ln in err.splitlines() if ln.startswith("  [0] 936 MHz"))
    assert ("CLIPPING" in line) is flagged, line


def test_ppm_max_bounds_the_crystal_error_the_lte_search_allows(cli):
    path = os.path.join(RECORDINGS, "lte_fdd_1860M_2.4M.sigmf-meta")
    rc, _, err = cli("replay", "--ppm-max", "0", path)
    assert rc == 2 and "--ppm-max: expected 0 < PPM <= 500, got 0" in err
    truth = json.load(open(path.replace(".sigmf-meta", ".truth.json")))  # the receiver is 25 ppm off

    def cells(ppm_max):
        rc, out, err = cli("replay", "--json", "--ppm-max", ppm_max, path)
        assert rc == 0, err
        return sorted(r["identity"]["pci"] for r in map(json.loads, out.splitlines()) if r["kind"] == "cell")

    # like LTE-Cell-Scanner's --ppm: a range that holds the error finds the cells, one that does not, none
    assert cells("30") == sorted(c["pci"] for c in truth["cells"])
    assert cells("5") == []
