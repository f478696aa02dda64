"""RtlSdrSource against the pyrtlsdr stand-in (tests/fake_rtlsdr.py); one real-dongle smoke test."""

import importlib.abc
import importlib.machinery
import logging
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from fake_rtlsdr import (
    TUNER_E4000,
    TUNER_FC2580,
    FakeDongle,
    LibUSBError,
    cu8_stream,
    fake_bus,
    install,
)

from detector.errors import DeviceError, DeviceLostError, DeviceUnavailableError, UsageError
from detector.sources._convert import to_complex64
from detector.sources._rtlsdr import RtlSdrSource, check_sample_rate, list_devices

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RANGES_TEXT = "librtlsdr accepts 225001-300000 S/s and 900001-3200000 S/s"
SETTLE = 16384


def open_fake(*dongles, **kw):
    """A source on a fresh fake bus (one R820T dongle by default); returns (source, bus)."""
    bus = fake_bus(*(dongles or (FakeDongle(),)))
    kw.setdefault("clock", bus.clock)
    return RtlSdrSource(driver_factory=bus, **kw), bus


# -- settings ------------------------------------------------------------------------------------------------
def test_settings_reach_the_driver():
    src, bus = open_fake(sample_rate_hz=2.048e6, gain_db=30, ppm=12, bias_tee=True)
    drv = bus.instances[0]
    assert src.name == "rtlsdr:0" and src.tuner_name == "R820T"
    assert drv._rate == 2_048_000 and src.sample_rate_hz == drv.sample_rate == 2.048e6
    assert drv.manual_gain and src.gain_db == 29.7  # R820T: 29.7 dB is the supported gain nearest 30 dB
    assert 29.7 in src.valid_gains_db
    assert drv.freq_correction == 12 and src.ppm == 12
    assert drv.bias_tee is True and drv.direct_sampling == 0
    src.tune(947.4e6)
    assert drv._freq == 947_400_000 and src.center_freq_hz == 947.4e6
    src.set_gain(49)
    assert src.gain_db == 49.6 and src.read_block(16).gain_db == 49.6
    src.close()


def test_auto_gain_zero_ppm_and_bias_tee_off():
    src, bus = open_fake(gain_db=None, ppm=0)
    drv = bus.instances[0]
    assert src.gain_db is None and drv.manual_gain is False
    # librtlsdr refuses to set the correction it already has (0) and pyrtlsdr then closes the device:
    assert drv.device_opened and drv.freq_correction == 0
    assert drv.bias_tee is False
    src.set_ppm(-3)
    src.set_ppm(-3)  # unchanged: not sent again, device stays open
    assert drv.freq_correction == -3 and drv.device_opened
    src.close()


def test_gain_snaps_to_the_e4000_table():
    src, _ = open_fake(FakeDongle(tuner_type=TUNER_E4000), gain_db=30)
    assert src.gain_db == 29.0 and src.tuner_name == "E4000"
    src.close()


def test_direct_sampling_reaches_the_driver_and_allows_hf():
    src, bus = open_fake(direct_sampling=2)
    assert bus.instances[0].direct_sampling == 2
    src.tune(14e6)
    assert bus.instances[0]._freq == 14_000_000
    with pytest.raises(DeviceError, match=r"30 MHz is outside the direct sampling \(Q branch\) range 0-28.8 MHz"):
        src.tune(30e6)
    src.close()


@pytest.mark.parametrize("rate", [500_000, 3.3e6, 225_000, 300_001, 900_000, 0, -2.4e6, float("nan"), 225000.9])
def test_invalid_rates_are_refused_before_the_device_is_touched(rate):
    bus = fake_bus(FakeDongle())
    with pytest.raises(DeviceError) as e:
        RtlSdrSource(0, sample_rate_hz=rate, driver_factory=bus)
    assert RANGES_TEXT in str(e.value) and str(e.value).startswith("rtlsdr:0: sample rate ")
    assert bus.instances == []


@pytest.mark.parametrize("rate", [225_001, 300_000, 900_001, 3_200_000])
def test_edge_rates_are_accepted(rate):
    src, bus = open_fake(sample_rate_hz=rate)
    assert bus.instances[0]._rate == rate
    assert abs(src.sample_rate_hz - rate) < 1  # the exact resampler rate the driver reports
    src.close()


