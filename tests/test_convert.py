"""Sample-format conversions against hand-computed values, for every datatype."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from detector.errors import FormatError
from detector.sources import FORMATS, from_complex64, sample_format, to_complex64


def test_cu8_hand_values():
    got = to_complex64(bytes([0, 255, 127, 128, 64, 192]), "cu8")
    want = np.array([-1 + 1j, -0.5 / 127.5 + 0.5j / 127.5, -63.5 / 127.5 + 64.5j / 127.5], np.complex64)
    assert got.dtype == np.complex64
    assert_allclose(got, want, rtol=0, atol=1e-7)


def test_ci8_hand_values():
    got = to_complex64(np.array([-128, 127, 0, -1, 64, -64], np.int8).tobytes(), "ci8")
    assert_array_equal(got, np.array([-1 + 127j / 128, 0 - 1j / 128, 0.5 - 0.5j], np.complex64))


def test_ci16_le_hand_values():
    raw = bytes([0x00, 0x80, 0xFF, 0x7F, 0x00, 0x40, 0x00, 0xC0])  # -32768, 32767, 16384, -16384
    got = to_complex64(raw, "cs16")
    assert_array_equal(got, np.array([-1 + 32767j / 32768, 0.5 - 0.5j], np.complex64))


def test_ci16_be_differs_from_le():
    raw = bytes([0x40, 0x00, 0x00, 0x01])
    assert_array_equal(to_complex64(raw, "ci16_be"), np.array([0.5 + 1j / 32768], np.complex64))


def test_cf32_le_is_taken_as_is_and_copied():
    x = np.array([0.25 - 2.0j, np.float32(1e-3) + 7j], np.complex64)
    raw = bytearray(x.tobytes())
    got = to_complex64(raw, "cfile")
    assert_array_equal(got, x)
    raw[0:4] = np.float32(9).tobytes()
    assert got[0] == 0.25 - 2.0j  # a copy, not a view of the caller's buffer


def test_cf32_be_and_cf64():
    assert_array_equal(to_complex64(np.array([1.5, -2], ">f4").tobytes(), "cf32_be"), [1.5 - 2j])
    assert_array_equal(to_complex64(np.array([0.125, 3], "<f8").tobytes(), "cf64"), [0.125 + 3j])


@pytest.mark.parametrize("name", ["cu8", "ci8", "ci16_le", "ci16_be"])
def test_integer_round_trip_is_exact(name):
    fmt = FORMATS[name]
    info = np.iinfo(fmt.component_dtype)
    comps = np.arange(info.min, info.max + 1, max(1, (info.max - info.min) // 4096), dtype=np.int64)
    comps = comps[: comps.size // 2 * 2].astype(fmt.component_dtype)
    raw = comps.tobytes()
    assert from_complex64(to_complex64(raw, fmt), fmt) == raw


def test_from_complex64_clips_and_rounds():
    assert from_complex64(np.array([2 - 2j, 0.001 + 0j], np.complex64), "cu8") == bytes([255, 0, 128, 128])


def test_unknown_datatype_lists_the_known_ones():
    with pytest.raises(FormatError, match=r"unknown sample datatype 'ri16'; expected one of cf32_be, cf32_le"):
        sample_format("ri16")


def test_odd_component_count_refused():
    with pytest.raises(FormatError, match="odd number of components"):
        to_complex64(bytes(3), "cu8")
