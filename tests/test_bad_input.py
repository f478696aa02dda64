"""The bad-input corpus: each case gives one line naming the file/field, what was expected and what was
found, the documented exit code, no traceback, and keeps the samples read before the fault."""

import json
import struct

import numpy as np
import pytest


def _meta(path, **global_over):
    g = {"core:datatype": "cu8", "core:sample_rate": 2.4e6, "core:version": "1.0.0"}
    g.update(global_over)
    g = {k: v for k, v in g.items() if v is not None}
    return {"global": g, "captures": [{"core:sample_start": 0, "core:frequency": 947.4e6}], "annotations": []}


def _pair(tmp_path, meta, data=bytes(200), name="rec"):
    (tmp_path / f"{name}.sigmf-meta").write_text(json.dumps(meta) if isinstance(meta, dict) else meta)
    if data is not None:
        (tmp_path / f"{name}.sigmf-data").write_bytes(data)
    return tmp_path / f"{name}.sigmf-meta"


def _one_error_line(err):
    lines = [ln for ln in err.splitlines() if ln.startswith("detector: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


CASES = [
    # id, setup(tmp_path) -> path, regex the error line must match, exit code
    ("empty-raw", lambda t: _write(t / "e_947M_2.4M.cu8", b""),
     r"e_947M_2\.4M\.cu8: file is empty \(0 bytes\); expected cu8 samples", 1),
    ("unknown-extension", lambda t: _write(t / "x_947M_2.4M.iq", bytes(10)),
     r"x_947M_2\.4M\.iq: unknown extension '\.iq'; expected one of .*\.cu8.*or a format prefix such as cu8:", 1),
    ("no-rate", lambda t: _write(t / "plain.cu8", bytes(10)),
     r"plain\.cu8: the sample rate is unknown: give -s RATE or use a file name that states it", 1),
    ("missing-file", lambda t: str(t / "nope_947M_2.4M.cu8"), r"nope_947M_2\.4M\.cu8: no such file", 1),
    ("empty-directory", lambda t: str(t),
     r": directory holds no recording \(expected \.sigmf-meta, \.sigmf or raw IQ", 1),
    ("sigmf-meta-missing", lambda t: _write(t / "lonely.sigmf-data", bytes(10)),
     r"lonely\.sigmf-meta: SigMF metadata file not found", 1),
    ("sigmf-data-missing", lambda t: _pair(t, _meta(t), data=None),
     r"rec\.sigmf-data: SigMF data file not found", 1),
    ("sigmf-bad-json", lambda t: _pair(t, "{not json"), r"rec\.sigmf-meta: not valid JSON", 1),
    ("sigmf-no-datatype", lambda t: _pair(t, _meta(t, **{"core:datatype": None})),
     r"rec\.sigmf-meta: SigMF field global/core:datatype missing; expected one of cu8, ci8", 1),
    ("sigmf-unknown-datatype", lambda t: _pair(t, _meta(t, **{"core:datatype": "cu4"})),
     r"rec\.sigmf-meta: SigMF field global/core:datatype is 'cu4'; expected one of cu8", 1),
    ("sigmf-real-datatype", lambda t: _pair(t, _meta(t, **{"core:datatype": "rf32_le"})),
     r"global/core:datatype is 'rf32_le'; expected a complex type", 1),
    ("sigmf-bad-rate", lambda t: _pair(t, _meta(t, **{"core:sample_rate": -5})),
     r"rec\.sigmf-meta: SigMF field global/core:sample_rate is -5; expected a positive number", 1),
    ("sigmf-no-rate", lambda t: _pair(t, _meta(t, **{"core:sample_rate": None})),
     r"global/core:sample_rate is None; expected a positive number", 1),
    ("sigmf-empty-data", lambda t: _pair(t, _meta(t), data=b""),
     r"rec\.sigmf-data: SigMF dataset is empty \(0 bytes\); expected cu8 samples", 1),
    ("sigmf-capture-past-end", lambda t: _pair(t, {**_meta(t), "captures": [
        {"core:sample_start": 0, "core:frequency": 935e6}, {"core:sample_start": 5000, "core:frequency": 940e6}]}),
     r"captures/1/core:sample_start is 5000 but the dataset holds only 100 cu8 samples; the data file is truncated",
     1),
    ("sigmf-bad-frequency", lambda t: _pair(t, {**_meta(t), "captures": [{"core:sample_start": 0,
                                                                          "core:frequency": "947M"}]}),
     r"captures/0/core:frequency is '947M'; expected Hz > 0", 1),
    ("wav-mono", lambda t: _wav(t / "m_947400000Hz_IQ.wav", channels=1),
     r"WAV field 'channels' is 1; IQ recordings have 2", 1),
    ("wav-not-riff", lambda t: _write(t / "n_947400000Hz_IQ.wav", b"ID3\x00" * 10),
     r"not a RIFF/WAVE file", 1),
    ("bad-prefix-datatype", lambda t: "zz9:" + _write(t / "a_947M_2.4M.cu8", bytes(10)),
     r"unknown sample datatype 'zz9'", 1),
]


def _write(path, data):
    path.write_bytes(data)
    return str(path)


def _wav(path, channels=2, data_len=None, payload=bytes(400)):
    fmt = struct.pack("<HHIIHH", 1, channels, 2400000, 2400000 * 2 * channels, 2 * channels, 16)
    dl = len(payload) if data_len is None else data_len
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", dl) + payload
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return str(path)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["info", "replay"])
def test_bad_input_corpus(tmp_path, cli, case, command):
    _, setup, pattern, code = case
    path = setup(tmp_path)
    rc, out, err = cli(command, "--json", path)
    assert rc == code, err
    assert out == ""
    import re

    assert re.search(pattern, _one_error_line(err)), err


def test_truncated_cu8_keeps_whole_samples(tmp_path, cli):
    p = _write(tmp_path / "t_947M_2.4M.cu8", bytes(range(256)) * 4 + b"\x01")
    rc, _, err = cli("replay", p)
    assert rc == 1
    assert "1025" not in err
    assert "t_947M_2.4M.cu8: 512 samples" in err  # processed before the error line
    assert "ends with 1 byte(s) that do not make a whole cu8 sample (2 bytes); the file looks truncated " \
           "(its 512 whole samples were read)" in _one_error_line(err)


def test_truncated_cs16_three_trailing_bytes(tmp_path, cli):
    p = _write(tmp_path / "t_947M_2.4M.cs16", bytes(4 * 100 + 3))
    rc, _, err = cli("replay", p)
    assert rc == 1
    assert "ends with 3 byte(s) that do not make a whole ci16_le sample (4 bytes)" in _one_error_line(err)


def test_truncated_wav(tmp_path, cli):
    p = _wav(tmp_path / "w_947400000Hz_IQ.wav", data_len=4000, payload=bytes(400))
    rc, _, err = cli("replay", p)
    assert rc == 1
    assert "WAV 'data' chunk declares 4000 bytes but the file holds 400; the file is truncated" in err
    assert "w_947400000Hz_IQ.wav: 100 samples" in err


def test_nan_in_cf32_names_the_sample_and_keeps_the_rest(tmp_path, cli):
    x = np.ones(5000, np.complex64)
    x[3210] = np.nan
    p = _write(tmp_path / "n_947M_2.4M.cfile", x.tobytes())
    rc, out, err = cli("replay", "--json", "--block", "1000", p)
    assert rc == 1
    assert all(json.loads(line)["kind"] == "emission" for line in out.splitlines())  # results so far, kept
    assert "n_947M_2.4M.cfile: 3210 samples" in err  # the samples before the NaN were processed
    assert "n_947M_2.4M.cfile: sample 3210 (byte offset 25680) is (nan+0j); expected finite cf32_le values" \
           in _one_error_line(err)


def test_inf_in_sigmf_cf32(tmp_path, cli):
    x = np.zeros(100, np.complex64)
    x[7] = complex(0, np.inf)
    p = _pair(tmp_path, _meta(tmp_path, **{"core:datatype": "cf32_le"}), x.tobytes())
    rc, _, err = cli("replay", p)
    assert rc == 1
    assert "sample 7 (byte offset 56)" in _one_error_line(err)


def test_one_bad_file_does_not_stop_the_others(tmp_path, cli):
    good = _write(tmp_path / "g_947M_2.4M.cu8", bytes(2000))
    bad = _write(tmp_path / "b_947M_2.4M.cu8", b"")
    rc, _, err = cli("replay", bad, good)
    assert rc == 1
    assert "g_947M_2.4M.cu8: 1000 samples" in err


def test_usage_errors_exit_2(cli):
    rc, _, err = cli("replay")
    assert rc == 2 and "the following arguments are required: PATH" in err
    rc, _, err = cli("record", "-f", "abc", "-w", "x")
    assert rc == 2 and "not a number with an optional k/M/G suffix: 'abc'" in err
    rc, _, err = cli("frobnicate")
    assert rc == 2 and "invalid choice: 'frobnicate'" in err


def test_traceback_only_on_request(tmp_path, cli):
    p = _write(tmp_path / "e_947M_2.4M.cu8", b"")
    rc, _, err = cli("--traceback", "replay", p)
    assert rc == 1 and "Traceback (most recent call last)" in err