def test_check_sample_rate_message_is_exact():
    with pytest.raises(DeviceError) as e:
        check_sample_rate(500000, "rtlsdr:0")
    assert str(e.value) == f"rtlsdr:0: sample rate 500000 S/s is not supported; {RANGES_TEXT}"


def test_rates_above_2_56_msps_warn(caplog):
    with caplog.at_level(logging.WARNING, logger="detector.sources._rtlsdr"):
        src, _ = open_fake(sample_rate_hz=3.2e6)
    assert "lose samples" in caplog.text
    src.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="detector.sources._rtlsdr"):
        src, _ = open_fake(sample_rate_hz=2.56e6)
    assert caplog.text == ""
    src.close()


def test_set_sample_rate_while_tuned_starts_a_new_segment():
    src, bus = open_fake(settle_samples=1024)
    src.tune(900e6)
    assert src.read_block(100).segment == 0
    src.set_sample_rate(1.92e6)
    assert bus.instances[0]._rate == 1_920_000
    block = src.read_block(100)
    assert block.segment == 1 and block.sample_rate_hz == 1.92e6
    src.close()


# -- tuner range ---------------------------------------------------------------------------------------------
def test_r820t_refuses_2_ghz():
    src, bus = open_fake()
    with pytest.raises(DeviceError) as e:
        src.tune(2.0e9)
    assert str(e.value) == "rtlsdr:0: 2000 MHz is outside the R820T tuner's range 24-1766 MHz"
    assert bus.instances[0]._freq == 80_000_000  # nothing was sent
    with pytest.raises(DeviceError, match=r"14 MHz is outside the R820T tuner's range 24-1766 MHz \(below that, "
                                          r"use direct sampling: -D\)"):
        src.tune(14e6)
    src.close()


def test_e4000_refuses_its_gap_and_fc2580_its_gap():
    src, _ = open_fake(FakeDongle(tuner_type=TUNER_E4000))
    with pytest.raises(DeviceError, match=r"1200 MHz is outside the E4000 tuner's range 52-1100 MHz and 1250-2200 MHz"):
        src.tune(1.2e9)
    src.tune(1.0e9)
    src.tune(1.8e9)
    src.close()
    src, _ = open_fake(FakeDongle(tuner_type=TUNER_FC2580))
    with pytest.raises(DeviceError, match="FC2580 tuner's range 146-308 MHz and 438-924 MHz"):
        src.tune(400e6)
    src.close()


# -- samples -------------------------------------------------------------------------------------------------
def test_samples_are_exact_after_settling():
    src, bus = open_fake(sample_rate_hz=2.4e6, settle_samples=SETTLE)
    drv = bus.instances[0]
    src.tune(947.4e6)
    assert src.stats.discarded == SETTLE
    a = src.read_block(10_000)
    b = src.read_block(5_000)
    np.testing.assert_array_equal(a.samples, to_complex64(cu8_stream(SETTLE * 2, 20_000), "cu8"))
    np.testing.assert_array_equal(b.samples, to_complex64(cu8_stream(SETTLE * 2 + 20_000, 10_000), "cu8"))
    assert a.samples[0] == to_complex64(cu8_stream(SETTLE * 2, 2), "cu8")[0]
    assert (a.start_sample, b.start_sample, a.dropped, b.dropped) == (0, 10_000, 0, 0)
    assert all(n % 512 == 0 for n in drv.reads), drv.reads  # librtlsdr wants whole USB packets
    assert src.stats.samples == 15_000 and src.stats.dropped == 0 and src.stats.clipped == 0
    src.close()


