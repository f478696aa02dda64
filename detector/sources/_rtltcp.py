"""The rtl_tcp protocol (osmocom rtl-sdr ``src/rtl_tcp.c``) and `RtlTcpSource`, its client.

Wire format, as ``rtl_tcp.c`` implements it:

* On accepting a client the server sends a 12-byte ``dongle_info_t``: the magic ``b"RTL0"``, then the
  tuner type and the number of tuner gains, each a big-endian ``uint32`` (``htonl``).
* Then it streams raw ``cu8`` samples (interleaved unsigned 8-bit I, Q) without any framing, for as
  long as the client stays connected.
* The client controls the dongle with 5-byte commands: one command byte then a big-endian ``uint32``
  parameter (``struct command { unsigned char cmd; unsigned int param; } __attribute__((packed))``,
  parameter read with ``ntohl``). Signed parameters (gain, ppm) travel as two's complement: the server
  passes the ``uint32`` on to ``int`` arguments of librtlsdr.

Commands (``command_worker`` in ``rtl_tcp.c``): 0x01 centre frequency (Hz), 0x02 sample rate (S/s),
0x03 gain mode (0 automatic, 1 manual), 0x04 tuner gain (tenths of a dB), 0x05 frequency correction
(ppm), 0x06 IF gain (``stage << 16 | (gain & 0xffff)``, gain in tenths of a dB), 0x07 test mode, 0x08
RTL2832 digital AGC, 0x09 direct sampling (0 off, 1 I branch, 2 Q branch), 0x0a offset tuning, 0x0b RTL
crystal (Hz), 0x0c tuner crystal (Hz), 0x0d tuner gain by index, 0x0e bias tee. The server never
answers a command: a refused setting (an unsupported rate, an out-of-range frequency) only shows as
wrong samples, so this client validates every setting before sending it.

Do not confuse this with pyrtlsdr's ``RtlSdrTcpClient``/``RtlSdrTcpServer``, which speak their own
JSON protocol and cannot talk to ``rtl_tcp``.
"""

from __future__ import annotations

import collections
import enum
import math
import select
import socket
import struct
import threading
import time

import numpy as np

from ..errors import DeviceError, PeerError, PeerLostError, UsageError
from ._base import TunableSource
from ._block import IQBlock
from ._convert import to_complex64

__all__ = [
    "DEFAULT_PORT",
    "HEADER_MAGIC",
    "HEADER_LEN",
    "COMMAND_LEN",
    "Command",
    "TUNER_NAMES",
    "TUNER_RANGES_HZ",
    "SAMPLE_RATE_RANGES_SPS",
    "MAX_FREQ_HZ",
    "RtlTcpSource",
    "check_sample_rate",
    "check_tuner_freq",
    "decode_command",
    "encode_command",
    "encode_header",
    "parse_header",
    "format_peer",
]

#: rtl_tcp's default listening port (``-p``).
DEFAULT_PORT = 1234
#: First four bytes the server sends (``dongle_info_t.magic``).
HEADER_MAGIC = b"RTL0"
#: Bytes of ``dongle_info_t``: magic, tuner type, tuner gain count.
HEADER_LEN = 12
#: Bytes of one command: ``cmd`` (1) + ``param`` (4, big-endian).
COMMAND_LEN = 5
#: The frequency travels as a uint32 number of Hz.
MAX_FREQ_HZ = 2**32 - 1

_HEADER = struct.Struct(">4sII")
_COMMAND = struct.Struct(">BI")


class Command(enum.IntEnum):
    """rtl_tcp command bytes (``command_worker`` in ``rtl_tcp.c``)."""

    SET_FREQ = 0x01
    SET_SAMPLE_RATE = 0x02
    SET_GAIN_MODE = 0x03
    SET_GAIN = 0x04
    SET_FREQ_CORRECTION = 0x05
    SET_IF_GAIN = 0x06
    SET_TEST_MODE = 0x07
    SET_AGC_MODE = 0x08
    SET_DIRECT_SAMPLING = 0x09
    SET_OFFSET_TUNING = 0x0A
    SET_RTL_XTAL = 0x0B
    SET_TUNER_XTAL = 0x0C
    SET_GAIN_BY_INDEX = 0x0D
    SET_BIAS_TEE = 0x0E


