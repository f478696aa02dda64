"""Every recording format opens, replays sample-exactly, and a sweep replays as a sweep."""

import datetime as dt
import json
import os
import struct
import tracemalloc

import numpy as np
import pytest
from conftest import RECORDINGS
from numpy.testing import assert_array_equal

from detector.sources import from_complex64, open_recording, to_complex64

UTC = dt.timezone.utc


def _random_bytes(n, seed=7):
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def _replay(src, block=1000):
    return np.concatenate([b.samples for b in src.blocks(block)])


@pytest.mark.parametrize("ext,fmt", [(".cu8", "cu8"), (".bin", "cu8"), (".cs8", "ci8"), (".cs16", "ci16_le"),
                                     (".cf32", "cf32_le"), (".cfile", "cf32_le")])
def test_raw_extensions_replay_exactly(tmp_path, ext, fmt):
    raw = _random_bytes(8000)
    if fmt.startswith("cf"):
        raw = np.random.default_rng(1).standard_normal(2000).astype("<f4").tobytes()
    p = tmp_path / f"cap_947.4M_2.4M{ext}"
    p.write_bytes(raw)
    with open_recording(str(p)) as src:
        assert src.fmt.name == fmt
        assert src.center_freq_hz == 947.4e6 and src.sample_rate_hz == 2.4e6
        got = _replay(src, block=333)
        assert [b.start_sample for b in src.blocks(333)][:3] == [0, 333, 666]
    assert_array_equal(got, to_complex64(raw, fmt))


def test_flags_override_the_name(tmp_path):
    p = tmp_path / "cap_947.4M_2.4M.cu8"
    p.write_bytes(bytes(100))
    with open_recording(str(p), sample_rate_hz=1.92e6, center_freq_hz=1860e6) as src:
        assert (src.sample_rate_hz, src.center_freq_hz) == (1.92e6, 1860e6)


def test_format_prefix_overrides_extension(tmp_path):
    p = tmp_path / "noise_f2646_s1.92.bin"
    raw = np.array([-128, 127, 64, -64], np.int8).tobytes()
    p.write_bytes(raw)
    with open_recording(f"cs8:{p}") as src:
        assert src.fmt.name == "ci8"
        assert_array_equal(_replay(src), [-1 + 127j / 128, 0.5 - 0.5j])


def test_block_timestamps_follow_sample_index(tmp_path):
    p = tmp_path / "gqrx_20231128_101500_947400000_1000000_fc.raw"
    p.write_bytes(np.zeros(2 * 3000, "<f4").tobytes())
    with open_recording(str(p)) as src:
        blocks = list(src.blocks(1000))
    assert [b.timestamp for b in blocks] == [dt.datetime(2023, 11, 28, 10, 15, tzinfo=UTC)
                                            + dt.timedelta(milliseconds=k) for k in range(3)]


def _wav(path, tag, bits, rate, payload, extensible=False):
    channels, block_align = 2, 2 * bits // 8
    if extensible:
        fmt = struct.pack("<HHIIHHHHI16s", 0xFFFE, channels, rate, rate * block_align, block_align, bits, 22, bits,
                          3, struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71")
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block_align, block_align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(payload)) + payload
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


@pytest.mark.parametrize("tag,bits,fmt,extensible", [(1, 16, "ci16_le", False), (1, 8, "cu8", False),
                                                     (3, 32, "cf32_le", False), (1, 16, "ci16_le", True)])
def test_wav_iq(tmp_path, tag, bits, fmt, extensible):
    payload = _random_bytes(4 * 256)
    p = tmp_path / "SDRSharp_20231128_101500Z_947400000Hz_IQ.wav"
    if fmt == "cf32_le":
        payload = np.random.default_rng(2).standard_normal(512).astype("<f4").tobytes()
    _wav(p, tag, bits, 250000, payload, extensible)
    with open_recording(str(p)) as src:
        assert src.fmt.name == fmt
        assert src.sample_rate_hz == 250000 and src.center_freq_hz == 947.4e6
        assert_array_equal(_replay(src), to_complex64(payload, fmt))


def _sigmf_pair(base, raw, datatype, captures, global_extra=None):
    meta = {"global": {"core:datatype": datatype, "core:sample_rate": 2.4e6, "core:version": "1.0.0",
                       **(global_extra or {})},
            "captures": captures, "annotations": []}
    with open(str(base) + ".sigmf-meta", "w") as fh:
        json.dump(meta, fh)
    with open(str(base) + ".sigmf-data", "wb") as fh:
        fh.write(raw)


@pytest.mark.parametrize("datatype,bps", [("cu8", 2), ("ci8", 2), ("ci16_le", 4), ("cf32_le", 8)])
@pytest.mark.parametrize("which", [".sigmf-meta", ".sigmf-data", ""])
def test_sigmf_pair_datatypes(tmp_path, datatype, bps, which):
    raw = _random_bytes(bps * 500)
    if datatype == "cf32_le":
        raw = np.random.default_rng(3).standard_normal(1000).astype("<f4").tobytes()
    _sigmf_pair(tmp_path / "rec", raw, datatype, [{"core:sample_start": 0, "core:frequency": 1842.5e6}])
    path = str(tmp_path / "rec") + (which or ".sigmf-meta")
    with open_recording(path) as src:
        assert src.fmt.name == datatype and src.center_freq_hz == 1842.5e6
        assert_array_equal(_replay(src, 77), to_complex64(raw, datatype))


