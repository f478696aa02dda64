"""A STAND-IN for RTL-SDR dongles at the pyrtlsdr API boundary, for hardware-free tests.

Nothing here talks to USB. `FakeRtlSdr` mimics ``rtlsdr.RtlSdr`` (pyrtlsdr 0.5.x) closely enough for
`detector.sources._rtlsdr.RtlSdrSource`: the same properties (``sample_rate``, ``center_freq``, ``gain``,
``freq_correction``), methods (``get_gains``, ``get_tuner_type``, ``set_bias_tee``, ``set_direct_sampling``,
``set_agc_mode``, ``read_bytes``, ``close``), static look-ups (``get_device_index_by_serial``,
``get_device_serial_addresses``) and, importantly, the same failure behaviour as pyrtlsdr on top of osmocom
librtlsdr (checked against pyrtlsdr 0.5.1's ``rtlsdr/rtlsdr.py`` and librtlsdr's ``src/librtlsdr.c``):

- errors are `LibUSBError` (an ``IOError``/``OSError`` with ``errno`` = the librtlsdr/libusb code and the same
  ``__str__`` as pyrtlsdr's), and pyrtlsdr **closes the device** before raising from a setter or a read;
- ``freq_correction = <value already in force>`` fails with -2 (librtlsdr refuses an unchanged value, and the
  initial correction is 0);
- sample rates outside librtlsdr's resampler ranges fail with -EINVAL (-22); the rate read back is the exact
  resampler rate (pyrtlsdr's formula); the centre frequency read back is rounded to kHz;
- gains snap to the nearest of the tuner's list (librtlsdr's tables, tenths of a dB);
- ``read_bytes`` returns pyrtlsdr's reused ctypes buffer, so a caller that does not copy sees it overwritten.

A bus of dongles is a subclass made by `fake_bus` (each test gets its own; the class is the driver factory).
The byte stream is a deterministic cu8 tone plus seeded noise, addressable by byte position
(`cu8_stream`), so tests can check delivered samples exactly. Each dongle can be told to unplug after N
bytes, to lose samples for a while (a pause, on a virtual `FakeClock` or with a real ``time.sleep``), to hang
inside a transfer, or to return empty reads. `fake_module` / `install` present a bus as the ``rtlsdr``
module itself, so the lazy-import path and `list_devices` run against it too.
"""

from __future__ import annotations

import ctypes
import functools
import threading
import time
import types
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "LibUSBError",
    "FakeClock",
    "FakeDongle",
    "FakeRtlSdr",
    "fake_bus",
    "fake_module",
    "install",
    "cu8_stream",
    "GAINS_TENTHS",
    "TUNER_E4000",
    "TUNER_FC0012",
    "TUNER_FC0013",
    "TUNER_FC2580",
    "TUNER_R820T",
    "TUNER_R828D",
]

# librtlsdr enum rtlsdr_tuner
TUNER_UNKNOWN, TUNER_E4000, TUNER_FC0012, TUNER_FC0013, TUNER_FC2580, TUNER_R820T, TUNER_R828D = range(7)

#: rtlsdr_get_tuner_gains() tables from librtlsdr.c, in tenths of a dB.
_R82XX = [0, 9, 14, 27, 37, 77, 87, 125, 144, 157, 166, 197, 207, 229, 254, 280, 297, 328, 338, 364, 372, 386, 402,
          421, 434, 439, 445, 480, 496]
GAINS_TENTHS = {
    TUNER_UNKNOWN: [0],
    TUNER_E4000: [-10, 15, 40, 65, 90, 115, 140, 165, 190, 215, 240, 290, 340, 420],
    TUNER_FC0012: [-99, -40, 71, 179, 192],
    TUNER_FC0013: [-99, -73, -65, -63, -60, -58, -54, 58, 61, 63, 65, 67, 68, 70, 71, 179, 181, 182, 184, 186, 188,
                   191, 197],
    TUNER_FC2580: [0],
    TUNER_R820T: _R82XX,
    TUNER_R828D: _R82XX,
}

