"""RTL-SDR dongles through pyrtlsdr: `RtlSdrSource` and `list_devices`.

pyrtlsdr is imported lazily, inside `RtlSdrSource.open` and `list_devices`, never when this module is
imported: replay and analysis work without it. Every setting is checked against what librtlsdr accepts
*before* the device is touched, because pyrtlsdr closes the device when librtlsdr refuses a setting.

Samples are read synchronously (``read_bytes``, i.e. ``rtlsdr_read_sync``) in transfers that are whole
multiples of 512 bytes, on a helper thread so that a hung USB transfer (osmocom librtlsdr waits forever:
``BULK_TIMEOUT 0``) is reported as a stalled device instead of hanging the program. Samples lost on the way
(the dongle's FIFO overflows whenever the host does not read in time) are counted against the wall clock and
reported in ``IQBlock.dropped`` and ``stats.dropped``; nothing is dropped silently.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import logging
import math
import numbers
import queue
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

from ..errors import DeviceError, DeviceLostError, DeviceUnavailableError, UsageError
from ._base import TunableSource
from ._convert import to_complex64

__all__ = [
    "RtlSdrSource",
    "list_devices",
    "TUNERS",
    "DIRECT_SAMPLING_RANGE_HZ",
    "SAMPLE_RATE_RANGES_SPS",
    "check_sample_rate",
]

log = logging.getLogger(__name__)

#: Complex sample rates librtlsdr's resampler accepts, in S/s, both ends inclusive
#: (``rtlsdr_set_sample_rate`` refuses ``rate <= 225000 || rate > 3200000 || (300000 < rate <= 900000)``).
SAMPLE_RATE_RANGES_SPS = ((225_001, 300_000), (900_001, 3_200_000))

#: Above this rate (S/s) many hosts lose samples (rtl-sdr.h itself warns above 2.4 MS/s).
_LOSSY_RATE_SPS = 2_560_000

#: librtlsdr ``enum rtlsdr_tuner`` -> (name, tunable ranges in Hz). Nominal ranges from the osmocom
#: rtl-sdr documentation; librtlsdr does not check them, the tuner's PLL just fails to lock or goes deaf.
TUNERS: dict[int, tuple[str, tuple[tuple[float, float], ...]]] = {
    0: ("unknown", ()),
    1: ("E4000", ((52e6, 1100e6), (1250e6, 2200e6))),
    2: ("FC0012", ((22e6, 948.6e6),)),
    3: ("FC0013", ((22e6, 1100e6),)),
    4: ("FC2580", ((146e6, 308e6), (438e6, 924e6))),
    5: ("R820T", ((24e6, 1766e6),)),
    6: ("R828D", ((24e6, 1766e6),)),
}

#: Frequencies reachable with direct sampling (the RTL2832U's ADC clocked at 28.8 MHz), in Hz.
DIRECT_SAMPLING_RANGE_HZ = (0.0, 28.8e6)

_DIRECT_SAMPLING_NAMES = {0: "off", 1: "I branch", 2: "Q branch"}

#: librtlsdr bulk transfers must be whole multiples of the USB 2.0 packet size.
_USB_PACKET_BYTES = 512

#: libusb error codes as pyrtlsdr's LibUSBError carries them in ``errno``.
_LIBUSB_IO, _LIBUSB_ACCESS, _LIBUSB_NO_DEVICE, _LIBUSB_BUSY = -1, -3, -4, -6

_INSTALL_HINT = (
    "install it with pip install 'detector[rtlsdr]', whose [lib] extra bundles a matching librtlsdr "
    "(pyrtlsdr 0.5.x fails against Debian's librtlsdr 0.6.0 with \"undefined symbol: rtlsdr_set_dithering\")"
)

_NOT_FOUND_HINT = "(is it plugged in? `rtl_test` lists devices)"


def check_sample_rate(sample_rate_sps: float, name: str = "rtlsdr") -> int:
    """Validate a sample rate against librtlsdr's resampler and return it as librtlsdr receives it.

    Parameters
    ----------
    sample_rate_sps : float
        Requested complex sample rate in S/s.
    name : str
        Device name for the error message.

    Returns
    -------
    int
        The rate truncated to whole S/s (pyrtlsdr passes ``int(rate)`` to librtlsdr).

    Raises
    ------
    DeviceError
        If librtlsdr would refuse the rate; the message lists the accepted ranges.

    Examples
    --------
    >>> check_sample_rate(2.4e6)
    2400000
    >>> check_sample_rate(500e3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    detector.errors.DeviceError: rtlsdr: sample rate 500000 S/s is not supported; librtlsdr accepts 225001-300000 ...
    """
    try:
        rate = float(sample_rate_sps)
    except (TypeError, ValueError):
        rate = math.nan
    ok = math.isfinite(rate) and any(lo <= int(rate) <= hi for lo, hi in SAMPLE_RATE_RANGES_SPS)
    if not ok:
        ranges = " and ".join(f"{lo}-{hi} S/s" for lo, hi in SAMPLE_RATE_RANGES_SPS)
        raise DeviceError(f"{name}: sample rate {sample_rate_sps:g} S/s is not supported; librtlsdr accepts {ranges}"
                          if isinstance(sample_rate_sps, (int, float)) else
                          f"{name}: sample rate {sample_rate_sps!r} is not a number; librtlsdr accepts {ranges}")
    return int(rate)


def _import_rtlsdr(name: str):
    """Import pyrtlsdr now (it loads librtlsdr), turning every way that fails into DeviceUnavailableError."""
    try:
        # pyrtlsdrlib prints load failures to stdout, which belongs to --json output.
        with contextlib.redirect_stdout(sys.stderr):
            module = importlib.import_module("rtlsdr")
    except (ImportError, OSError, AttributeError) as e:
        # AttributeError: ctypes reports a symbol missing from librtlsdr (Debian's 0.6.0 lacks
        # rtlsdr_set_dithering, which pyrtlsdr 0.5.x binds at import) as "undefined symbol: ...".
        detail = " ".join(str(e).split()) or type(e).__name__
        raise DeviceUnavailableError(f"{name}: pyrtlsdr is not usable ({type(e).__name__}: {detail}); {_INSTALL_HINT}"
                                     ) from e
    if getattr(module, "RtlSdr", None) is None:
        raise DeviceUnavailableError(
            f"{name}: pyrtlsdr is in client-only mode (RTLSDR_CLIENT_MODE is set), so it cannot open a local "
            "dongle; unset RTLSDR_CLIENT_MODE"
        )
    return module


def _parse_device(device: int | str) -> tuple[int | None, str | None]:
    """Split a device spec into (index, serial): ``0``, ``"0"``, ``":SERIAL"`` or ``"serial:SERIAL"``."""
    if isinstance(device, bool):
        raise UsageError(f"RTL-SDR device {device!r} not understood; expected an index (0), ':SERIAL' or 'serial:XYZ'")
    if isinstance(device, (int, np.integer)):
        if device < 0:
            raise UsageError(f"RTL-SDR device index must be >= 0, got {device}")
        return int(device), None
    text = str(device).strip()
    serial = None
    if text.startswith(":"):
        serial = text[1:]
    elif text.lower().startswith("serial:"):
        serial = text[len("serial:"):]
    elif text.isdigit():
        return int(text), None
    else:
        raise UsageError(f"RTL-SDR device {device!r} not understood; expected an index (0), ':SERIAL' or 'serial:XYZ'")
    if not serial:
        raise UsageError(f"RTL-SDR device {device!r} names an empty serial number")
    return None, serial


def _errno(exc: BaseException) -> int | None:
    """The libusb/librtlsdr error code pyrtlsdr put in a LibUSBError (None for other errors)."""
    code = getattr(exc, "errno", None)
    return code if isinstance(code, int) else None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _fmt_mhz(freq_hz: float) -> str:
    return f"{freq_hz / 1e6:.7g}"


class _Stalled(Exception):
    """Internal: no data arrived within the stall timeout."""


class _UsbReader:
    """Runs ``driver.read_bytes`` on a daemon thread so that a transfer that never returns cannot hang us.

    One request at a time; results carry a sequence number so a late answer to an abandoned request
    (interrupted by Ctrl-C) is recognised and skipped.
    """

    def __init__(self, driver, name: str):
        self._driver = driver
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._seq = 0
        self._in_flight = False
        self._thread = threading.Thread(target=self._run, name=f"{name} USB reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            req = self._requests.get()
            if req is None:
                return
            seq, num_bytes = req
            try:
                buf = self._driver.read_bytes(num_bytes)
                # Copy now: pyrtlsdr hands back its own ctypes buffer and reuses it on the next read.
                self._results.put((seq, bytes(buf), None))
            except Exception as e:  # noqa: BLE001 - passed to the caller's thread
                self._results.put((seq, None, e))

    def read(self, num_bytes: int, timeout_s: float) -> bytes:
        """Read up to `num_bytes` bytes; raise the driver's exception, or `_Stalled` after `timeout_s` s."""
        if not self._in_flight:
            self._seq += 1
            self._requests.put((self._seq, num_bytes))
            self._in_flight = True
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                seq, data, err = self._results.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise _Stalled() from None
            if seq != self._seq:
                continue  # cannot happen with one request in flight; kept as a guard
            self._in_flight = False
            if err is not None:
                raise err
            return data

    @property
    def busy(self) -> bool:
        """True while a transfer has been requested and not answered."""
        return self._in_flight and self._thread.is_alive()

    def stop(self, timeout_s: float) -> bool:
        """Ask the thread to finish; True if it did within `timeout_s` (False: stuck inside a transfer)."""
        self._requests.put(None)
        self._thread.join(timeout_s)
        return not self._thread.is_alive()


class RtlSdrSource(TunableSource):
    """An RTL-SDR dongle as a live, tunable source of `IQBlock` objects (through pyrtlsdr).

    The device is opened by the constructor, so ``with RtlSdrSource(0) as src:`` releases it on exit.
    Tune with `tune` (which discards `settle_samples` samples), then read with `read_block`, `blocks`
    or `sweep`.

    Parameters
    ----------
    device : int or str
        Device index (``0``, as ``rtl_sdr -d 0``), or a serial number as ``":SERIAL"`` or ``"serial:SERIAL"``
        (looked up with ``RtlSdr.get_device_index_by_serial``; ``rtl_eeprom`` shows and sets serials).
    sample_rate_hz : float
        Complex sample rate in S/s: 225001-300000 or 900001-3200000 (librtlsdr's limits). Above 2.56 MS/s
        a warning is logged: most hosts lose samples there. The rate in force (``sample_rate_hz``
        attribute) is the one the driver reports back, which can differ from the request by a fraction of 1 S/s.
    gain_db : float or None
        Tuner gain in dB, or None for the tuner's automatic gain (pyrtlsdr's ``'auto'``). The tuner
        snaps to its nearest supported gain; ``gain_db`` records the gain in force as the driver reports it.
    ppm : int
        Crystal correction in parts per million (as ``rtl_sdr -p``; measure it with ``kal`` or
        ``detector calibrate``). Dongles drift while they warm up.
    bias_tee : bool
        Power an active antenna or LNA through the antenna port (RTL-SDR Blog v3 and later). It is
        switched off explicitly when False.
    direct_sampling : int
        0 off, 1 the ADC's I branch, 2 its Q branch (HF reception, 0-28.8 MHz, on modified or v3 dongles).
    settle_samples : int
        Samples discarded after every retune while the PLL and the stream settle.
    driver_factory : callable, optional
        ``driver_factory(device_index)`` returns an object with the ``rtlsdr.RtlSdr`` interface (tests pass
        ``tests.fake_rtlsdr`` stand-ins). A serial is resolved with ``driver_factory.get_device_index_by_serial``.
        Default: ``rtlsdr.RtlSdr``, imported when the device is opened.
    stall_timeout_s : float
        A read that brings no data for this long raises `DeviceLostError` (the device stalled).
    clock : callable, optional
        Monotonic clock in seconds used to count samples lost against elapsed time (default
        `time.monotonic`; tests inject a virtual clock).

    Attributes
    ----------
    name : str
        ``"rtlsdr:<index>"``, for records' ``source`` field and messages.
    device_index : int or None
    serial : str or None
        The serial asked for (when the device was chosen by serial).
    tuner_type : int
        librtlsdr's ``enum rtlsdr_tuner`` (see `TUNERS`).
    tuner_name : str
    valid_gains_db : list of float
        Gains the tuner supports, in dB.
    gain_db, ppm, bias_tee, direct_sampling
        The settings in force.
    stats : SourceStats
        ``dropped`` counts samples missing against the wall clock, ``clipped`` samples with I or Q at 0 or 255.

    Raises
    ------
    DeviceUnavailableError
        pyrtlsdr/librtlsdr is not installed or loadable, or no dongle is at that index or with that serial.
    DeviceError
        A setting is out of the device's range (checked before the device is touched).
    UsageError
        `device` or `direct_sampling` is malformed.

    See Also
    --------
    list_devices : the attached dongles.
    TunableSource.sweep : tune through frequencies, one segment per step.

    Notes
    -----
    Dropped samples: from the end of each retune, ``elapsed_s * sample_rate_hz`` samples are due; when the
    samples received (plus those already reported lost) fall behind by more than `drop_tolerance_s` worth
    (or `clock_tolerance_ppm` of the total, for crystal error over long dwells), the shortfall is reported as
    dropped in the block during whose read it was found (the loss happened shortly before or inside that
    block). Reading slower than real time therefore shows up as drops, as it should: the dongle does not wait.

    A USB error or an unplugged dongle raises `DeviceLostError` (exit code 3) naming the samples delivered
    so far; samples read before the error in the same block are delivered first, in a shorter block.

    Examples
    --------
    Read 0.1 s of the GSM900 downlink around ARFCN 62 (needs a dongle; tests use ``tests/fake_rtlsdr.py``):

    >>> with RtlSdrSource(0, sample_rate_hz=2e6, gain_db=40, ppm=0) as src:  # doctest: +SKIP
    ...     src.tune(947.4e6)
    ...     block = src.read_block(200_000)
    ...     print(block.samples.dtype, len(block), block.gain_db, src.stats.dropped)
    complex64 200000 40.2 0
    """

    #: Shortfall against the wall clock (s) tolerated before samples count as dropped (jitter, buffering).
    drop_tolerance_s: float = 0.05
    #: Extra tolerance, in ppm of the elapsed time, for the dongle's crystal error against the host clock.
    clock_tolerance_ppm: float = 200.0
    #: Largest single USB transfer in bytes (rtl_sdr's synchronous default, 16 * 16384).
    max_transfer_bytes: int = 16 * 16384
    #: How long close() waits for a transfer in flight before it gives up on it (s).
    close_timeout_s: float = 1.0

    def __init__(self, device: int | str = 0, sample_rate_hz: float = 2.4e6, gain_db: float | None = None,
                 ppm: int = 0, bias_tee: bool = False, direct_sampling: int = 0, settle_samples: int = 16384,
                 driver_factory: Callable | None = None, *, stall_timeout_s: float = 5.0,
                 clock: Callable[[], float] | None = None):
        super().__init__()
        self.device_index, self.serial = _parse_device(device)
        self.name = f"rtlsdr:{self.device_index}" if self.serial is None else f"rtlsdr::{self.serial}"
        # Validate everything before touching the device.
        self.requested_sample_rate_hz = float(check_sample_rate(sample_rate_hz, self.name))
        if direct_sampling not in _DIRECT_SAMPLING_NAMES or isinstance(direct_sampling, bool):
            raise UsageError(f"{self.name}: direct_sampling must be 0 (off), 1 (I branch) or 2 (Q branch), "
                             f"got {direct_sampling!r}")
        if gain_db is not None and not (isinstance(gain_db, numbers.Real) and math.isfinite(gain_db)):
            raise UsageError(f"{self.name}: gain must be a number of dB or None (auto), got {gain_db!r}")
        ppm = self._whole(ppm, "ppm")
        if not (isinstance(stall_timeout_s, numbers.Real) and stall_timeout_s > 0):
            raise UsageError(f"{self.name}: stall_timeout_s must be > 0 s, got {stall_timeout_s!r}")
        settle_samples = self._whole(settle_samples, "settle_samples")
        if settle_samples < 0:
            raise UsageError(f"{self.name}: settle_samples must be >= 0, got {settle_samples!r}")
        self.settle_samples = settle_samples
        self.direct_sampling = int(direct_sampling)
        self.bias_tee = bool(bias_tee)
        self.ppm = 0
        self.stall_timeout_s = float(stall_timeout_s)
        self.tuner_type = 0
        self.tuner_name = "unknown"
        self.valid_gains_db: list[float] = []
        self._factory = driver_factory
        self._clock = clock or time.monotonic
        self._driver = None
        self._reader: _UsbReader | None = None
        self._dead: DeviceError | None = None  # raised by every later use
        self._settling = False
        self._reset_stream()
        try:
            self.open()
            self.set_sample_rate(self.requested_sample_rate_hz)
            self.set_gain(gain_db)
            self.set_ppm(ppm)
        except BaseException:
            self.close()
            raise

    def _whole(self, value, what: str) -> int:
        """`value` as an int, or UsageError naming `what` if it is not a whole number."""
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) \
                and int(value) == value:
            return int(value)
        raise UsageError(f"{self.name}: {what} must be a whole number, got {value!r}")

    # -- opening -----------------------------------------------------------------------------------------
    def open(self) -> None:
        """Load pyrtlsdr (unless a `driver_factory` was given), open the dongle and apply bias tee and direct sampling.

        Called by the constructor; calling it again does nothing.

        Raises
        ------
        DeviceUnavailableError
            The library cannot be loaded, or no dongle answers at that index or serial.
        DeviceError
            The dongle was found but could not be opened (permissions, busy) or configured.
        """
        self._check_open()
        if self._driver is not None:
            return
        factory = self._factory
        library = None
        if factory is None:
            library = _import_rtlsdr(self.name)
            factory = library.RtlSdr
        if self.serial is not None:
            self.device_index = self._index_by_serial(factory)
            self.name = f"rtlsdr:{self.device_index}"
        try:
            driver = factory(self.device_index)
        except OSError as e:
            raise self._open_error(e, library) from e
        self._driver = driver
        try:
            self.tuner_type = int(driver.get_tuner_type())
            self.tuner_name = TUNERS.get(self.tuner_type, (f"type {self.tuner_type}", ()))[0]
            self.valid_gains_db = [g / 10 for g in driver.get_gains()]
            if self.direct_sampling:
                driver.set_direct_sampling(self.direct_sampling)
            self._apply_bias_tee(driver)
        except OSError as e:
            raise DeviceError(f"{self.name}: could not configure the {self.tuner_name} dongle: {_one_line(e)}") from e
        log.info("%s: opened (%s tuner%s%s)", self.name, self.tuner_name,
                 f", direct sampling {_DIRECT_SAMPLING_NAMES[self.direct_sampling]}" if self.direct_sampling else "",
                 ", bias tee on" if self.bias_tee else "")
        self._reader = _UsbReader(driver, self.name)

    def _index_by_serial(self, factory) -> int:
        lookup = getattr(factory, "get_device_index_by_serial", None)
        if lookup is None:
            raise UsageError(f"{self.name}: the driver factory cannot look up serial numbers; give a device index")
        try:
            return int(lookup(self.serial))
        except OSError as e:
            code = _errno(e)
            if code == -2:  # librtlsdr: no devices at all
                raise DeviceUnavailableError(
                    f"{self.name}: no RTL-SDR found (looking for serial {self.serial}) {_NOT_FOUND_HINT}") from e
            attached = ""
            with contextlib.suppress(Exception):
                serials = factory.get_device_serial_addresses()
                attached = f"; attached: {', '.join(serials) if serials else 'none'}"
            raise DeviceUnavailableError(
                f"{self.name}: no RTL-SDR has serial {self.serial}{attached} (`rtl_eeprom -d INDEX` shows a serial)"
            ) from e

    def _open_error(self, exc: OSError, library) -> DeviceError:
        code = _errno(exc)
        count = None
        if library is not None:
            with contextlib.suppress(Exception):
                count = int(library.librtlsdr.rtlsdr_get_device_count())
        detail = _one_line(exc)
        if (count is not None and self.device_index >= count) or (count is None and code == _LIBUSB_IO):
            return DeviceUnavailableError(f"no RTL-SDR found at index {self.device_index} {_NOT_FOUND_HINT}")
        if code == _LIBUSB_ACCESS:
            return DeviceError(f"{self.name}: permission denied opening the dongle; install librtlsdr's udev rules "
                               f"(rtl-sdr.rules) and replug it ({detail})")
        if code == _LIBUSB_BUSY:
            return DeviceError(f"{self.name}: the dongle is busy: another program or the DVB kernel driver "
                               f"(dvb_usb_rtl28xxu: blacklist it) holds it ({detail})")
        return DeviceError(f"{self.name}: could not open the dongle: {detail}")

    def _apply_bias_tee(self, driver) -> None:
        setter = getattr(driver, "set_bias_tee", None)
        if setter is None:
            if self.bias_tee:
                raise DeviceError(f"{self.name}: this pyrtlsdr/librtlsdr cannot switch the bias tee")
            return
        try:
            setter(self.bias_tee)
        except OSError:
            if self.bias_tee:
                raise
            log.debug("%s: could not switch the bias tee off", self.name, exc_info=True)

    # -- settings ----------------------------------------------------------------------------------------
    def _usable_driver(self):
        self._check_open()
        if self._dead is not None:
            raise self._dead
        if self._driver is None:
            raise DeviceError(f"{self.name}: device is not open")
        return self._driver

    def set_sample_rate(self, sample_rate_hz: float) -> None:
        """Set the complex sample rate in S/s (225001-300000 or 900001-3200000).

        The rate the driver reports back becomes ``sample_rate_hz``. If the source is tuned, it is retuned
        to the same frequency so that the new rate starts a new segment (and settles).

        Raises
        ------
        DeviceError
            If librtlsdr does not accept the rate (checked before the device is touched).
        """
        rate = check_sample_rate(sample_rate_hz, self.name)
        driver = self._usable_driver()
        if rate > _LOSSY_RATE_SPS:
            log.warning("%s: %g S/s is above %g S/s: many hosts lose samples at this rate (watch the dropped count)",
                        self.name, rate, _LOSSY_RATE_SPS)
        try:
            driver.sample_rate = rate
            actual = float(driver.sample_rate)
        except OSError as e:
            raise self._setting_error(f"setting the sample rate to {rate} S/s", e) from e
        self.requested_sample_rate_hz = float(rate)
        self.sample_rate_hz = actual if actual > 0 else float(rate)
        if self.center_freq_hz is not None:
            self.tune(self.center_freq_hz)

    def set_gain(self, gain_db: float | None) -> None:
        """Set the tuner gain in dB, or None for automatic gain; ``gain_db`` records the gain in force.

        The tuner supports a discrete set of gains (``valid_gains_db``); the nearest is chosen.
        """
        driver = self._usable_driver()
        try:
            if gain_db is None:
                driver.gain = "auto"
                self.gain_db = None
                return
            if not math.isfinite(float(gain_db)):
                raise UsageError(f"{self.name}: gain must be a finite number of dB, got {gain_db!r}")
            driver.gain = float(gain_db)
            actual = float(driver.gain)
        except OSError as e:
            raise self._setting_error(f"setting the gain to {gain_db} dB", e) from e
        if abs(actual - float(gain_db)) > 0.05:
            log.info("%s: gain %g dB is not supported by the %s tuner; using %g dB", self.name, gain_db,
                     self.tuner_name, actual)
        self.gain_db = actual

    def set_ppm(self, ppm: int) -> None:
        """Set the crystal correction in ppm (a whole number).

        librtlsdr refuses to "change" the correction to the value it already has (and pyrtlsdr then closes
        the device), so the value in force is read first and an unchanged value is not sent.
        """
        ppm = self._whole(ppm, "ppm")
        driver = self._usable_driver()
        try:
            current = int(driver.freq_correction)
            if current != ppm:
                driver.freq_correction = ppm
        except OSError as e:
            raise self._setting_error(f"setting the frequency correction to {ppm} ppm", e) from e
        self.ppm = ppm

    def freq_ranges_hz(self) -> tuple[tuple[float, float], ...]:
        """The frequency ranges (Hz, inclusive) this dongle can tune in its current mode."""
        if self.direct_sampling or self.tuner_type == 0:
            # librtlsdr switches to direct sampling itself when it finds no known tuner.
            return (DIRECT_SAMPLING_RANGE_HZ,)
        return TUNERS.get(self.tuner_type, ("", ((0.0, math.inf),)))[1]

    def check_freq(self, center_freq_hz: float) -> None:
        """Raise `DeviceError` if `center_freq_hz` (Hz) is outside what the tuner (or direct sampling) reaches."""
        f = float(center_freq_hz)
        ranges = self.freq_ranges_hz()
        if math.isfinite(f) and any(lo <= f <= hi for lo, hi in ranges):
            return
        text = " and ".join(f"{_fmt_mhz(lo)}-{_fmt_mhz(hi)} MHz" for lo, hi in ranges)
        if self.direct_sampling or self.tuner_type == 0:
            mode = (f"direct sampling ({_DIRECT_SAMPLING_NAMES[self.direct_sampling]})" if self.direct_sampling
                    else "direct sampling (librtlsdr found no known tuner)")
            raise DeviceError(f"{self.name}: {_fmt_mhz(f)} MHz is outside the {mode} range {text}")
        hint = " (below that, use direct sampling: -D)" if f < ranges[0][0] else ""
        raise DeviceError(f"{self.name}: {_fmt_mhz(f)} MHz is outside the {self.tuner_name} tuner's range {text}{hint}")

    def _set_center_freq(self, center_freq_hz: float) -> None:
        driver = self._usable_driver()
        self.check_freq(center_freq_hz)
        try:
            driver.center_freq = int(round(center_freq_hz))
        except OSError as e:
            raise self._setting_error(f"tuning to {_fmt_mhz(center_freq_hz)} MHz", e) from e
        # Bytes left over from the last transfer belong to the old tuning.
        self.stats.discarded += len(self._leftover) // 2
        self._reset_stream()

    def tune(self, center_freq_hz: float) -> None:
        """Tune to `center_freq_hz` (Hz), start a new segment, and discard `settle_samples` samples.

        Raises
        ------
        DeviceError
            If the frequency is outside the tuner's range (nothing is sent to the dongle then).
        DeviceLostError
            If the dongle stopped answering.
        """
        self._settling = True
        try:
            super().tune(center_freq_hz)
        finally:
            self._settling = False

    def _setting_error(self, action: str, exc: OSError) -> DeviceError:
        """Map a refused setting to an error. pyrtlsdr closes the device when librtlsdr refuses a setting, so
        the source is unusable afterwards; once streaming has begun that is reported as a lost device."""
        detail = _one_line(exc)
        if getattr(self._driver, "device_opened", True) is not False:
            return DeviceError(f"{self.name}: {action} failed: {detail}")
        if self.stats.samples or self.stats.discarded or _errno(exc) == _LIBUSB_NO_DEVICE:
            self._dead = DeviceLostError(f"{self.name}: device lost after {self.stats.samples} samples: "
                                         f"{action} failed: {detail}")
        else:
            self._dead = DeviceError(f"{self.name}: {action} failed and the driver closed the device: {detail}")
        return self._dead

    def describe(self) -> dict:
        """The device and its settings as a JSON-ready dict (for SigMF ``core:hw`` and run records)."""
        return {
            "source": self.name,
            "device_index": self.device_index,
            "serial": self.serial,
            "tuner": self.tuner_name,
            "sample_rate_hz": self.sample_rate_hz,
            "center_freq_hz": self.center_freq_hz,
            "gain_db": self.gain_db,
            "ppm": self.ppm,
            "bias_tee": self.bias_tee,
            "direct_sampling": self.direct_sampling,
        }

    # -- streaming ---------------------------------------------------------------------------------------
    def _reset_stream(self) -> None:
        """Start counting a new stream (after a retune): leftover bytes go, the wall clock restarts."""
        self._leftover = b""
        self._t0 = self._clock()
        self._stream_bytes = 0  # bytes received from USB since _t0
        self._gap_samples = 0  # samples already reported lost since _t0

    def restart_clock(self) -> None:
        """Restart the wall-clock accounting without retuning (after a deliberate pause in reading).

        Samples not read during the pause were still lost by the dongle; call this only when that is intended
        and the samples around the pause must not be treated as contiguous.
        """
        self._t0 = self._clock()
        self._stream_bytes = 0
        self._gap_samples = 0

    def _count_gap(self) -> int:
        """Samples missing against the wall clock that have not been reported yet (0 within tolerance)."""
        rate = self.sample_rate_hz or self.requested_sample_rate_hz
        expected = (self._clock() - self._t0) * rate
        deficit = expected - (self._stream_bytes // 2 + self._gap_samples)
        tolerance = max(self.drop_tolerance_s * rate, self.clock_tolerance_ppm * 1e-6 * expected)
        if deficit <= tolerance:
            return 0
        gap = int(round(deficit))
        self._gap_samples += gap
        first = self._gap_samples == gap  # warn once per tuning, then log quietly
        (log.warning if first else log.info)("%s: %d samples (%.3f s) lost: the host did not read the dongle in time",
                                             self.name, gap, gap / rate)
        return gap

    def _lost_error(self, detail: str, delivered: int = 0) -> DeviceLostError:
        self._dead = DeviceLostError(f"{self.name}: device lost after {self.stats.samples + delivered} samples: "
                                     f"{detail}")
        return self._dead

    def _read(self, count: int) -> tuple[np.ndarray, int]:
        """Read `count` samples (complex64) and the samples found lost while reading them.

        Fewer than `count` samples come back only when the device is lost part-way; the error is raised on
        the next call, so that the samples before it are delivered.
        """
        self._usable_driver()
        need = 2 * int(count)
        buf = bytearray(self._leftover)
        dropped = 0
        failure: str | None = None
        quiet_since = None
        while len(buf) < need:
            want = -(-(need - len(buf)) // _USB_PACKET_BYTES) * _USB_PACKET_BYTES
            want = min(want, self.max_transfer_bytes)
            try:
                data = self._reader.read(want, self.stall_timeout_s)
            except _Stalled:
                failure = f"device stalled: no data for {self.stall_timeout_s:g} s (the USB transfer did not return)"
                break
            except OSError as e:  # pyrtlsdr's LibUSBError / IOError: unplugged, USB error, short read
                failure = _one_line(e)
                break
            if not data:
                now = time.monotonic()
                quiet_since = quiet_since or now
                if now - quiet_since >= self.stall_timeout_s:
                    failure = f"device stalled: no data for {self.stall_timeout_s:g} s"
                    break
                time.sleep(0.001)
                continue
            quiet_since = None
            buf += data
            self._stream_bytes += len(data)
            dropped += self._count_gap()
        if failure is not None and (self._settling or len(buf) < 2):
            self._leftover = b""
            raise self._lost_error(failure)
        usable = min(len(buf), need) // 2 * 2
        self._leftover = bytes(buf[usable:]) if failure is None else b""
        comps = np.frombuffer(buf, dtype=np.uint8, count=usable)
        if not self._settling:
            pairs = comps.reshape(-1, 2)
            self.stats.clipped += int(np.count_nonzero(((pairs == 0) | (pairs == 255)).any(axis=1)))
        samples = to_complex64(comps, "cu8")
        if failure is not None:
            # Deliver what was read before the failure; the next call raises.
            log.error("%s", self._lost_error(failure, delivered=usable // 2))
        return samples, dropped

    # -- teardown ----------------------------------------------------------------------------------------
    def _close(self) -> None:
        driver, self._driver = self._driver, None
        reader, self._reader = self._reader, None
        stuck = False
        if reader is not None:
            stuck = not reader.stop(self.close_timeout_s if reader.busy else 0.1)
        if driver is None:
            return
        if stuck:
            # Closing while a transfer is in flight would free the device under libusb; leave it to process exit.
            log.warning("%s: a USB transfer is still pending after %g s; not closing the device (it is released "
                        "when the program exits)", self.name, self.close_timeout_s)
            return
        if getattr(driver, "device_opened", True) is False:
            return  # pyrtlsdr already closed it (it does so after a failed read or setting)
        try:
            driver.close()
        except Exception as e:  # noqa: BLE001 - teardown must not mask the error being handled
            log.warning("%s: error while closing: %s", self.name, _one_line(e))


def list_devices(library=None) -> list[dict]:
    """The RTL-SDR dongles attached, as librtlsdr enumerates them (like ``rtl_test`` and ``rtl_sdr -d``).

    Parameters
    ----------
    library : module, optional
        The ``rtlsdr`` module (pyrtlsdr) or a stand-in with the same ``RtlSdr`` and ``librtlsdr``;
        imported when None.

    Returns
    -------
    list of dict
        One dict per dongle: ``index``, ``name`` (librtlsdr's model name), ``manufacturer``, ``product``,
        ``serial`` (None when the USB strings cannot be read, e.g. without permission: then ``error`` says why)
        and ``source`` (``"rtlsdr:<index>"``, usable as ``-d <index>`` or ``-d :<serial>``). Empty when none.

    Raises
    ------
    DeviceUnavailableError
        If pyrtlsdr or librtlsdr cannot be loaded (the message says what to install).
    """
    if library is None:
        library = _import_rtlsdr("rtlsdr")
    lib = library.librtlsdr
    devices = []
    for index in range(int(lib.rtlsdr_get_device_count())):
        name = lib.rtlsdr_get_device_name(index)
        entry = {"index": index, "source": f"rtlsdr:{index}",
                 "name": name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name or "")}
        strings = [(ctypes.c_ubyte * 256)() for _ in range(3)]
        result = lib.rtlsdr_get_device_usb_strings(index, *strings)
        if result == 0:
            manufacturer, product, serial = (bytes(s).split(b"\0", 1)[0].decode("utf-8", "replace") for s in strings)
            entry.update(manufacturer=manufacturer, product=product, serial=serial)
        else:
            entry.update(manufacturer=None, product=None, serial=None,
                         error=f"cannot read the USB strings (error {result}; permissions? see rtl-sdr.rules)")
        devices.append(entry)
    return devices
