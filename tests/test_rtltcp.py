"""rtl_tcp client (`RtlTcpSource`) and server (`RtlTcpServer`) over loopback.

Protocol reference: osmocom rtl-sdr ``src/rtl_tcp.c`` (12-byte ``RTL0`` header, 5-byte big-endian
commands, raw cu8 stream). Every socket here has a timeout, so a failure cannot hang the run.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import numpy as np
import pytest

from detector.errors import DeviceError, PeerError, PeerLostError
from detector.sources import from_complex64, open_recording, to_complex64
from detector.sources._rtltcp import (
    Command,
    RtlTcpSource,
    check_sample_rate,
    check_tuner_freq,
    encode_command,
    encode_header,
    parse_header,
)
from detector.sources._rtltcp_server import RtlTcpServer

HEADER_R820T = b"RTL0" + (5).to_bytes(4, "big") + (29).to_bytes(4, "big")


class FakeServer:
    """Accepts one client; sends `header`, then `payload` (in `pieces`), then closes or records commands.

    Everything the client sends is kept in ``received``; ``done`` is set when the client has gone.
    """

    def __init__(self, header=HEADER_R820T, payload=b"", pieces=None, close_after=False, hold_s=5.0, pause_s=0.0):
        self.header, self.payload, self.pieces, self.pause_s = header, payload, pieces, pause_s
        self.close_after, self.hold_s = close_after, hold_s
        self.received = bytearray()
        self.done = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(5.0)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            conn, _ = self.listener.accept()
        except OSError:
            self.done.set()
            return
        with conn:
            conn.settimeout(self.hold_s)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                conn.sendall(self.header)
                if self.pieces is None:
                    conn.sendall(self.payload)
                else:
                    i = 0
                    for j, n in enumerate(self.pieces):
                        conn.sendall(self.payload[i : i + n])
                        i += n
                        if j == 0 and self.pause_s:
                            time.sleep(self.pause_s)
                if not self.close_after:
                    while True:
                        data = conn.recv(4096)
                        if not data:
                            break
                        self.received += data
            except OSError:
                pass
        self.done.set()

    def close(self):
        self.listener.close()
        self.thread.join(5.0)


@pytest.fixture
def fake():
    servers = []

    def make(**kw):
        s = FakeServer(**kw)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


def write_cu8(path, num_samples, seed=0) -> bytes:
    data = np.random.default_rng(seed).integers(0, 256, 2 * num_samples, dtype=np.uint8).tobytes()
    path.write_bytes(data)
    return data


def write_sigmf(base, data: bytes, captures, rate=2_400_000, datatype="cu8"):
    meta = {
        "global": {"core:datatype": datatype, "core:sample_rate": rate, "core:version": "1.0.0"},
        "captures": [{"core:sample_start": s, "core:frequency": f} for s, f in captures],
        "annotations": [],
    }
    base.with_suffix(".sigmf-data").write_bytes(data)
    base.with_suffix(".sigmf-meta").write_text(json.dumps(meta))
    return str(base.with_suffix(".sigmf-meta"))


# -- header ----------------------------------------------------------------------------------------
def test_header_parsed(fake):
    srv = fake(header=encode_header(5, 29))
    with RtlTcpSource("127.0.0.1", srv.port) as sdr:
        assert sdr.name == f"rtl_tcp:127.0.0.1:{srv.port}"
        assert (sdr.tuner_type, sdr.tuner_type_code, sdr.gain_count) == ("R820T", 5, 29)
    assert sdr.closed
    sdr.close()  # idempotent
    assert parse_header(b"RTL0\x00\x00\x00\x01\x00\x00\x00\x0e") == (1, 14)


def test_header_bad_magic_message(fake):
    srv = fake(header=b"SSH-2.0-Open", close_after=True)
    with pytest.raises(PeerError) as e:
        RtlTcpSource("127.0.0.1", srv.port)
    assert type(e.value) is PeerError and e.value.exit_code == 1
    assert str(e.value) == (
        f"rtl_tcp 127.0.0.1:{srv.port}: expected the 12-byte rtl_tcp header starting b'RTL0', "
        f"got b'SSH-2.0-Open'; is this an rtl_tcp server?"
    )


def test_header_short_then_closed(fake):
    srv = fake(header=b"RTL0\x00", close_after=True)
    with pytest.raises(PeerError) as e:
        RtlTcpSource("127.0.0.1", srv.port)
    assert type(e.value) is PeerError
    assert str(e.value) == (
        f"rtl_tcp 127.0.0.1:{srv.port}: expected the 12-byte rtl_tcp header starting b'RTL0', "
        f"got 5 bytes b'RTL0\\x00' before the connection closed"
    )


def test_header_never_sent_times_out(fake):
    srv = fake(header=b"", hold_s=2.0)
    t0 = time.monotonic()
    with pytest.raises(PeerError, match=r"got 0 bytes b'' in 0.3 s \(is another client connected"):
        RtlTcpSource("127.0.0.1", srv.port, connect_timeout_s=0.3)
    assert time.monotonic() - t0 < 2.0


def test_connection_refused_is_peer_lost():
    port = free_port()
    with pytest.raises(PeerLostError) as e:
        RtlTcpSource("127.0.0.1", port, connect_timeout_s=2)
    assert e.value.exit_code == 3
    assert str(e.value).startswith(f"rtl_tcp 127.0.0.1:{port}: cannot connect: ")
    assert str(e.value).endswith("(is rtl_tcp running?)")


# -- commands --------------------------------------------------------------------------------------
def test_command_bytes_exact(fake):
    srv = fake()
    with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0) as sdr:
        sdr.set_sample_rate(2.4e6)
        sdr.tune(947.4e6)
        sdr.set_gain(29.7)
        sdr.set_gain(None)
        sdr.set_ppm(-3)
        sdr.set_bias_tee(True)
        sdr.set_direct_sampling(2)
        sdr.set_agc(True)
        sdr.set_gain_index(3)
        assert sdr.center_freq_hz == 947.4e6 and sdr.gain_db is None and sdr.ppm == -3
    assert srv.done.wait(5)
    expected = [
        b"\x02" + (2_400_000).to_bytes(4, "big"),
        b"\x01" + (947_400_000).to_bytes(4, "big"),
        b"\x03\x00\x00\x00\x01",
        b"\x04\x00\x00\x01\x29",  # 29.7 dB = 297 tenths = 0x129
        b"\x03\x00\x00\x00\x00",
        b"\x05\xff\xff\xff\xfd",  # -3 ppm, two's complement
        b"\x0e\x00\x00\x00\x01",
        b"\x09\x00\x00\x00\x02",
        b"\x08\x00\x00\x00\x01",
        b"\x03\x00\x00\x00\x01",
        b"\x0d\x00\x00\x00\x03",
    ]
    assert bytes(srv.received) == b"".join(expected)
    assert encode_command(Command.SET_IF_GAIN, (1 << 16) | (-25 & 0xFFFF)) == b"\x06\x00\x01\xff\xe7"


def test_sample_rate_validation():
    for ok in (225_001, 250_000, 300_000, 900_001, 1.92e6, 2.4e6, 3.2e6):
        assert check_sample_rate(ok) == round(ok)
    for bad in (225_000, 300_001, 500_000, 900_000, 3_200_001, float("nan")):
        with pytest.raises(DeviceError, match=r"valid rates are 225001-300000 S/s and 900001-3200000 S/s"):
            check_sample_rate(bad)
    with pytest.raises(DeviceError) as e:
        check_sample_rate(500e3)
    assert str(e.value) == (
        "sample rate 500000 S/s is not supported by the RTL2832U; valid rates are 225001-300000 S/s "
        "and 900001-3200000 S/s"
    )


def test_frequency_validation(fake):
    assert check_tuner_freq(947.4e6, 5) == 947_400_000
    assert check_tuner_freq(2.14e9, 0) == 2_140_000_000  # unknown tuner: protocol range only
    with pytest.raises(DeviceError, match="outside the R820T tuner's range 24-1766 MHz"):
        check_tuner_freq(2.14e9, 5)
    with pytest.raises(DeviceError, match="E4000 tuner's range 52-1100 MHz and 1250-2200 MHz"):
        check_tuner_freq(1.2e9, 1)
    with pytest.raises(DeviceError, match="FC2580"):
        check_tuner_freq(400e6, 4)
    for bad in (0, -1, 2**32, float("inf")):
        with pytest.raises(DeviceError, match=r"1 to 4294967295 Hz"):
            check_tuner_freq(bad, 0)
    srv = fake()
    with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0) as sdr:
        with pytest.raises(DeviceError, match="valid rates"):
            sdr.set_sample_rate(500e3)
        sdr.set_sample_rate(2.4e6)
        with pytest.raises(DeviceError, match="R820T"):
            sdr.tune(2.6e9)
        assert sdr.center_freq_hz is None
        sdr.set_direct_sampling(1)
        sdr.tune(7.1e6)  # HF through direct sampling: no tuner-range check
    assert srv.done.wait(5)
    assert bytes(srv.received) == (encode_command(2, 2_400_000) + encode_command(9, 1) + encode_command(1, 7_100_000))


# -- stream ----------------------------------------------------------------------------------------
def test_peer_closes_mid_stream(fake):
    payload = bytes(range(200)) * 5  # 1000 bytes = 500 samples
    srv = fake(payload=payload, close_after=True)
    with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0) as sdr:
        raw, dropped = sdr.read_raw(300)
        assert (raw, dropped) == (payload[:600], 0)
        with pytest.raises(PeerLostError) as e:
            sdr.read_raw(300)
        assert e.value.exit_code == 3
        assert str(e.value) == f"rtl_tcp 127.0.0.1:{srv.port}: connection closed by peer after 500 samples"
        raw, _ = sdr.read_raw(200)  # nothing received is lost: the 200 samples are still there
        assert raw == payload[600:]


def test_stall_is_peer_lost(fake):
    srv = fake(payload=bytes(100), hold_s=3.0)
    with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0, stall_timeout_s=0.3) as sdr:
        t0 = time.monotonic()
        with pytest.raises(PeerLostError) as e:
            sdr.read_raw(1000)
        assert time.monotonic() - t0 < 2.0
        assert str(e.value) == f"rtl_tcp 127.0.0.1:{srv.port}: no samples for 0.3 s (stalled) after 50 samples"


def test_odd_chunk_boundaries(fake):
    rng = np.random.default_rng(3)
    payload = rng.integers(0, 256, 4000, dtype=np.uint8).tobytes()
    pieces = rng.integers(1, 4, 4000)
    srv = fake(payload=payload, pieces=pieces)
    with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0, recv_bytes=3) as sdr:
        # No set_sample_rate/tune (each forgets what was queued): read the stream from its first byte.
        sdr.sample_rate_hz, sdr.center_freq_hz = 2.4e6, 947.4e6
        a = sdr.read_block(999)
        b = sdr.read_block(1001)
    assert a.meta["cu8"] + b.meta["cu8"] == payload
    np.testing.assert_array_equal(np.concatenate([a.samples, b.samples]), to_complex64(payload, "cu8"))
    assert (a.dropped, b.dropped, b.start_sample) == (0, 0, 999)


def test_overflow_is_counted(fake):
    # Sample k carries its own index: I = k & 0xff, Q = k >> 8, so gaps can be measured.
    k = np.arange(60_000)
    payload = np.stack([k & 0xFF, k >> 8], axis=1).astype(np.uint8).tobytes()
    # 100 samples, a pause (the client reads them), then the rest at once (the client is asleep).
    srv = fake(payload=payload, pieces=[200] + [4096] * (len(payload) // 4096 + 1), pause_s=0.1)
    with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0, queue_bytes=4096, recv_bytes=1024) as sdr:

        def read(n):
            raw, dropped = sdr.read_raw(n)
            c = np.frombuffer(raw, np.uint8).reshape(-1, 2).astype(np.int64)
            idx = c[:, 0] + 256 * c[:, 1]
            assert np.all(np.diff(idx) == 1), "a read must be contiguous"
            return idx, dropped

        first, d1 = read(100)
        assert (first[0], d1) == (0, 0)
        time.sleep(0.3)  # slow consumer: the server sent everything meanwhile
        second, d2 = read(1000)
        assert d2 > 0
        assert second[0] == first[-1] + 1 + d2
        assert sdr.dropped_total == d1 + d2


def test_paused_samples_are_discarded_not_dropped(fake):
    # a scan waiting for its workers between two steps pauses the source: what streams in meanwhile (here far
    # more than the queue holds) is discarded, not counted as lost, and the next tuning streams again
    k = np.arange(60_000)
    payload = np.stack([k & 0xFF, k >> 8], axis=1).astype(np.uint8).tobytes()
    # 100 samples, then (1 s later: the client has paused by then, however loaded the machine) the rest at once
    srv = fake(payload=payload, pieces=[200] + [4096] * (len(payload) // 4096 + 1), pause_s=1.0)
    with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0, queue_bytes=4096, recv_bytes=1024) as sdr:
        sdr.set_sample_rate(2.4e6)
        sdr.pause()
        time.sleep(1.5)  # the server sends everything meanwhile
        assert sdr.dropped_total == 0
        sdr.tune(948e6)
        assert sdr.stats.discarded >= 50_000 and sdr.stats.dropped == 0


# -- server ----------------------------------------------------------------------------------------
def test_round_trip_exact_bytes(tmp_path):
    path = tmp_path / "x_947.4M_2.4M.cu8"
    data = write_cu8(path, 200_000)
    looped = data + data
    lines = []
    with RtlTcpServer(open_recording(str(path)), port=0, realtime=False, loop=True, log=lines.append) as srv:
        with RtlTcpSource("127.0.0.1", srv.port) as sdr:
            sdr.set_sample_rate(2.4e6)
            sdr.tune(947.4e6)
            raw, _ = sdr.read_raw(60_000)
            block = sdr.read_block(4096)
    start = looped.find(raw[:64])
    assert start >= 0 and start % 2 == 0
    assert looped[start : start + len(raw)] == raw
    assert from_complex64(block.samples, "cu8") == block.meta["cu8"]
    assert looped.find(block.meta["cu8"]) % 2 == 0
    assert any("client accepted" in line for line in lines)


def test_whole_file_then_end_of_recording(tmp_path):
    path = tmp_path / "y_947.4M_2.4M.cu8"
    data = write_cu8(path, 30_000, seed=1)
    lines = []
    with RtlTcpServer(open_recording(str(path)), port=0, realtime=False, log=lines.append) as srv:
        with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0) as sdr:
            raw, dropped = sdr.read_raw(30_000)
            assert (raw == data, dropped) == (True, 0)
            with pytest.raises(PeerLostError, match="connection closed by peer after 30000 samples"):
                sdr.read_raw(1)
    assert any(line.startswith("end of recording") for line in lines)


def test_two_segments_retune(tmp_path):
    n = 200_000
    data = np.random.default_rng(4).integers(0, 256, 4 * n, dtype=np.uint8).tobytes()
    meta = write_sigmf(tmp_path / "two", data, [(0, 935e6), (n, 937.4e6)])
    seg1 = data[2 * n :] * 2
    lines = []
    with RtlTcpServer(open_recording(meta), port=0, realtime=True, loop=True, log=lines.append) as srv:
        with RtlTcpSource("127.0.0.1", srv.port) as sdr:
            sdr.set_sample_rate(2.4e6)
            sdr.tune(937.4e6)
            raw, _ = sdr.read_raw(8192)
    start = seg1.find(raw[:64])
    assert start >= 0 and start % 2 == 0, "samples after the retune come from the second segment"
    assert seg1[start : start + len(raw)] == raw
    assert any("segment 1 (937.400 MHz) from its first sample" in line for line in lines)


def test_uncovered_frequency_streams_silence_and_logs(tmp_path):
    path = tmp_path / "z_947.4M_2.4M.cu8"
    write_cu8(path, 100_000, seed=5)
    lines = []
    with RtlTcpServer(open_recording(str(path)), port=0, realtime=True, loop=True, log=lines.append) as srv:
        with RtlTcpSource("127.0.0.1", srv.port) as sdr:
            sdr.set_sample_rate(2.048e6)
            sdr.set_gain(29.7)
            sdr.set_ppm(5)
            sdr.tune(900e6)
            raw, _ = sdr.read_raw(4096)
    assert set(raw) <= {127, 128}
    assert abs(to_complex64(raw, "cu8").mean()) < 1e-6
    text = "\n".join(lines)
    assert "no capture segment covers 900.000 MHz (segments: 947.400 MHz +-1.200 MHz)" in text
    assert "client asked for 2048000 S/s; serving the recording's 2400000 S/s" in text
    assert "client set gain 29.7 dB" in text
    assert "client set frequency correction 5 ppm" in text


def test_offset_tuning_shifts_to_dc(tmp_path):
    fs, df, n = 2.4e6, 100e3, 24_000  # the tone repeats every 24 samples: the loop is seamless
    t = np.arange(n)
    tone = (0.5 * np.exp(2j * np.pi * df / fs * t)).astype(np.complex64)
    path = tmp_path / "tone_947.4M_2.4M.cf32"
    tone.tofile(path)
    lines = []
    rec = open_recording(str(path))
    with RtlTcpServer(rec, port=0, realtime=True, loop=True, log=lines.append, chunk_samples=1000) as srv:
        with RtlTcpSource("127.0.0.1", srv.port) as sdr:
            sdr.set_sample_rate(fs)
            sdr.tune(947.4e6 + df)
            x = sdr.read_block(20_000).samples
    assert abs(np.abs(x.mean()) - 0.5) < 0.01  # the tone sits at DC
    assert np.abs(x - x.mean()).max() < 0.02  # one constant phasor across 20 chunks: phase continuous
    assert any("shifted by +100.000 kHz to DC" in line for line in lines)


def test_realtime_pacing(tmp_path):
    path = tmp_path / "p_947.4M_2.4M.cu8"
    write_cu8(path, 100_000, seed=6)
    with RtlTcpServer(open_recording(str(path)), port=0, realtime=True, loop=True, log=lambda m: None) as srv:
        t0 = time.monotonic()
        with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0) as sdr:
            sdr.read_raw(480_000)  # 0.2 s at 2.4 MS/s
        elapsed = time.monotonic() - t0
    assert 0.15 <= elapsed < 2.0


def test_one_client_at_a_time_and_server_survives(tmp_path):
    path = tmp_path / "c_947.4M_2.4M.cu8"
    write_cu8(path, 50_000, seed=7)
    lines = []
    with RtlTcpServer(open_recording(str(path)), port=0, realtime=True, loop=True, log=lines.append) as srv:
        first = RtlTcpSource("127.0.0.1", srv.port, settle_samples=0)
        first.read_raw(1000)
        with pytest.raises(PeerError, match="before the connection closed"):
            RtlTcpSource("127.0.0.1", srv.port, connect_timeout_s=2)
        first.close()
        with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0, connect_timeout_s=2) as again:
            assert len(again.read_raw(1000)[0]) == 2000
        assert srv.clients_served == 2
    assert any(line.startswith("refused client") for line in lines)


def test_stop_is_bounded_and_client_sees_peer_lost(tmp_path):
    path = tmp_path / "s_947.4M_2.4M.cu8"
    write_cu8(path, 50_000, seed=8)
    srv = RtlTcpServer(open_recording(str(path)), port=0, realtime=True, loop=True, log=lambda m: None).start()
    with RtlTcpSource("127.0.0.1", srv.port, settle_samples=0) as sdr:
        sdr.read_raw(1000)
        t0 = time.monotonic()
        srv.stop()
        assert time.monotonic() - t0 < 1.0
        assert not srv.running
        with pytest.raises(PeerLostError, match="connection closed by peer"):
            sdr.read_raw(10_000_000)