_XTAL_HZ = 28_800_000
_EINVAL = -22


class LibUSBError(IOError):
    """Same shape as ``rtlsdr.rtlsdr.LibUSBError`` (pyrtlsdr 0.5.1): ``errno`` holds the library's code."""

    _errno_map = {
        -1: ("LIBUSB_ERROR_IO", "Input/output error"),
        -2: ("LIBUSB_ERROR_INVALID_PARAM", "Invalid parameter"),
        -3: ("LIBUSB_ERROR_ACCESS", "Access denied (insufficient permissions)"),
        -4: ("LIBUSB_ERROR_NO_DEVICE", "No such device (it may have been disconnected)"),
        -5: ("LIBUSB_ERROR_NOT_FOUND", "Entity not found"),
        -6: ("LIBUSB_ERROR_BUSY", "Resource busy"),
        -7: ("LIBUSB_ERROR_TIMEOUT", "Operation timed out"),
        -8: ("LIBUSB_ERROR_OVERFLOW", "Overflow"),
        -9: ("LIBUSB_ERROR_PIPE", "Pipe error"),
    }

    def __init__(self, errno, msg=""):
        self.errno = errno
        self.msg = msg

    def __str__(self):
        t = self._errno_map.get(self.errno)
        if t is not None:
            return f'<{t[0]} ({self.errno}): {t[1]}> "{self.msg}"'
        return f"Error code {self.errno}: {self.msg}"


class FakeClock:
    """A virtual monotonic clock in seconds: call it for the time, `advance` it by hand or from the fake."""

    def __init__(self, start_s: float = 1000.0):
        self.now_s = float(start_s)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now_s

    def advance(self, dt_s: float) -> None:
        """Move the clock forward by `dt_s` seconds."""
        with self._lock:
            self.now_s += float(dt_s)


def cu8_stream(start_byte: int, num_bytes: int, amplitude: float = 90.0, cycles_per_sample: float = 0.0371,
               noise_std: float = 4.0, seed: int = 7, period: int = 65521) -> bytes:
    """Bytes ``start_byte .. start_byte + num_bytes`` of the fake dongle's endless cu8 stream.

    Sample n is ``127.5 + amplitude * exp(2j*pi*cycles_per_sample*n) + noise[n % period]`` rounded and
    clipped to 0..255 per component (I byte first); the noise table is seeded and of prime length, so the
    stream does not repeat in step with 512-byte transfers. Amplitudes above 127.5 clip.
    """
    if num_bytes <= 0:
        return b""
    first = start_byte // 2
    last = (start_byte + num_bytes + 1) // 2
    n = np.arange(first, last, dtype=np.int64)
    noise = _noise_table(seed, period, noise_std)
    phase = 2 * np.pi * ((cycles_per_sample * n) % 1.0)
    comps = np.empty((n.size, 2))
    comps[:, 0] = 127.5 + amplitude * np.cos(phase) + noise[n % period, 0]
    comps[:, 1] = 127.5 + amplitude * np.sin(phase) + noise[n % period, 1]
    raw = np.clip(np.rint(comps), 0, 255).astype(np.uint8).tobytes()
    offset = start_byte - 2 * first
    return raw[offset:offset + num_bytes]


@functools.lru_cache(maxsize=8)
def _noise_table(seed: int, period: int, noise_std: float) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, noise_std, size=(period, 2))