def test_a_retune_starts_a_new_segment_and_drops_old_bytes():
    src, bus = open_fake(settle_samples=SETTLE)
    drv = bus.instances[0]
    src.tune(935.2e6)
    first = src.read_block(1000)  # 2000 bytes from a 2048-byte transfer: 48 bytes left over
    assert first.segment == 0 and first.center_freq_hz == 935.2e6
    position = drv.position
    src.tune(947.4e6)
    second = src.read_block(1000)
    assert second.segment == 1 and second.center_freq_hz == 947.4e6 and src.stats.retunes == 1
    assert src.stats.discarded == 2 * SETTLE + 24  # the old tuning's leftover is not delivered as new
    np.testing.assert_array_equal(second.samples, to_complex64(cu8_stream(position + 2 * SETTLE, 2000), "cu8"))
    blocks = list(src.sweep([950e6, 951e6, 952e6], samples_per_step=5000, block_samples=2048))
    assert [b.segment for b in blocks] == [2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert [len(b) for b in blocks[:3]] == [2048, 2048, 904]
    src.close()


def test_clipped_samples_are_counted_but_not_while_settling():
    src, _ = open_fake(FakeDongle(amplitude=200.0), settle_samples=SETTLE)
    src.tune(947.4e6)
    src.read_block(4000)
    pairs = np.frombuffer(cu8_stream(2 * SETTLE, 8000, amplitude=200.0), np.uint8).reshape(-1, 2)
    expected = int(((pairs == 0) | (pairs == 255)).any(axis=1).sum())
    assert expected > 0 and src.stats.clipped == expected
    src.close()


# -- losing the device ---------------------------------------------------------------------------------------
def test_unplugged_mid_stream_raises_device_lost_after_delivering_what_came_before():
    src, bus = open_fake(FakeDongle(unplug_after_bytes=2 * SETTLE + 3 * 2 * 8192 + 100), settle_samples=SETTLE)
    src.tune(947.4e6)
    got = []
    with pytest.raises(DeviceLostError) as e:
        for block in src.blocks(8192):
            got.append(block)
    assert len(got) == 3
    np.testing.assert_array_equal(np.concatenate([b.samples for b in got]),
                                  to_complex64(cu8_stream(2 * SETTLE, 3 * 2 * 8192), "cu8"))
    assert e.value.exit_code == 3
    msg = str(e.value)
    assert msg.startswith("rtlsdr:0: device lost after 24576 samples: ") and "LIBUSB_ERROR_NO_DEVICE" in msg
    with pytest.raises(DeviceLostError):
        src.read_block(10)
    with pytest.raises(DeviceLostError):
        src.tune(900e6)
    src.close()
    src.close()
    assert bus.instances[0].close_calls == 1  # pyrtlsdr closed it on the failed read; we did not close it again


def test_a_block_cut_short_by_the_unplug_is_delivered_then_the_error():
    src, _ = open_fake(FakeDongle(unplug_after_bytes=2 * SETTLE + 65536 + 2 * 16384 + 1), settle_samples=SETTLE)
    src.max_transfer_bytes = 16384
    src.tune(947.4e6)
    full = src.read_block(32768)
    short = src.read_block(32768)
    assert len(full) == 32768 and len(short) == 16384
    np.testing.assert_array_equal(short.samples, to_complex64(cu8_stream(2 * SETTLE + 65536, 32768), "cu8"))
    with pytest.raises(DeviceLostError, match="device lost after 49152 samples"):
        src.read_block(32768)
    src.close()


def test_a_hung_transfer_is_reported_as_a_stall_and_close_is_bounded():
    dongle = FakeDongle(hang_at_byte=2 * SETTLE + 10)
    src, bus = open_fake(dongle, settle_samples=SETTLE, stall_timeout_s=0.2)
    src.close_timeout_s = 0.2
    src.tune(947.4e6)
    t = time.monotonic()
    with pytest.raises(DeviceLostError, match=r"rtlsdr:0: device lost after 0 samples: device stalled: no data "
                                              r"for 0.2 s") as e:
        src.read_block(1000)
    assert e.value.exit_code == 3 and time.monotonic() - t < 2
    t = time.monotonic()
    src.close()
    assert time.monotonic() - t < 1.0
    assert bus.instances[0].close_calls == 0  # not closed under a pending transfer
    dongle.release()


def test_reads_that_bring_no_data_are_a_stall():
    src, _ = open_fake(FakeDongle(empty_after_bytes=2 * SETTLE), settle_samples=SETTLE, stall_timeout_s=0.1)
    src.tune(947.4e6)
    with pytest.raises(DeviceLostError, match="device stalled: no data for 0.1 s"):
        src.read_block(1000)
    src.close()


# -- dropped samples against the wall clock ------------------------------------------------------------------
def test_a_pause_is_counted_as_dropped_samples_on_a_virtual_clock():
    dongle = FakeDongle(pause_at_byte=2 * SETTLE + 200_000, pause_s=0.5)
    src, bus = open_fake(dongle, sample_rate_hz=2.4e6, settle_samples=SETTLE)
    src.tune(947.4e6)
    blocks = [src.read_block(1 << 16) for _ in range(4)]
    lost = bus.instances[0].lost_samples
    assert lost == 1_200_000
    assert [b.dropped > 0 for b in blocks] == [False, True, False, False]  # the 2nd block's read spans the pause
    assert blocks[1].dropped == lost and src.stats.dropped == blocks[1].dropped
    assert sum(len(b) for b in blocks) == src.stats.samples == 4 << 16  # delivered samples are not padded


def test_a_pause_within_the_tolerance_is_not_a_drop():
    src, _ = open_fake(FakeDongle(pause_at_byte=2 * SETTLE + 100_000, pause_s=0.01), sample_rate_hz=2.4e6)
    src.tune(947.4e6)
    assert sum(src.read_block(1 << 16).dropped for _ in range(3)) == 0 and src.stats.dropped == 0
    src.close()


def test_a_real_sleep_inside_read_bytes_shows_as_dropped_against_the_wall_clock():
    dongle = FakeDongle(pause_at_byte=4096, pause_s=0.3, pause_real=True)
    src, bus = open_fake(dongle, sample_rate_hz=2.4e6, settle_samples=0, clock=time.monotonic)
    src.tune(947.4e6)
    first = src.read_block(1024)
    second = src.read_block(4096)  # its transfer sleeps 0.3 s inside read_bytes
    assert first.dropped == 0
    assert 0.25 * 2.4e6 < second.dropped < 2.0 * 2.4e6
    assert src.stats.dropped == second.dropped
    src.close()


# -- opening ------------------------------------------------------------------------------------------------
def test_no_device_is_unavailable():
    with pytest.raises(DeviceUnavailableError) as e:
        RtlSdrSource(0, driver_factory=fake_bus())
    assert str(e.value) == "no RTL-SDR found at index 0 (is it plugged in? `rtl_test` lists devices)"
    assert e.value.exit_code == 1
    with pytest.raises(DeviceUnavailableError, match="no RTL-SDR found at index 1 "):
        RtlSdrSource(1, driver_factory=fake_bus(FakeDongle()))


def test_no_device_through_the_module(monkeypatch):
    install(monkeypatch, fake_bus(FakeDongle()))
    with pytest.raises(DeviceUnavailableError, match="no RTL-SDR found at index 3 "):
        RtlSdrSource(3)


@pytest.mark.parametrize("code, text", [(-3, "udev rules"), (-6, "dvb_usb_rtl28xxu")])
def test_open_failures_say_what_to_do(code, text):
    with pytest.raises(DeviceError, match=text) as e:
        RtlSdrSource(0, driver_factory=fake_bus(FakeDongle(open_errno=code)))
    assert not isinstance(e.value, DeviceUnavailableError)


def test_serial_lookup():
    bus = fake_bus(FakeDongle(serial="A1"), FakeDongle(serial="B2", tuner_type=TUNER_E4000))
    src = RtlSdrSource(":B2", driver_factory=bus)
    assert src.device_index == 1 and src.name == "rtlsdr:1" and src.serial == "B2" and src.tuner_name == "E4000"
    assert bus.instances[0].device_index == 1
    src.close()
    with RtlSdrSource("serial:A1", driver_factory=bus) as src:
        assert src.device_index == 0
    with pytest.raises(DeviceUnavailableError, match="no RTL-SDR has serial ZZ; attached: A1, B2"):
        RtlSdrSource(":ZZ", driver_factory=bus)
    with pytest.raises(DeviceUnavailableError, match=r"no RTL-SDR found \(looking for serial A1\)"):
        RtlSdrSource(":A1", driver_factory=fake_bus())


@pytest.mark.parametrize("device", ["abc", ":", "serial:", -1, True])
def test_malformed_device_specs(device):
    with pytest.raises(UsageError):
        RtlSdrSource(device, driver_factory=fake_bus(FakeDongle()))


@pytest.mark.parametrize("kw", [{"direct_sampling": 3}, {"gain_db": "loud"}, {"ppm": 1.5}, {"stall_timeout_s": 0}])
def test_bad_options_are_usage_errors_before_opening(kw):
    bus = fake_bus(FakeDongle())
    with pytest.raises(UsageError):
        RtlSdrSource(0, driver_factory=bus, **kw)
    assert bus.instances == []


def test_default_factory_is_the_lazily_imported_module(monkeypatch):
    bus = fake_bus(FakeDongle())
    install(monkeypatch, bus)
    with RtlSdrSource(0, gain_db=20) as src:
        src.tune(100e6)
        assert len(src.read_block(100)) == 100
    assert len(bus.instances) == 1 and bus.instances[0].close_calls == 1


def test_close_is_idempotent_and_the_source_unusable_after():
    src, bus = open_fake()
    src.tune(947.4e6)
    src.close()
    src.close()
    assert bus.instances[0].close_calls == 1 and src.closed
    with pytest.raises(UsageError):
        src.read_block(10)


# -- the library missing -------------------------------------------------------------------------------------
def test_missing_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "rtlsdr", None)
    with pytest.raises(DeviceUnavailableError) as e:
        RtlSdrSource(0)
    msg = str(e.value)
    assert "pip install 'detector[rtlsdr]'" in msg and "rtlsdr_set_dithering" in msg and "\n" not in msg
    assert msg.startswith("rtlsdr:0: pyrtlsdr is not usable (ModuleNotFoundError")
    with pytest.raises(DeviceUnavailableError, match=r"detector\[rtlsdr\]"):
        list_devices()