#: ``enum rtlsdr_tuner`` in librtlsdr's ``rtl-sdr.h``, as sent in the header.
TUNER_NAMES = {0: "unknown", 1: "E4000", 2: "FC0012", 3: "FC0013", 4: "FC2580", 5: "R820T", 6: "R828D"}

#: Nominal tuning ranges per tuner type, in Hz (the osmocom rtl-sdr wiki's table; the drivers
#: themselves do not refuse, but the PLL does not lock, or the front end is deaf, outside them).
TUNER_RANGES_HZ: dict[int, tuple[tuple[float, float], ...]] = {
    1: ((52e6, 1100e6), (1250e6, 2200e6)),  # E4000, with its gap at 1100-1250 MHz
    2: ((22e6, 948.6e6),),  # FC0012
    3: ((22e6, 1100e6),),  # FC0013
    4: ((146e6, 308e6), (438e6, 924e6)),  # FC2580
    5: ((24e6, 1766e6),),  # R820T / R820T2
    6: ((24e6, 1766e6),),  # R828D
}

#: Rates the RTL2832U resampler accepts, inclusive, in S/s (``rtlsdr_set_sample_rate`` refuses
#: ``rate <= 225000 || rate > 3200000 || (rate > 300000 && rate <= 900000)``).
SAMPLE_RATE_RANGES_SPS = ((225_001, 300_000), (900_001, 3_200_000))


def format_peer(host: str, port: int) -> str:
    """``host:port`` with an IPv6 literal in brackets (``[::1]:1234``)."""
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def encode_command(command: int, param: int) -> bytes:
    """Encode one 5-byte rtl_tcp command.

    Parameters
    ----------
    command : int or Command
        Command byte, 0 to 255.
    param : int
        Parameter, -2**31 to 2**32 - 1; negative values (gain, ppm) are sent as two's complement, which
        ``rtl_tcp.c`` turns back into a negative ``int``.

    Returns
    -------
    bytes
        ``command`` then ``param`` as a big-endian uint32.

    Raises
    ------
    UsageError
        If either value does not fit.

    Examples
    --------
    >>> encode_command(Command.SET_FREQ, 947_400_000).hex()
    '0138782d40'
    >>> encode_command(Command.SET_GAIN, 297).hex()
    '0400000129'
    >>> encode_command(Command.SET_FREQ_CORRECTION, -3).hex()
    '05fffffffd'
    """
    command, param = int(command), int(param)
    if not 0 <= command <= 0xFF:
        raise UsageError(f"rtl_tcp command byte must be 0 to 255, got {command}")
    if not -(2**31) <= param <= 2**32 - 1:
        raise UsageError(f"rtl_tcp command 0x{command:02x}: parameter {param} does not fit in 32 bits")
    return _COMMAND.pack(command, param & 0xFFFFFFFF)


def decode_command(data: bytes) -> tuple[int, int]:
    """Split a 5-byte command into (command byte, unsigned parameter).

    Examples
    --------
    >>> decode_command(bytes.fromhex('0400000129'))
    (4, 297)
    """
    if len(data) != COMMAND_LEN:
        raise UsageError(f"an rtl_tcp command is {COMMAND_LEN} bytes, got {len(data)}")
    command, param = _COMMAND.unpack(bytes(data))
    return command, param


def encode_header(tuner_type: int = 5, gain_count: int = 29) -> bytes:
    """The 12-byte header a server sends first: ``b"RTL0"``, tuner type, tuner gain count.

    Examples
    --------
    >>> encode_header(5, 29).hex()
    '52544c30000000050000001d'
    """
    return _HEADER.pack(HEADER_MAGIC, int(tuner_type), int(gain_count))


def _header_problem(peer: str) -> str:
    return f"{peer}: expected the {HEADER_LEN}-byte rtl_tcp header starting {HEADER_MAGIC!r}, got"