@dataclass
class FakeDongle:
    """One simulated dongle on a fake USB bus, and what should go wrong with it.

    Attributes
    ----------
    serial, name, manufacturer, product : str
        USB strings and librtlsdr's model name.
    tuner_type : int
        librtlsdr's tuner enum (1 E4000 ... 5 R820T, 6 R828D).
    amplitude, cycles_per_sample, noise_std : float
        Stream parameters for `cu8_stream` (amplitude in cu8 steps, tone in cycles per sample).
    unplug_after_bytes : int or None
        The first read that would take the stream past this byte fails with LIBUSB_ERROR_NO_DEVICE (-4)
        and delivers nothing (as pyrtlsdr's ``read_bytes``); the device is gone afterwards.
    pause_at_byte, pause_s : int or None, float
        The read that reaches this byte first stalls for `pause_s` seconds while the dongle keeps sampling:
        ``round(pause_s * rate)`` samples are lost from the stream (FIFO overflow). With `pause_real` the
        pause is a real ``time.sleep``; otherwise the bus's `FakeClock` jumps forward.
    hang_at_byte, hang_s : int or None, float
        The read that reaches this byte blocks (up to `hang_s` s, or until `release`), then fails with -4.
    empty_after_bytes : int or None
        Reads past this byte return no data (a driver that times out quietly).
    open_errno : int or None
        Opening fails with this libusb code (-3 permissions, -6 busy).
    """

    serial: str = "00000001"
    name: str = "Generic RTL2832U OEM"
    manufacturer: str = "Realtek"
    product: str = "RTL2838UHIDIR"
    tuner_type: int = TUNER_R820T
    amplitude: float = 90.0
    cycles_per_sample: float = 0.0371
    noise_std: float = 4.0
    unplug_after_bytes: int | None = None
    pause_at_byte: int | None = None
    pause_s: float = 0.0
    pause_real: bool = False
    hang_at_byte: int | None = None
    hang_s: float = 10.0
    empty_after_bytes: int | None = None
    open_errno: int | None = None
    released: threading.Event = field(default_factory=threading.Event, repr=False)

    def release(self) -> None:
        """Let a hung read return (it then fails as an unplugged device)."""
        self.released.set()