class _DebianLibrtlsdr(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import of `rtlsdr` failing as pyrtlsdr 0.5.x does against Debian's librtlsdr 0.6.0 (ctypes AttributeError)."""

    def find_spec(self, name, path=None, target=None):
        return importlib.machinery.ModuleSpec(name, self) if name == "rtlsdr" else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise AttributeError("/lib/x86_64-linux-gnu/librtlsdr.so.0: undefined symbol: rtlsdr_set_dithering")


def test_debian_librtlsdr_symbol_error_is_explained(monkeypatch):
    monkeypatch.delitem(sys.modules, "rtlsdr", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_DebianLibrtlsdr(), *sys.meta_path])
    with pytest.raises(DeviceUnavailableError) as e:
        RtlSdrSource(0)
    assert "AttributeError" in str(e.value) and "undefined symbol: rtlsdr_set_dithering" in str(e.value)
    assert "pip install 'detector[rtlsdr]'" in str(e.value)


def test_client_only_mode_is_explained(monkeypatch):
    module = install(monkeypatch, fake_bus(FakeDongle()))
    monkeypatch.setattr(module, "RtlSdr", None)
    with pytest.raises(DeviceUnavailableError, match="RTLSDR_CLIENT_MODE"):
        RtlSdrSource(0)


def test_module_import_does_not_load_pyrtlsdr():
    code = "import sys, detector.sources._rtlsdr; sys.exit('rtlsdr' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_the_fake_raises_what_pyrtlsdr_raises():
    try:
        from rtlsdr.rtlsdr import LibUSBError as RealLibUSBError
    except Exception as e:  # noqa: BLE001 - not installed, or its librtlsdr does not load
        pytest.skip(f"pyrtlsdr not importable here: {e}")
    assert issubclass(RealLibUSBError, OSError) and issubclass(LibUSBError, OSError)
    assert str(RealLibUSBError(-4, "Could not read 512 bytes")) == str(LibUSBError(-4, "Could not read 512 bytes"))