def parse_header(data: bytes, peer: str = "rtl_tcp") -> tuple[int, int]:
    """Check and decode the 12-byte rtl_tcp header.

    Parameters
    ----------
    data : bytes
        The first 12 bytes the server sent.
    peer : str
        Names the server in error messages (``rtl_tcp 127.0.0.1:1234``).

    Returns
    -------
    tuner_type : int
        ``enum rtlsdr_tuner`` value (see `TUNER_NAMES`).
    gain_count : int
        Number of discrete tuner gains.

    Raises
    ------
    PeerError
        If `data` is not 12 bytes or does not start with ``b"RTL0"``.

    Examples
    --------
    >>> parse_header(bytes.fromhex('52544c30000000050000001d'))
    (5, 29)
    """
    data = bytes(data)
    prefix = data[: len(HEADER_MAGIC)]
    if prefix != HEADER_MAGIC[: len(prefix)]:
        raise PeerError(f"{_header_problem(peer)} {data!r}; is this an rtl_tcp server?")
    if len(data) != HEADER_LEN:
        raise PeerError(f"{_header_problem(peer)} {len(data)} bytes {data!r}")
    _, tuner_type, gain_count = _HEADER.unpack(data)
    return tuner_type, gain_count


def _ranges_text(ranges, scale: float, unit: str) -> str:
    def num(x):
        return f"{int(x)}" if scale == 1 else f"{x / scale:g}"

    return " and ".join(f"{num(lo)}-{num(hi)} {unit}" for lo, hi in ranges)


def check_sample_rate(sample_rate_hz: float) -> int:
    """Validate an RTL2832U sample rate and return it as a whole number of S/s.

    Parameters
    ----------
    sample_rate_hz : float
        Complex sample rate in S/s.

    Returns
    -------
    int
        The rate rounded to 1 S/s (rtl_tcp sends it as a uint32).

    Raises
    ------
    DeviceError
        Outside ``SAMPLE_RATE_RANGES_SPS``; the message lists the valid ranges.

    Examples
    --------
    >>> check_sample_rate(2.4e6)
    2400000
    >>> check_sample_rate(500e3)
    Traceback (most recent call last):
    ...
    detector.errors.DeviceError: sample rate 500000 S/s is not supported by the RTL2832U; valid rates are \
225001-300000 S/s and 900001-3200000 S/s
    """
    try:
        rate = float(sample_rate_hz)
    except (TypeError, ValueError):
        rate = math.nan
    ranges = _ranges_text(SAMPLE_RATE_RANGES_SPS, 1, "S/s")
    if not math.isfinite(rate):
        raise DeviceError(f"sample rate {sample_rate_hz!r} is not a number; valid rates are {ranges}")
    r = int(round(rate))
    if not any(lo <= r <= hi for lo, hi in SAMPLE_RATE_RANGES_SPS):
        raise DeviceError(f"sample rate {r} S/s is not supported by the RTL2832U; valid rates are {ranges}")
    return r


def check_tuner_freq(center_freq_hz: float, tuner_type: int = 0) -> int:
    """Validate a centre frequency for rtl_tcp (and for the tuner, when its type is known).

    Parameters
    ----------
    center_freq_hz : float
        Frequency in Hz.
    tuner_type : int
        ``enum rtlsdr_tuner`` value from the header; 0 (unknown) checks only the protocol's range.

    Returns
    -------
    int
        The frequency rounded to 1 Hz (rtl_tcp sends it as a uint32).

    Raises
    ------
    DeviceError
        Outside 1 to 2**32 - 1 Hz, or outside the tuner's nominal range (the message gives it).

    Examples
    --------
    >>> check_tuner_freq(947.4e6, 5)
    947400000
    >>> check_tuner_freq(2.14e9, 5)
    Traceback (most recent call last):
    ...
    detector.errors.DeviceError: 2140.000 MHz is outside the R820T tuner's range 24-1766 MHz
    """
    try:
        f = float(center_freq_hz)
    except (TypeError, ValueError):
        f = math.nan
    if not (math.isfinite(f) and 1 <= round(f) <= MAX_FREQ_HZ):
        raise DeviceError(
            f"centre frequency {center_freq_hz!r} Hz cannot be sent: rtl_tcp carries it as an unsigned "
            f"32-bit number of Hz, 1 to {MAX_FREQ_HZ} Hz"
        )
    hz = int(round(f))
    ranges = TUNER_RANGES_HZ.get(int(tuner_type))
    if ranges and not any(lo <= hz <= hi for lo, hi in ranges):
        raise DeviceError(
            f"{hz / 1e6:.3f} MHz is outside the {TUNER_NAMES[int(tuner_type)]} tuner's range "
            f"{_ranges_text(ranges, 1e6, 'MHz')}"
        )
    return hz