class FakeRtlSdr:
    """Stand-in for ``rtlsdr.RtlSdr``. Use `fake_bus` to make a class for one test's dongles.

    Attributes beyond pyrtlsdr's, for assertions: ``dongle`` (its `FakeDongle`), ``position`` (stream
    bytes served or lost), ``reads`` (sizes requested), ``close_calls``, ``bias_tee``, ``direct_sampling``,
    ``agc``, ``manual_gain``, ``lost_samples``.
    """

    DEFAULT_GAIN = "auto"
    DEFAULT_FC = 80e6
    DEFAULT_RS = 1.024e6
    DEFAULT_READ_SIZE = 1024

    #: Dongles on this bus (set by `fake_bus`).
    dongles: list[FakeDongle] = []
    #: Virtual clock advanced as bytes are served (``len / 2 / rate`` seconds per read).
    clock: FakeClock = FakeClock()
    #: Every device opened on this bus, in order.
    instances: list[FakeRtlSdr] = []

    device_opened = False

    # -- pyrtlsdr's static look-ups -------------------------------------------------------------------
    @classmethod
    def get_device_index_by_serial(cls, serial):
        """As librtlsdr: -1 no serial given, -2 no devices, -3 no match (raised as LibUSBError(code))."""
        if isinstance(serial, bytes):
            serial = serial.decode()
        if not serial:
            raise LibUSBError(-1)
        if not cls.dongles:
            raise LibUSBError(-2)
        for i, d in enumerate(cls.dongles):
            if d.serial == serial:
                return i
        raise LibUSBError(-3)

    @classmethod
    def get_device_serial_addresses(cls):
        """Serial numbers of the dongles on the bus."""
        return [d.serial for d in cls.dongles]

    # -- opening --------------------------------------------------------------------------------------
    def __init__(self, device_index=0, test_mode_enabled=False, serial_number=None, dithering_enabled=True):
        if serial_number is not None:
            device_index = self.get_device_index_by_serial(serial_number)
        if not 0 <= device_index < len(self.dongles):
            raise LibUSBError(-1, f"Could not open SDR (device index = {device_index})")
        self.dongle = self.dongles[device_index]
        if self.dongle.open_errno is not None:
            raise LibUSBError(self.dongle.open_errno, f"Could not open SDR (device index = {device_index})")
        self.device_index = device_index
        self.device_opened = True
        self.close_calls = 0
        self.position = 0
        self.lost_samples = 0
        self.reads: list[int] = []
        self.buffer = []
        self._paused = False
        self._unplugged = False
        self._rate = 0
        self._freq = 0
        self._corr = 0
        self._gain_tenths = 0
        self.manual_gain = False
        self.bias_tee = False
        self.direct_sampling = 0
        self.agc = False
        self.gain_values = list(GAINS_TENTHS.get(self.dongle.tuner_type, [0]))
        self.valid_gains_db = [g / 10 for g in self.gain_values]
        type(self).instances.append(self)
        # pyrtlsdr's init_device_values()
        self.sample_rate = self.DEFAULT_RS
        self.center_freq = self.DEFAULT_FC
        self.gain = self.DEFAULT_GAIN

    def _check(self):
        if not self.device_opened:
            raise LibUSBError(-4, "device is closed")

    def _fail(self, code, msg):
        self.close()  # pyrtlsdr closes the device before raising from a setter or a read
        raise LibUSBError(code, msg)

    def close(self):
        """As pyrtlsdr: ``if not self.device_opened: return``."""
        if not self.device_opened:
            return
        self.close_calls += 1
        self.device_opened = False

    # -- settings -------------------------------------------------------------------------------------
    def get_sample_rate(self):
        self._check()
        ratio = (_XTAL_HZ * 2**22) // self._rate
        ratio &= ~3
        return (_XTAL_HZ * 2**22) / ratio

    def set_sample_rate(self, rate):
        self._check()
        rate = int(rate)
        if rate <= 225000 or rate > 3200000 or 300000 < rate <= 900000:
            self._fail(_EINVAL, f"Could not set sample rate to {rate} Hz")
        self._rate = rate

    def get_center_freq(self):
        self._check()
        return round(self._freq, -3)

    def set_center_freq(self, freq):
        self._check()
        self._freq = int(freq)

    def get_gain(self):
        self._check()
        return self._gain_tenths / 10

    def set_gain(self, gain):
        self._check()
        if isinstance(gain, str) and gain == "auto":
            self.manual_gain = False
            return
        errors = [abs(10 * gain - g) for g in self.gain_values]
        self.manual_gain = True
        self._gain_tenths = self.gain_values[errors.index(min(errors))]

    def get_gains(self):
        self._check()
        return list(self.gain_values)

    def get_freq_correction(self):
        self._check()
        return self._corr

    def set_freq_correction(self, err_ppm):
        self._check()
        if int(err_ppm) == self._corr:  # librtlsdr: "if (dev->corr == ppm) return -2;"
            self._fail(-2, f"Could not set freq. offset to {err_ppm} ppm")
        self._corr = int(err_ppm)

    def get_tuner_type(self):
        self._check()
        return self.dongle.tuner_type

    def set_bias_tee(self, enabled):
        self._check()
        self.bias_tee = bool(enabled)
        return 0

    def set_agc_mode(self, enabled):
        self._check()
        self.agc = bool(enabled)
        return 0

    def set_direct_sampling(self, direct):
        self._check()
        if isinstance(direct, str):
            direct = {"i": 1, "q": 2}[direct.lower()]
        self.direct_sampling = int(direct or 0)
        return 0

    center_freq = fc = property(get_center_freq, set_center_freq)
    sample_rate = rs = property(get_sample_rate, set_sample_rate)
    gain = property(get_gain, set_gain)
    freq_correction = property(get_freq_correction, set_freq_correction)

    # -- streaming ------------------------------------------------------------------------------------
    def read_bytes(self, num_bytes=DEFAULT_READ_SIZE):
        """Serve `num_bytes` bytes of the stream (pyrtlsdr's reused ctypes buffer), or fail like pyrtlsdr."""
        num_bytes = int(num_bytes)
        self.reads.append(num_bytes)
        if self._unplugged or not self.device_opened:
            raise LibUSBError(-4, f"Could not read {num_bytes} bytes")
        d = self.dongle
        end = self.position + num_bytes
        if d.hang_at_byte is not None and self.position <= d.hang_at_byte < end:
            d.released.wait(d.hang_s)
            self._unplugged = True
            self._fail(-4, f"Could not read {num_bytes} bytes")
        if d.unplug_after_bytes is not None and end > d.unplug_after_bytes:
            self._unplugged = True
            self._fail(-4, f"Could not read {num_bytes} bytes")
        if d.empty_after_bytes is not None and end > d.empty_after_bytes:
            time.sleep(0.002)
            return (ctypes.c_ubyte * 0)()
        if d.pause_at_byte is not None and not self._paused and self.position <= d.pause_at_byte < end:
            self._paused = True
            if d.pause_real:
                time.sleep(d.pause_s)
            else:
                self.clock.advance(d.pause_s)
            lost = int(round(d.pause_s * self._rate))
            self.lost_samples += lost
            self.position += 2 * lost
        data = cu8_stream(self.position, num_bytes, d.amplitude, d.cycles_per_sample, d.noise_std)
        self.clock.advance(num_bytes / 2 / self.get_sample_rate())
        self.position += num_bytes
        if len(self.buffer) != num_bytes:
            self.buffer = (ctypes.c_ubyte * num_bytes)()
        ctypes.memmove(self.buffer, data, num_bytes)
        return self.buffer

    def served(self, start_byte: int, num_bytes: int) -> bytes:
        """Stream bytes as this dongle generates them (ignoring pauses), for comparing with delivered samples."""
        d = self.dongle
        return cu8_stream(start_byte, num_bytes, d.amplitude, d.cycles_per_sample, d.noise_std)