# -- list_devices --------------------------------------------------------------------------------------------
def test_list_devices(monkeypatch):
    install(monkeypatch, fake_bus(FakeDongle(serial="A1"), FakeDongle(serial="B2", open_errno=-3)))
    devices = list_devices()
    assert devices[0] == {"index": 0, "source": "rtlsdr:0", "name": "Generic RTL2832U OEM", "manufacturer": "Realtek",
                          "product": "RTL2838UHIDIR", "serial": "A1"}
    assert devices[1]["serial"] is None and "permissions" in devices[1]["error"]
    install(monkeypatch, fake_bus())
    assert list_devices() == []


# -- a real dongle -------------------------------------------------------------------------------------------
@pytest.mark.hardware
def test_real_dongle_smoke():
    with RtlSdrSource(int(os.environ.get("DETECTOR_RTLSDR_INDEX", "0")), sample_rate_hz=2.4e6, gain_db=30) as src:
        f = 100e6 if not src.direct_sampling else 10e6
        src.tune(f)
        blocks = list(src.blocks(1 << 16, 1 << 18))
        assert [len(b) for b in blocks] == [1 << 16] * 4
        assert all(b.samples.dtype == np.complex64 and b.center_freq_hz == f for b in blocks)
        assert src.gain_db in src.valid_gains_db
        samples = np.concatenate([b.samples for b in blocks])
        assert 0 < np.mean(np.abs(samples) ** 2) < 2
