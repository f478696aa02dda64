"""`RtlTcpServer`: serve a recording through the rtl_tcp protocol, as a virtual RTL-SDR dongle.

Any rtl_tcp client (this package's `RtlTcpSource`, gqrx, SDR++, SDR#, GNU Radio's osmocom source
with ``rtl_tcp=host:port``) connects, receives the 12-byte ``RTL0`` header and then a ``cu8`` stream,
and tunes with the usual 5-byte commands (osmocom rtl-sdr ``src/rtl_tcp.c``; see `_rtltcp`). The
stream is the recording segment (SigMF ``captures`` entry) whose band holds the requested
frequency, so a multi-frequency recording behaves like a dongle swept across those bands:

* the initial tuning is the first segment's centre, from its first sample;
* a set-frequency command switches to the segment covering the new frequency and restarts it from
  its first sample (a frequency inside the segment being played keeps its position, except at the
  client's first tuning, which always starts from the first sample, as a dongle's stream starts
  when it is tuned);
* a frequency off the segment's centre is shifted to DC (``x * exp(-2j*pi*df*n/fs)``, phase
  continuous from block to block); content the capture did not hold wraps around from the other
  band edge, as in any digital shift;
* a frequency no segment covers is logged and streamed as mid-scale ``cu8`` (127/128: silence)
  until the client retunes;
* the recording's sample rate is served whatever rate the client asks for (logged); gain, ppm,
  AGC and bias-tee commands are logged and ignored (a recording's gain was fixed when it was made).

``cu8`` data streamed at its own centre frequency is sent byte for byte from the file; other formats
(and shifted data) go through `from_complex64`, which clips beyond full scale (counted and logged).

Like ``rtl_tcp`` the server serves one client at a time; a client that connects meanwhile is
refused (connection closed before the header) with a log line. A client that disconnects sends the
server back to waiting for the next one.
"""

from __future__ import annotations

import logging
import math
import select
import socket
import threading
import time

import numpy as np

from ..errors import DetectorError, FormatError, UsageError
from ._base import RecordingSource, Segment
from ._convert import from_complex64
from ._rtltcp import (
    COMMAND_LEN,
    DEFAULT_PORT,
    TUNER_NAMES,
    Command,
    decode_command,
    encode_header,
    format_peer,
)

__all__ = ["RtlTcpServer"]

_LOG = logging.getLogger(__name__)

#: Seconds the stream waits after the header for the client's first retune before starting anyway.
_FIRST_COMMAND_GRACE_S = 0.5
#: Seconds a client may take to retune after its segment ran out (no loop) before the server closes it.
_END_GRACE_S = 2.0
#: I, Q of two successive samples at mid-scale (127, 128 / 128, 127): zero mean, nothing at DC.
_SILENCE = bytes([127, 128, 128, 127])
_POLL_S = 0.1


def _mhz(freq_hz: float) -> str:
    return f"{freq_hz / 1e6:.3f} MHz"


def _signed(param: int) -> int:
    return param - (1 << 32) if param & 0x80000000 else param