def fake_bus(*dongles: FakeDongle, clock: FakeClock | None = None) -> type[FakeRtlSdr]:
    """A `FakeRtlSdr` subclass whose bus holds `dongles` (none: an empty bus), with its own clock and instances.

    The class is what ``rtlsdr.RtlSdr`` is: call it with a device index to open a dongle.
    """
    return type("FakeRtlSdr", (FakeRtlSdr,), {"dongles": list(dongles), "clock": clock or FakeClock(),
                                              "instances": []})


class _FakeLibrtlsdr:
    """The few librtlsdr C functions `list_devices` calls, over a fake bus (ctypes buffers like the real ones)."""

    def __init__(self, bus: type[FakeRtlSdr]):
        self._bus = bus

    def rtlsdr_get_device_count(self):
        return len(self._bus.dongles)

    def rtlsdr_get_device_name(self, index):
        d = self._bus.dongles
        return d[index].name.encode() if 0 <= index < len(d) else b""

    def rtlsdr_get_device_usb_strings(self, index, manufact, product, serial):
        d = self._bus.dongles
        if not 0 <= index < len(d):
            return -2
        if d[index].open_errno == -3:
            return -3
        for buf, text in ((manufact, d[index].manufacturer), (product, d[index].product), (serial, d[index].serial)):
            if buf is not None:
                raw = text.encode()[:255] + b"\0"
                ctypes.memmove(buf, raw, len(raw))
        return 0


def fake_module(bus: type[FakeRtlSdr]) -> types.ModuleType:
    """A module that looks like ``rtlsdr`` (``RtlSdr``, ``librtlsdr``, ``__version__``) over `bus`."""
    module = types.ModuleType("rtlsdr")
    module.RtlSdr = bus
    module.librtlsdr = _FakeLibrtlsdr(bus)
    module.LibUSBError = LibUSBError
    module.__version__ = "0.5.1+fake"
    return module


def install(monkeypatch, bus: type[FakeRtlSdr]) -> types.ModuleType:
    """Make ``import rtlsdr`` return `fake_module(bus)` for one test (undone by `monkeypatch`)."""
    import sys

    module = fake_module(bus)
    monkeypatch.setitem(sys.modules, "rtlsdr", module)
    return module