def test_sigmf_archive(tmp_path):
    import sigmf

    raw = _random_bytes(2 * 3000)
    (tmp_path / "a.sigmf-data").write_bytes(raw)
    rec = sigmf.SigMFFile(data_file=str(tmp_path / "a.sigmf-data"),
                          global_info={"core:datatype": "cu8", "core:sample_rate": 2.4e6})
    rec.add_capture(0, metadata={"core:frequency": 935e6})
    rec.add_capture(1000, metadata={"core:frequency": 937.4e6})
    rec.tofile(str(tmp_path / "a.sigmf"), toarchive=True)
    os.remove(tmp_path / "a.sigmf-data")
    with open_recording(str(tmp_path / "a.sigmf")) as src:
        assert src.describe()["format"] == "sigmf-archive"
        assert [s.center_freq_hz for s in src.segments] == [935e6, 937.4e6]
        blocks = list(src.blocks(700))
        assert_array_equal(np.concatenate([b.samples for b in blocks]), to_complex64(raw, "cu8"))
        assert [b.segment for b in blocks] == [0, 0, 1, 1, 1]
        assert [b.center_freq_hz for b in blocks] == [935e6] * 2 + [937.4e6] * 3


def test_bundled_sweep_matches_its_ground_truth():
    """The bundled recording's per-tuning power equals the sum of its ground-truth tones and noise."""
    base = os.path.join(RECORDINGS, "tones_gsm900_sweep")
    truth = json.load(open(base + ".truth.json"))
    with open_recording(base + ".sigmf-meta") as src:
        assert [s.center_freq_hz for s in src.segments] == [s["center_freq_hz"] for s in truth["steps"]]
        for seg, step in zip(src.segments, truth["steps"], strict=True):
            x = np.concatenate([b.samples for b in src.blocks(segments=[seg.index])])
            assert x.size == round(truth["duration_s_per_step"] * truth["sample_rate_hz"])
            want = sum(10 ** (t["power_dbfs"] / 10) for t in step["tones"]) + 10 ** (truth["noise_dbfs"] / 10)
            assert 10 * np.log10(np.mean(np.abs(x) ** 2)) == pytest.approx(10 * np.log10(want), abs=0.1)
            spec = np.abs(np.fft.fftshift(np.fft.fft(x[:24000]))) ** 2  # 100 Hz bins
            strongest = max(step["tones"], key=lambda t: t["power_dbfs"])
            assert (np.argmax(spec) - 12000) * 100.0 == pytest.approx(strongest["offset_hz"], abs=100)


def test_writer_round_trip_and_validation(tmp_path):
    from sigmf.sigmffile import fromfile

    from detector.sources import IQBlock
    from detector.sources._sigmf_writer import SigMFWriter

    raw = _random_bytes(2 * 5000)
    t0 = dt.datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    with SigMFWriter(str(tmp_path / "out.sigmf-meta"), 2.4e6, hw="test") as w:
        for k, f in enumerate([935e6, 940e6]):
            chunk = raw[k * 5000:(k + 1) * 5000]
            w.write(IQBlock(to_complex64(chunk, "cu8"), f, 2.4e6, k * 2500, t0, gain_db=29.7, segment=k))
    assert (tmp_path / "out.sigmf-data").read_bytes() == raw
    rec = fromfile(str(tmp_path / "out"))  # checks the sha512 and the schema
    rec.validate()
    caps = rec.get_captures()
    assert [c["core:sample_start"] for c in caps] == [0, 2500]
    assert caps[0]["core:datetime"] == "2026-11-28T10:00:00.000000Z"
    assert rec.get_global_field("core:hw") == "test"
    with pytest.raises(Exception, match="already exists; refusing to overwrite"):
        SigMFWriter(str(tmp_path / "out"), 2.4e6)
    with open_recording(str(tmp_path / "out.sigmf-meta")) as src:
        assert from_complex64(_replay(src), "cu8") == raw


def test_memory_stays_flat(tmp_path):
    """Reading a file 16x the block size holds only about one block in memory."""
    p = tmp_path / "big_947M_2.4M.cu8"
    block = 1 << 16
    with open(p, "wb") as fh:
        for _ in range(16):
            fh.write(_random_bytes(2 * block))
    with open_recording(str(p)) as src:
        tracemalloc.start()
        total = sum(len(b) for b in src.blocks(block))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert total == 16 * block
    assert peak < 6 * block * 8  # a few blocks of complex64, not the 8 MiB the whole file converts to


def test_directory_of_captures_replays_as_one_sweep(tmp_path, cli):
    """rtl_433-named captures of a sweep in a directory replay as one sweep, in name order, one segment each."""
    raws = {}
    for k, f in enumerate(["935.0M", "937.4M", "939.8M"]):
        raw = _random_bytes(2 * 1000, seed=k)
        (tmp_path / f"step{k:02d}_{f}_2.4M.cu8").write_bytes(raw)
        raws[k] = raw
    (tmp_path / "notes.txt").write_text("not a recording")
    with open_recording(str(tmp_path)) as src:
        assert [s.center_freq_hz for s in src.segments] == [935e6, 937.4e6, 939.8e6]
        blocks = list(src.blocks(600))
    assert [b.segment for b in blocks] == [0, 0, 1, 1, 2, 2]
    assert [b.start_sample for b in blocks] == [0, 600, 1000, 1600, 2000, 2600]
    assert from_complex64(np.concatenate([b.samples for b in blocks]), "cu8") == raws[0] + raws[1] + raws[2]
    rc, out, err = cli("info", "--json", tmp_path)
    d = json.loads(out)
    assert rc == 0 and d["format"] == "directory" and len(d["segments"]) == 3