class _Player:
    """Produces the ``cu8`` byte stream of one client session at the tuning it asked for."""

    def __init__(self, recording: RecordingSource, loop: bool, log):
        self.rec = recording
        self.loop = loop
        self.log = log
        self.fh = None
        self.seg: Segment | None = None
        self.pos = 0  # next sample within the segment
        self.limit = 0  # samples available in the segment (less than promised if the file is short)
        self.offset_hz = 0.0
        self.phase = 0.0  # radians, mixer phase at sample `pos`
        self.rate = recording.segments[0].sample_rate_hz
        self.freq_hz = recording.segments[0].center_freq_hz
        self.clipped = 0
        self.byte_exact = recording.fmt.name == "cu8"
        self.retuned = False  # has the client sent a set-frequency command yet?
        self._start(recording.segments[0], 0.0)

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    def _start(self, seg: Segment, offset_hz: float) -> None:
        self.seg, self.pos, self.limit, self.offset_hz, self.phase = seg, 0, seg.num_samples, offset_hz, 0.0
        self.rate = seg.sample_rate_hz
        if seg.num_samples == 0:
            self.log(f"segment {seg.index} ({_mhz(seg.center_freq_hz)}) holds no samples; streaming silence")
            self.seg = None

    def describe_segments(self) -> str:
        return ", ".join(
            f"{_mhz(s.center_freq_hz)} +-{s.sample_rate_hz / 2e6:.3f} MHz" for s in self.rec.segments
        )

    def tune(self, freq_hz: float) -> bool:
        """Follow a set-frequency command; True if the stream changed (pending data is stale)."""
        seg = self.rec.segment_for(freq_hz)
        previous = self.freq_hz
        self.freq_hz = freq_hz
        first, self.retuned = not self.retuned, True
        if seg is None:
            if self.seg is None and previous == freq_hz:
                return False
            self.log(f"no capture segment covers {_mhz(freq_hz)} (segments: {self.describe_segments()}); "
                     f"streaming silence until the client retunes")
            self.seg = None
            return True
        offset = freq_hz - seg.center_freq_hz
        if abs(offset) < 1.0:  # rtl_tcp carries whole Hz and clients truncate: within 1 Hz is the segment's centre
            offset = 0.0
        shift = f", shifted by {offset / 1e3:+.3f} kHz to DC" if offset else ""
        if self.seg is not None and seg.index == self.seg.index:
            if offset == self.offset_hz and not first:
                self.log(f"client tuned to {_mhz(freq_hz)}: segment {seg.index}, already playing")
                return False
            if offset == self.offset_hz:  # a dongle's stream begins at its first tuning: so does a recording's
                self._start(seg, offset)
                self.log(f"client tuned to {_mhz(freq_hz)}: segment {seg.index} from its first sample (first tuning)")
                return True
            self.offset_hz = offset
            self.log(f"client tuned to {_mhz(freq_hz)}: same segment {seg.index}, at sample {self.pos}{shift}")
            return True
        self._start(seg, offset)
        if self.seg is not None:
            self.log(f"client tuned to {_mhz(freq_hz)}: segment {seg.index} ({_mhz(seg.center_freq_hz)}) "
                     f"from its first sample{shift}")
        return True

    def next_chunk(self, count: int) -> bytes | None:
        """The next `count` samples (or fewer at a segment's end) as cu8 bytes; None at the end of the recording."""
        seg = self.seg
        if seg is None:
            n = count + (count & 1)
            return (_SILENCE * (n // 2 + 1))[: 2 * n]
        if self.pos >= self.limit:
            if not self.loop:
                return None
            self.pos = 0
        take = min(count, self.limit - self.pos)
        if self.byte_exact and not self.offset_hz:
            raw = self._read_bytes(seg, take)
        else:
            samples = self.rec.read(seg, self.pos, take)
            if samples.size and self.offset_hz:
                samples = self._shift(samples)
            raw = self._to_cu8(samples)
        got = len(raw) // 2
        if got < take:
            self.log(f"{self.rec.path}: segment {seg.index} ends at its sample {self.pos + got}; its metadata "
                     f"promised {seg.num_samples} samples")
            self.limit = self.pos + got
            if got == 0:
                if not self.loop or self.limit == 0:
                    return None
                self.pos = 0
                return self.next_chunk(count)
        self.pos += got
        return raw

    def _read_bytes(self, seg: Segment, count: int) -> bytes:
        if self.fh is None:
            try:
                self.fh = open(self.rec.path, "rb")  # noqa: SIM115 - closed by close()
            except OSError as e:
                raise FormatError(f"{self.rec.path}: cannot open: {e.strerror}") from e
        self.fh.seek(seg.byte_offset + 2 * self.pos)
        raw = self.fh.read(2 * count)
        return raw[: len(raw) & ~1]

    def _shift(self, samples: np.ndarray) -> np.ndarray:
        """Mix the requested frequency down to DC, continuing the mixer phase from the last block."""
        step = -2.0 * math.pi * self.offset_hz / self.rate  # radians per sample
        n = samples.size
        lo = np.exp(1j * (self.phase + step * np.arange(n, dtype=np.float64)))
        self.phase = math.fmod(self.phase + step * n, 2.0 * math.pi)
        return (samples * lo).astype(np.complex64)

    def _to_cu8(self, samples: np.ndarray) -> bytes:
        comps = samples.view(np.float32)
        over = int(np.count_nonzero(np.abs(comps) > 1.0))
        if over:
            if not self.clipped:
                self.log(f"{self.rec.path}: samples beyond full scale clipped to cu8 0/255 "
                         f"(first in segment {self.seg.index})")
            self.clipped += over
        return from_complex64(samples, "cu8")


class RtlTcpServer:
    """Serve a `RecordingSource` as a virtual RTL-SDR dongle over the rtl_tcp protocol.

    Parameters
    ----------
    recording : RecordingSource
        What to serve; every segment needs a centre frequency. The server reads it from its own
        thread: do not read the same object elsewhere while serving.
    host : str
        Address to listen on; the default ``127.0.0.1`` is reachable from this machine only (use
        ``0.0.0.0`` to serve the network, like ``rtl_tcp -a``).
    port : int
        TCP port, default 1234; 0 picks a free port (see `port` after `start`).
    realtime : bool
        True paces the stream at the recording's rate (2 bytes per sample per second), like a
        dongle; False sends as fast as the client takes it (tests, bulk replay).
    loop : bool
        At the end of a segment, restart it (True) or close the client connection (False).
    tuner_type : int
        ``enum rtlsdr_tuner`` value announced in the header (default 5, R820T).
    gain_count : int
        Number of tuner gains announced (29 for the R820T).
    log : callable or logging.Logger, optional
        Receives one human-readable line per event: a callable ``log(message)``, or anything with a
        ``.log(level, message)`` method (a `logging.Logger`, the `logging` module). Default: this
        module's logger.
    chunk_samples : int, optional
        Samples per send; default about 5 ms of samples when `realtime`, 65536 otherwise.

    Attributes
    ----------
    port : int
        The port actually listened on once started.
    clients_served : int
        Client connections served so far.
    samples_sent : int
        Samples sent to the current (or last) client.

    Raises
    ------
    UsageError
        If the recording has no segments or a segment has no centre frequency.

    See Also
    --------
    RtlTcpSource : the client.

    Notes
    -----
    Protocol: osmocom rtl-sdr ``src/rtl_tcp.c``. Like ``rtl_tcp`` the server never answers commands.
    While streaming it waits on the client socket and the listening socket with ``select`` (at most
    0.1 s), so commands take effect between two sends and `stop` returns within about 0.1 s.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from detector.sources import open_recording
    >>> from detector.sources._rtltcp import RtlTcpSource
    >>> path = os.path.join(tempfile.mkdtemp(), "srv_947.4M_2.4M.cu8")
    >>> data = np.random.default_rng(2).integers(0, 256, 2 * 50_000, dtype=np.uint8)
    >>> data.tofile(path)
    >>> lines = []
    >>> with RtlTcpServer(open_recording(path), port=0, realtime=False, log=lines.append) as server:
    ...     with RtlTcpSource("127.0.0.1", server.port) as sdr:
    ...         raw, dropped = sdr.read_raw(50_000)
    >>> raw == data.tobytes(), dropped
    (True, 0)
    """

    def __init__(self, recording: RecordingSource, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 realtime: bool = True, loop: bool = False, tuner_type: int = 5, gain_count: int = 29,
                 log=None, chunk_samples: int | None = None):
        if not isinstance(recording, RecordingSource):
            raise UsageError(f"RtlTcpServer serves a RecordingSource, got {type(recording).__name__}")
        if not recording.segments:
            raise UsageError(f"{recording.path}: the recording holds no segments; nothing to serve")
        missing = [s.index for s in recording.segments if s.center_freq_hz is None]
        if missing:
            raise UsageError(
                f"{recording.path}: segment(s) {missing} have no centre frequency; a virtual dongle needs one "
                f"(give it with -f or a name like NAME_947.4M_2.4M.cu8)"
            )
        if not 0 <= int(port) <= 65535:
            raise UsageError(f"rtl_tcp server port must be 0 to 65535, got {port!r}")
        if not 0 <= int(tuner_type) <= 0xFFFFFFFF or not 0 <= int(gain_count) <= 0xFFFFFFFF:
            raise UsageError("tuner_type and gain_count must fit in an unsigned 32-bit number")
        if chunk_samples is not None and not 1 <= int(chunk_samples) <= 1 << 20:
            raise UsageError(f"chunk_samples must be 1 to {1 << 20}, got {chunk_samples!r}")
        self.recording = recording
        self.host = str(host)
        self.port = int(port)
        self.realtime = bool(realtime)
        self.loop = bool(loop)
        self.tuner_type = int(tuner_type)
        self.gain_count = int(gain_count)
        self.chunk_samples = None if chunk_samples is None else int(chunk_samples)
        self.clients_served = 0
        self.samples_sent = 0
        self._sink = _LOG if log is None else log
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    # -- logging ------------------------------------------------------------------------------
    def _log(self, message: str, level: int = logging.INFO) -> None:
        sink = self._sink
        try:
            if not callable(sink):
                sink.log(level, message)  # a logging.Logger, or the logging module
            elif level > logging.DEBUG:
                sink(message)
        except Exception:  # noqa: BLE001 - a broken log sink must not kill the server
            _LOG.exception("rtl_tcp server: log sink failed")

    # -- life cycle ---------------------------------------------------------------------------
    @property
    def address(self) -> str:
        """``host:port`` being served (the port is the real one once listening)."""
        return format_peer(self.host, self.port)

    @property
    def running(self) -> bool:
        """True while listening."""
        return self._listener is not None

    def _listen(self) -> None:
        with self._lock:
            if self._listener is not None:
                raise UsageError(f"rtl_tcp server {self.address} is already running")
            try:
                infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
                family = infos[0][0]
                listener = socket.create_server((self.host, self.port), family=family, backlog=1)
            except OSError as e:
                raise DetectorError(
                    f"rtl_tcp server: cannot listen on {self.address}: {e.strerror or e}"
                    f"{' (is another rtl_tcp running? pick another port)' if self.port else ''}"
                ) from e
            self.port = listener.getsockname()[1]
            self._listener = listener
            self._stop.clear()
        seg0 = self.recording.segments[0]
        self._log(
            f"listening on {self.address} (rtl_tcp={self.address}), serving {self.recording.name}: "
            f"{len(self.recording.segments)} segment(s), {self.recording.fmt.name} at {seg0.sample_rate_hz:.0f} S/s, "
            f"{'real time' if self.realtime else 'as fast as the client reads'}{', looping' if self.loop else ''}; "
            f"announcing tuner {TUNER_NAMES.get(self.tuner_type, self.tuner_type)}"
        )

    def start(self) -> RtlTcpServer:
        """Listen, then serve clients in a background thread; returns once listening.

        Raises
        ------
        DetectorError
            If the address cannot be listened on (port in use, bad host).
        """
        self._listen()
        self._thread = threading.Thread(target=self._run, name=f"rtl_tcp server {self.address}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Listen (if not started) and serve clients in this thread until `stop` or Ctrl-C."""
        if self._listener is None:
            self._listen()
        self._run()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop serving, close the client and listening sockets; waits at most `timeout_s` seconds."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=timeout_s)
            if thread.is_alive():
                self._log(f"rtl_tcp server thread did not stop within {timeout_s:g} s", logging.WARNING)
        self._thread = None
        self._close_listener()

    def _close_listener(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    def __enter__(self) -> RtlTcpServer:
        if self._listener is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- serving ------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                listener = self._listener
                if listener is None:
                    break
                ready, _, _ = select.select([listener], [], [], _POLL_S)
                if not ready or self._stop.is_set():
                    continue
                try:
                    conn, addr = listener.accept()
                except OSError:
                    continue
                self._session(conn, format_peer(*addr[:2]))
        finally:
            if self._thread is None or self._thread is threading.current_thread():
                self._close_listener()

    def _refuse(self, listener: socket.socket, serving: str) -> None:
        try:
            conn, addr = listener.accept()
        except OSError:
            return
        self._log(f"refused client {format_peer(*addr[:2])}: already serving {serving} "
                  f"(one client at a time, like rtl_tcp)", logging.WARNING)
        conn.close()

    def _chunk_samples(self, rate: float) -> int:
        if self.chunk_samples is not None:
            return self.chunk_samples
        if not self.realtime:
            return 1 << 16
        return int(min(1 << 16, max(512, rate / 200))) & ~1

    def _session(self, conn: socket.socket, who: str) -> None:
        """Serve one client until it disconnects, the recording ends (no loop) or `stop`."""
        self.clients_served += 1
        self.samples_sent = 0
        self._log(f"client accepted: {who}")
        player = _Player(self.recording, self.loop, self._log)
        pending, off = b"", 0
        commands = bytearray()
        next_due = time.monotonic()
        sent_bytes = 0
        reason = "server stopped"
        try:
            conn.settimeout(5.0)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if not self.realtime:  # bound what sits in kernel buffers, so a retune shows soon after
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 17)
            conn.sendall(encode_header(self.tuner_type, self.gain_count))
            conn.setblocking(False)
            # Hold the stream until the client's first retune (clients send their settings right after
            # the header) or a short grace: otherwise, sending as fast as the client reads, a whole short
            # segment could sit in the socket before the client has said which frequency it wants.
            hold_until = time.monotonic() + _FIRST_COMMAND_GRACE_S
            ended_at = None
            while not self._stop.is_set():
                now = time.monotonic()
                if hold_until is not None and now >= hold_until:
                    hold_until = None
                    next_due = now
                if hold_until is None and off >= len(pending) and (not self.realtime or now >= next_due):
                    if self.realtime and now - next_due > 0.5:
                        next_due = now  # the client fell behind: do not burst to catch up
                    chunk = player.next_chunk(self._chunk_samples(player.rate))
                    if chunk is None:
                        # End of this segment: a sweeping client may still retune to another one.
                        ended_at = ended_at or now
                        if now - ended_at >= _END_GRACE_S:
                            reason = f"end of recording after {self.samples_sent} samples"
                            self._log(f"end of recording: closing client {who} ({self.samples_sent} samples "
                                      f"sent; no retune within {_END_GRACE_S:g} s)")
                            return
                        next_due = now + _POLL_S
                    else:
                        ended_at = None
                        pending, off = chunk, 0
                        next_due += len(chunk) / 2 / player.rate
                want_write = off < len(pending)
                timeout = _POLL_S if want_write else min(_POLL_S, max(0.0, next_due - time.monotonic()))
                listener = self._listener
                rlist = [conn] if listener is None else [conn, listener]
                readable, writable, _ = select.select(rlist, [conn] if want_write else [], [], timeout)
                if conn in readable:
                    try:
                        data = conn.recv(4096)
                    except BlockingIOError:
                        data = None
                    if data == b"":
                        reason = f"disconnected after {self.samples_sent} samples"
                        return
                    if data:
                        commands += data
                        while len(commands) >= COMMAND_LEN:
                            command, param = decode_command(commands[:COMMAND_LEN])
                            del commands[:COMMAND_LEN]
                            changed = self._command(player, command, param)
                            if command == Command.SET_FREQ and hold_until is not None:
                                hold_until = time.monotonic()  # the client said where: start streaming
                            if changed:
                                ended_at = None
                            if changed and off < len(pending):
                                # Drop what was prepared for the old tuning, at a whole sample.
                                keep = off + (off & 1)
                                next_due -= (len(pending) - keep) / 2 / player.rate
                                pending = pending[:keep]
                if listener is not None and listener in readable:
                    self._refuse(listener, who)
                if conn in writable and off < len(pending):
                    try:
                        n = conn.send(memoryview(pending)[off:])
                    except BlockingIOError:
                        n = 0
                    off += n
                    sent_bytes += n
                    self.samples_sent = sent_bytes // 2
        except OSError as e:  # reset, broken pipe, timeout
            reason = f"connection lost ({getattr(e, 'strerror', None) or e}) after {self.samples_sent} samples"
        except DetectorError as e:
            reason = f"stopped serving: {e}"
            self._log(f"error reading the recording: {e}", logging.ERROR)
        except Exception as e:  # noqa: BLE001 - one bad session must not take the server down
            reason = f"internal error {e!r}"
            _LOG.exception("rtl_tcp server: session with %s failed", who)
        finally:
            player.close()
            try:
                conn.close()
            except OSError:
                pass
            self._log(f"client {who}: {reason}; waiting for the next client")

    def _command(self, player: _Player, command: int, param: int) -> bool:
        """Apply (or log and ignore) one client command; True when the stream changed."""
        rate = player.rate
        if command == Command.SET_FREQ:
            return player.tune(float(param))
        if command == Command.SET_SAMPLE_RATE:
            if abs(param - rate) >= 0.5:
                self._log(f"client asked for {param} S/s; serving the recording's {rate:.0f} S/s "
                          f"(a recording cannot be resampled here)", logging.WARNING)
            else:
                self._log(f"client set sample rate {param} S/s", logging.DEBUG)
            return False
        ignored = "(ignored: a recording's gain and tuning were fixed when it was made)"
        if command == Command.SET_GAIN_MODE:
            self._log(f"client set gain mode {'manual' if param else 'automatic'} {ignored}")
        elif command == Command.SET_GAIN:
            self._log(f"client set gain {_signed(param) / 10:.1f} dB {ignored}")
        elif command == Command.SET_FREQ_CORRECTION:
            self._log(f"client set frequency correction {_signed(param)} ppm {ignored}")
        elif command == Command.SET_IF_GAIN:
            gain = (param & 0xFFFF) - (0x10000 if param & 0x8000 else 0)
            self._log(f"client set IF stage {param >> 16} gain {gain / 10:.1f} dB {ignored}")
        elif command == Command.SET_GAIN_BY_INDEX:
            self._log(f"client set gain index {param} {ignored}")
        elif command in iter(Command):
            self._log(f"client set {Command(command).name.lower().replace('set_', '').replace('_', ' ')} "
                      f"{param} {ignored}")
        else:
            self._log(f"client sent unknown command 0x{command:02x} (parameter {param}); ignored, as rtl_tcp does")
        return False