class RtlTcpSource(TunableSource):
    """A remote RTL-SDR served by ``rtl_tcp`` (or by `RtlTcpServer`), as a `TunableSource`.

    Connecting reads the 12-byte header; a background thread then reads the sample stream into a
    bounded queue of raw byte chunks, so the TCP connection keeps draining while the caller analyses.
    When the caller falls behind by more than `queue_bytes`, the oldest chunks are dropped and
    counted (``IQBlock.dropped``, ``stats.dropped``): never silently. Each retune flushes what was
    queued (those samples are from the old frequency; counted in ``stats.discarded``) and then
    discards `settle_samples` more.

    Parameters
    ----------
    host : str
        Server address (rtl_tcp's ``-a``); default ``127.0.0.1``.
    port : int
        Server port (rtl_tcp's ``-p``); default 1234.
    connect_timeout_s : float
        Seconds to wait for the TCP connection and then for the 12-byte header.
    stall_timeout_s : float
        Seconds without a byte from the server after which the source is declared lost.
    settle_samples : int
        Samples discarded after each retune. rtl_sdr users discard about 2k, but over rtl_tcp the
        samples captured before the retune are still in flight: librtlsdr's USB transfers (rtl_tcp
        uses 256 KiB = 131072 samples each) and the TCP send/receive buffers (up to ~128k samples on
        loopback). The default, 2**18 samples (0.11 s at 2.4 MS/s), covers both.
    queue_bytes : int
        Bound of the receive queue in bytes (2 per sample); the default 16 MiB holds 3.5 s at 2.4 MS/s.
    recv_bytes : int
        Largest single ``recv`` in bytes.
    check_tuner_range : bool
        Refuse frequencies outside the tuner's nominal range (`TUNER_RANGES_HZ`) when the header
        names the tuner; the check is skipped in direct-sampling mode.

    Attributes
    ----------
    tuner_type : str
        Tuner name from the header (``R820T``, ``E4000``, ... or ``unknown``).
    tuner_type_code : int
        The header's ``enum rtlsdr_tuner`` value.
    gain_count : int
        Number of discrete tuner gains the header announced.
    ppm : int
        Frequency correction last sent (ppm).

    Raises
    ------
    PeerLostError
        If the server cannot be reached (exit code 3).
    PeerError
        If it does not send an rtl_tcp header (exit code 1).

    See Also
    --------
    RtlTcpServer : serves a recording through this protocol.

    Notes
    -----
    rtl_tcp never acknowledges a command; a setting it could not apply is invisible to the client,
    which is why rates and frequencies are checked here first. The real ``rtl_tcp`` also drops its
    oldest buffers when the client reads too slowly (``llbuf_num``), without telling the client;
    reading eagerly in a thread moves that loss here, where it is counted. Gains are requested, not
    confirmed: librtlsdr picks the nearest of the tuner's `gain_count` gains.

    Blocks from `read_block` carry the exact bytes received in ``block.meta["cu8"]``, so a recorder
    can write them unchanged (`from_complex64` of the samples gives the same bytes).

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from detector.sources import open_recording
    >>> from detector.sources._rtltcp_server import RtlTcpServer
    >>> path = os.path.join(tempfile.mkdtemp(), "doc_947.4M_2.4M.cu8")
    >>> np.random.default_rng(1).integers(0, 256, 100_000, dtype=np.uint8).tofile(path)
    >>> with RtlTcpServer(open_recording(path), port=0, realtime=False, loop=True, log=lambda msg: None) as srv:
    ...     with RtlTcpSource("127.0.0.1", srv.port) as sdr:
    ...         sdr.set_sample_rate(2.4e6)
    ...         sdr.tune(947.4e6)
    ...         block = sdr.read_block(4096)
    >>> sdr.tuner_type, len(block), block.samples.dtype, len(block.meta["cu8"])
    ('R820T', 4096, dtype('complex64'), 8192)
    """

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, connect_timeout_s: float = 5.0,
                 stall_timeout_s: float = 5.0, settle_samples: int = 1 << 18, queue_bytes: int = 16 << 20,
                 recv_bytes: int = 1 << 16, check_tuner_range: bool = True):
        super().__init__()
        self.host = str(host)
        try:
            self.port = int(port)
        except (TypeError, ValueError):
            self.port = -1
        if not 1 <= self.port <= 65535:
            raise UsageError(f"rtl_tcp port must be 1 to 65535, got {port!r}")
        for what, value in (("connect_timeout_s", connect_timeout_s), ("stall_timeout_s", stall_timeout_s)):
            try:
                ok = float(value) > 0 and math.isfinite(float(value))
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise UsageError(f"rtl_tcp {what} must be a positive number of seconds, got {value!r}")
        if int(settle_samples) < 0:
            raise UsageError(f"settle_samples must be >= 0, got {settle_samples!r}")
        if int(queue_bytes) < 2 or int(recv_bytes) < 1:
            raise UsageError(f"queue_bytes must be >= 2 and recv_bytes >= 1, got {queue_bytes!r}, {recv_bytes!r}")
        self.address = format_peer(self.host, self.port)
        self.name = f"rtl_tcp:{self.address}"
        self._peer = f"rtl_tcp {self.address}"
        self.connect_timeout_s = float(connect_timeout_s)
        self.stall_timeout_s = float(stall_timeout_s)
        self.settle_samples = int(settle_samples)
        self.check_tuner_range = bool(check_tuner_range)
        self._queue_bytes = int(queue_bytes)
        self._recv_bytes = int(recv_bytes)

        self.tuner_type_code = 0
        self.gain_count = 0
        self.ppm = 0
        self.direct_sampling = 0
        self.bias_tee = False
        self.agc = False

        self._cond = threading.Condition()
        self._chunks: collections.deque[bytes] = collections.deque()
        self._queued = 0  # bytes in _chunks not yet consumed
        self._head_off = 0  # bytes of _chunks[0] already consumed (always even)
        self._bytes_received = 0
        self._dropped_pending = 0  # samples dropped since the last read
        self._dropped_total = 0
        self._paused = False  # samples are not wanted until the next retune (`pause`)
        self._paused_samples = 0
        self._error: PeerError | None = None
        self._stop = threading.Event()
        self._last_raw = b""
        self._io_lock = threading.Lock()  # socket reads: the reader thread vs a retune's drain
        self._carry = b""  # first byte of an I/Q pair split across recv() calls
        self._last_rx = time.monotonic()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._connect()

    # -- description --------------------------------------------------------------------------
    @property
    def tuner_type(self) -> str:
        """Tuner name from the header (``unknown (N)`` for a value librtlsdr does not define)."""
        return TUNER_NAMES.get(self.tuner_type_code, f"unknown ({self.tuner_type_code})")

    @property
    def samples_received(self) -> int:
        """Whole samples received since connecting (delivered, queued, discarded or dropped)."""
        return self._bytes_received // 2

    @property
    def queued_samples(self) -> int:
        """Samples received and waiting to be read."""
        return self._queued // 2

    @property
    def dropped_total(self) -> int:
        """Samples dropped by queue overflow since connecting."""
        return self._dropped_total

    # -- connection ---------------------------------------------------------------------------
    def _connect(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
        except TimeoutError as e:
            raise PeerLostError(
                f"{self._peer}: cannot connect: timed out after {self.connect_timeout_s:g} s (is rtl_tcp running?)"
            ) from e
        except OSError as e:
            reason = e.strerror or str(e) or type(e).__name__
            raise PeerLostError(f"{self._peer}: cannot connect: {reason} (is rtl_tcp running?)") from e
        try:
            header = self._read_header(sock)
            self.tuner_type_code, self.gain_count = parse_header(header, self._peer)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # Blocking with a timeout: bounds sendall() of commands; the reader polls with select().
            sock.settimeout(self.stall_timeout_s)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self._last_rx = time.monotonic()
        self._thread = threading.Thread(target=self._reader, name=f"{self.name} reader", daemon=True)
        self._thread.start()

    def _read_header(self, sock: socket.socket) -> bytes:
        """Read exactly `HEADER_LEN` bytes (``dongle_info_t``), or raise PeerError saying what came."""
        buf = b""
        deadline = time.monotonic() + self.connect_timeout_s
        while len(buf) < HEADER_LEN:
            if len(buf) >= len(HEADER_MAGIC) and buf[:4] != HEADER_MAGIC:
                break  # parse_header reports the wrong magic
            left = deadline - time.monotonic()
            if left <= 0:
                raise PeerError(
                    f"{_header_problem(self._peer)} {len(buf)} bytes {buf!r} in {self.connect_timeout_s:g} s "
                    f"(is another client connected? rtl_tcp serves one at a time)"
                )
            sock.settimeout(left)
            try:
                data = sock.recv(HEADER_LEN - len(buf))
            except TimeoutError:
                continue
            except OSError as e:
                raise PeerLostError(
                    f"{self._peer}: connection lost while reading the header: {e.strerror or e}"
                ) from e
            if not data:
                hint = " (server busy with another client, or not an rtl_tcp server?)" if not buf else ""
                raise PeerError(
                    f"{_header_problem(self._peer)} {len(buf)} bytes {buf!r} before the connection closed{hint}"
                )
            buf += data
        return buf

    def _reader(self) -> None:
        """Background thread: socket -> queue, keeping I/Q pairs whole and counting overflow."""
        sock = self._sock
        poll_s = min(0.2, self.stall_timeout_s / 4)
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([sock], [], [], poll_s)
                if not ready:
                    if time.monotonic() - self._last_rx >= self.stall_timeout_s:
                        self._fail(PeerLostError(
                            f"{self._peer}: no samples for {self.stall_timeout_s:.1f} s (stalled) after "
                            f"{self.samples_received} samples"
                        ))
                        return
                    continue
                with self._io_lock:  # a retune may have drained the socket since select() returned
                    if self._stop.is_set():
                        return
                    if not select.select([sock], [], [], 0)[0]:
                        continue
                    data = self._take(sock.recv(self._recv_bytes))
                    if data is None:
                        return
                    if data:
                        self._push(data)
            except (OSError, ValueError) as e:  # ValueError: select on a closed socket
                if not self._stop.is_set():
                    reason = getattr(e, "strerror", None) or str(e)
                    self._fail(PeerLostError(
                        f"{self._peer}: connection lost ({reason}) after {self.samples_received} samples"
                    ))
                return

    def _take(self, data: bytes) -> bytes | None:
        """Account for bytes just received; returns the whole samples among them, None at end of stream.

        An I/Q pair split across ``recv()`` calls keeps its first byte in ``_carry`` for the next call.
        Called with ``_io_lock`` held.
        """
        if not data:
            self._fail(PeerLostError(f"{self._peer}: connection closed by peer after {self.samples_received} samples"))
            return None
        self._last_rx = time.monotonic()
        self._bytes_received += len(data)
        if self._carry:
            data = self._carry + data
            self._carry = b""
        if len(data) & 1:
            self._carry = data[-1:]
            data = data[:-1]
        return data

    def _push(self, data: bytes) -> None:
        with self._cond:
            if self._paused:
                self._paused_samples += len(data) // 2
                return
            self._chunks.append(data)
            self._queued += len(data)
            while self._queued > self._queue_bytes and len(self._chunks) > 1:
                old = self._chunks.popleft()
                lost = len(old) - self._head_off
                self._head_off = 0
                self._queued -= lost
                self._dropped_pending += lost // 2
                self._dropped_total += lost // 2
            self._cond.notify_all()

    def _fail(self, error: PeerError) -> None:
        with self._cond:
            if self._error is None:
                self._error = error
            self._cond.notify_all()

    def _flush(self) -> int:
        """Forget every sample received so far (they predate a retune); returns how many.

        Drains what already sits in the socket's receive buffer as well, so the only stale samples
        left are those still in flight from the server (covered by `settle_samples`).
        """
        n = 0
        with self._io_lock:
            sock = self._sock
            try:
                for _ in range(256):  # bounded: a fast server could keep the socket readable
                    if sock is None or not select.select([sock], [], [], 0)[0]:
                        break
                    data = self._take(sock.recv(1 << 20))
                    if data is None:
                        break
                    n += len(data) // 2
            except (OSError, ValueError):
                pass  # the reader reports the lost connection
            with self._cond:
                n += self._queued // 2 + self._paused_samples
                self._chunks.clear()
                self._queued = 0
                self._head_off = 0
                self._paused, self._paused_samples = False, 0
        self.stats.discarded += n
        return n

    def pause(self) -> None:
        """The samples arriving until the next retune are not wanted (a scan waiting for its workers between
        two steps): they are discarded as they come (``stats.discarded``) instead of filling the queue, whose
        overflow would count them as dropped."""
        with self._cond:
            self._paused = True
            n = self._queued // 2
            self._chunks.clear()
            self._queued = 0
            self._head_off = 0
            self._paused_samples += n

    def send_command(self, command: int, param: int) -> None:
        """Send one 5-byte command (see `Command`); rtl_tcp sends no reply.

        Raises
        ------
        PeerLostError
            If the connection is gone or the server does not take the bytes within `stall_timeout_s`.
        """
        self._check_open()
        data = encode_command(command, param)
        try:
            self._sock.sendall(data)
        except TimeoutError as e:
            raise PeerLostError(
                f"{self._peer}: command 0x{data[0]:02x} not accepted within {self.stall_timeout_s:.1f} s (stalled)"
            ) from e
        except OSError as e:
            raise PeerLostError(
                f"{self._peer}: connection lost sending command 0x{data[0]:02x} ({e.strerror or e}) after "
                f"{self.samples_received} samples"
            ) from e

    # -- settings -----------------------------------------------------------------------------
    def set_sample_rate(self, sample_rate_hz: float) -> None:
        """Set the sample rate in S/s (command 0x02) and forget samples queued at the old rate.

        Raises
        ------
        DeviceError
            Outside 225001-300000 or 900001-3200000 S/s (librtlsdr would refuse it silently).
        """
        self._check_open()
        rate = check_sample_rate(sample_rate_hz)
        self.send_command(Command.SET_SAMPLE_RATE, rate)
        self._flush()
        self.sample_rate_hz = float(rate)

    def _set_center_freq(self, center_freq_hz: float) -> None:
        """Send command 0x01 with the frequency in Hz, then forget the samples queued before it."""
        tuner = self.tuner_type_code if self.check_tuner_range and not self.direct_sampling else 0
        hz = check_tuner_freq(center_freq_hz, tuner)
        self.send_command(Command.SET_FREQ, hz)
        self._flush()

    def set_gain(self, gain_db: float | None) -> None:
        """Set the tuner gain in dB (0x03 manual + 0x04 in tenths of a dB); None selects automatic gain (0x03 0).

        librtlsdr uses the nearest gain the tuner supports (`gain_count` of them).
        """
        self._check_open()
        if gain_db is None:
            self.send_command(Command.SET_GAIN_MODE, 0)
            self.gain_db = None
            return
        g = float(gain_db)
        if not (math.isfinite(g) and -100 <= g <= 100):
            raise DeviceError(
                f"{self._peer}: gain must be a number of dB from -100 to 100 or None (auto), got {gain_db!r}"
            )
        self.send_command(Command.SET_GAIN_MODE, 1)
        self.send_command(Command.SET_GAIN, round(g * 10))
        self.gain_db = g

    def set_ppm(self, ppm: int) -> None:
        """Set the crystal frequency correction in whole ppm (command 0x05, like ``rtl_sdr -p``)."""
        self._check_open()
        if isinstance(ppm, bool) or not isinstance(ppm, (int, float, np.integer, np.floating)) or ppm != int(ppm):
            raise UsageError(f"{self._peer}: ppm must be a whole number (rtl_tcp sends an integer), got {ppm!r}")
        if abs(int(ppm)) > 10_000:
            raise UsageError(f"{self._peer}: ppm must be within +-10000, got {ppm!r}")
        self.send_command(Command.SET_FREQ_CORRECTION, int(ppm))
        self.ppm = int(ppm)

    def set_bias_tee(self, on: bool) -> None:
        """Switch the 4.5 V antenna bias tee (command 0x0e; rtl-sdr.com V3 and similar dongles)."""
        self._check_open()
        self.send_command(Command.SET_BIAS_TEE, 1 if on else 0)
        self.bias_tee = bool(on)

    def set_direct_sampling(self, mode: int) -> None:
        """Set direct sampling (command 0x09): 0 off, 1 I branch, 2 Q branch (HF below 28.8 MHz).

        While it is on, the tuner-range check of `tune` is skipped.
        """
        self._check_open()
        if isinstance(mode, bool) or mode not in (0, 1, 2):
            raise UsageError(f"{self._peer}: direct sampling mode must be 0 (off), 1 (I) or 2 (Q), got {mode!r}")
        self.send_command(Command.SET_DIRECT_SAMPLING, int(mode))
        self.direct_sampling = int(mode)

    def set_agc(self, on: bool) -> None:
        """Switch the RTL2832's digital AGC (command 0x08); tuner AGC is ``set_gain(None)``."""
        self._check_open()
        self.send_command(Command.SET_AGC_MODE, 1 if on else 0)
        self.agc = bool(on)

    def set_gain_index(self, index: int) -> None:
        """Select the tuner gain by its index, 0 to `gain_count` - 1 (command 0x0d)."""
        self._check_open()
        if not 0 <= int(index) < max(self.gain_count, 1):
            raise DeviceError(f"{self._peer}: gain index must be 0 to {self.gain_count - 1}, got {index!r}")
        self.send_command(Command.SET_GAIN_MODE, 1)
        self.send_command(Command.SET_GAIN_BY_INDEX, int(index))

    def set_if_gain(self, stage: int, gain_db: float) -> None:
        """Set the gain of IF stage `stage` in dB (command 0x06, E4000 only: ``stage << 16 | tenths``)."""
        self._check_open()
        tenths = round(float(gain_db) * 10)
        if not (0 <= int(stage) <= 0xFFFF and -32768 <= tenths <= 32767):
            raise UsageError(f"{self._peer}: IF stage must be 0 to 65535 and gain -3276.8 to 3276.7 dB")
        self.send_command(Command.SET_IF_GAIN, (int(stage) << 16) | (tenths & 0xFFFF))

    # -- reading ------------------------------------------------------------------------------
    def read_raw(self, count: int) -> tuple[bytes, int]:
        """Read exactly `count` samples as the server sent them (``cu8``, 2 bytes per sample).

        Parameters
        ----------
        count : int
            Samples wanted.

        Returns
        -------
        raw : bytes
            ``2 * count`` bytes, contiguous in the server's stream.
        dropped : int
            Samples lost to queue overflow since the previous read (immediately before `raw`).

        Raises
        ------
        PeerLostError
            When the server closed the connection or stalled, after every sample received before
            that has been returned.

        Notes
        -----
        This low-level read does not update `stats`; `read_block` does (and keeps the bytes in
        ``block.meta["cu8"]``).
        """
        self._check_open()
        need = 2 * int(count)
        if need < 0:
            raise UsageError(f"{self.name}: count must be >= 0, got {count}")
        parts: list = []
        got = 0
        with self._cond:
            lost = self._dropped_pending
            self._dropped_pending = 0
            while got < need:
                if self._dropped_pending:
                    # Overflow while we waited: what we hold precedes a gap, so it is lost too.
                    lost += got // 2 + self._dropped_pending
                    self._dropped_pending = 0
                    parts, got = [], 0
                if self._chunks:
                    chunk = self._chunks[0]
                    off = self._head_off
                    take = min(len(chunk) - off, need - got)
                    parts.append(memoryview(chunk)[off : off + take])
                    got += take
                    self._queued -= take
                    if off + take == len(chunk):
                        self._chunks.popleft()
                        self._head_off = 0
                    else:
                        self._head_off = off + take
                    continue
                if self._error is not None:
                    if got:  # give back what we took: a smaller read can still have it
                        self._chunks.appendleft(b"".join(parts))
                        self._queued += got
                    self._dropped_pending += lost  # reported by the next read that succeeds
                    raise self._error
                if self._stop.is_set():
                    raise UsageError(f"{self.name}: source closed while reading")
                if self._thread is None or not self._thread.is_alive():
                    raise PeerLostError(f"{self._peer}: reader stopped after {self.samples_received} samples")
                self._cond.wait(0.5)
        raw = b"".join(parts)
        return raw, lost

    def _read(self, count: int) -> tuple[np.ndarray, int]:
        raw, dropped = self.read_raw(count)
        self._last_raw = raw
        return to_complex64(raw, "cu8"), dropped

    def read_block(self, count: int) -> IQBlock:
        """Read one block of `count` samples; ``block.meta["cu8"]`` holds the bytes as received.

        Also counts saturated samples (I or Q at 0 or 255) in ``stats.clipped``.
        """
        block = super().read_block(count)
        raw = self._last_raw
        block.meta["cu8"] = raw
        if raw:
            comps = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2)
            self.stats.clipped += int(np.count_nonzero(((comps == 0) | (comps == 255)).any(axis=1)))
        return block

    def _close(self) -> None:
        """Stop the reader (bounded: it polls every <= 0.2 s), then close the socket."""
        self._stop.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        if sock is not None:
            sock.close()
        with self._cond:
            self._chunks.clear()
            self._queued = 0
            self._cond.notify_all()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<RtlTcpSource {self.address} tuner={self.tuner_type} {state}>"
