"""GSM channel coding (TS 45.003) against libosmocore's published test vectors, plus round trips.

Vectors: ``osmocom/libosmocore:tests/coding/coding_test.c`` encodes fixed 23-octet L2 frames (xCCH) and
4-octet SCH info words; ``coding_test.ok`` prints the resulting burst bits. They are copied here as data.
"""

import numpy as np
import pytest

from detector.gsm._coding import (
    FIRE_POLY,
    SCH_POLY,
    bits_to_bytes_lsb,
    bytes_to_bits_lsb,
    conv_encode,
    fire_check,
    fire_encode,
    parity_bits,
    sch_decode,
    sch_encode,
    viterbi_decode,
    xcch_decode,
    xcch_encode,
    xcch_interleave_indices,
)
from detector.gsm._constants import DUMMY_BITS, SYNC_BITS, TSC_BITS
from detector.gsm._schinfo import frame_number, parse_sch_bits, sch_info_bits

# libosmocore coding_test.ok: per burst "57 bits, hl, hu, 57 bits"
XCCH_VECTORS = {
    "0303010000000000000000000000000000000000000000": [
        "100000010000100000000100000000000000000000101000010000001 01 01 "
        "010000100000010000001000000101000010100000000000001000000",
        "000000010010000000010000000010000001000010100001000000000 01 01 "
        "000000100000010000101000000000000000000001000000000001000",
        "000000000010000000010000100000000000001010000101000010100 01 01 "
        "001000000101000000001001010000000000000100000010100001000",
        "010100000010000000000000100000010000000000000000000010000 01 01 "
        "000010010000000010000001000000001000000000001000000000000"],
    "a3af5fc6364344abd96d7d6224c9d292fa275d717a59a8": [
        "100101111001010011001000001110111100100110011000010001010 01 01 "
        "001010000001111000110110001010011010011101101010100000000",
        "101010010101101011000100001001011101101110100001100010101 01 01 "
        "000000001101011111000011000010110011110101111111101010010",
        "001001110100011001111111100011010111101010110100100000010 01 01 "
        "110111000100010000101000011001100101001000000011111111000",
        "100100110110111001001001101000011110001111000101111101011 01 01 "
        "000101111010101001011000100010000011000011010010100001011"],
    "0102030405060708090a0b0c0d0e0f1011121314151617": [
        "111011100001111000010010111001000101001111000001010011101 01 01 "
        "110111110010100101110100100110001010110111110101111000100",
        "001110111011000100010011110000011010111001101111100101001 01 01 "
        "011000101000100010001101111101001010100111011101100010110",
        "000000001111110110011100001111111010110111011100100101101 01 01 "
        "010101010010111011101110000010101000011111101110010011100",
        "110100100101000000000101110110000111001011111010101101110 01 01 "
        "110110010111110101010011111011010010110000100000011111101"],
}
SCH_VECTORS = {  # info octets (bits 25.. cleared) -> 78 coded bits
    "03030100": "111001110011000011100111001100001101001111000000000011010000011010110111111100",
    "a3af5f00": "111001110000011101010110011101000101011010011101111111111010011001001110001111",
    "01020300": "110100111100000000110100111100001110011100110000000011101010001101011100110000",
}


def _bits(s):
    return np.array([int(c) for c in s.replace(" ", "")], np.uint8)


@pytest.mark.parametrize("l2hex", sorted(XCCH_VECTORS))
def test_xcch_encode_matches_libosmocore(l2hex):
    e = xcch_encode(bytes.fromhex(l2hex))
    for burst, line in zip(e, XCCH_VECTORS[l2hex], strict=True):
        a, hl, hu, b = line.split()
        assert "".join(map(str, burst[:57])) == a
        assert (burst[57], burst[58]) == (int(hl), int(hu))
        assert "".join(map(str, burst[59:])) == b


@pytest.mark.parametrize("l2hex", sorted(XCCH_VECTORS))
def test_xcch_decode_corrects_erasures_like_libosmocore(l2hex):
    """coding_test.c zeroes 30 soft bits of bursts 0 and 1 and still decodes."""
    e = xcch_encode(bytes.fromhex(l2hex))
    soft = 127.0 * (1 - 2 * e.astype(np.float32))
    soft[0, :30] = 0
    soft[1, :30] = 0
    octets, ok, n_err = xcch_decode(soft)
    assert ok and bytes(octets).hex() == l2hex and n_err == 0


def test_xcch_decode_batch_and_fire_rejects_garbage():
    rng = np.random.default_rng(5)
    frames = [bytes(rng.integers(0, 256, 23, dtype=np.uint8)) for _ in range(20)]
    coded = np.stack([xcch_encode(f) for f in frames]).astype(np.float32)
    soft = 4.0 * (1 - 2 * coded) + rng.normal(0, 2.0, coded.shape)  # ~2 dB Eb/N0: some errors to correct
    octets, ok, _ = xcch_decode(soft)
    good = [bytes(o) == f for o, f in zip(octets, frames, strict=True)]
    assert all(k <= g for k, g in zip(ok, good, strict=True))  # never a passing block with wrong octets
    assert sum(ok) >= 18
    noise = rng.normal(0, 1, (200, 4, 116))
    _, ok, _ = xcch_decode(noise)
    assert not ok.any()  # Fire code: 2^-40 false acceptance


@pytest.mark.parametrize("info", sorted(SCH_VECTORS))
def test_sch_encode_matches_libosmocore(info):
    c = sch_encode(bytes.fromhex(info))
    assert "".join(map(str, c)) == SCH_VECTORS[info]
    soft = 127.0 * (1 - 2 * c.astype(np.float32))
    soft[6:16] = 0  # as coding_test.c
    bits, ok = sch_decode(soft)
    assert ok and bits_to_bytes_lsb(bits).tobytes().hex() == info


def test_conv_code_generators():
    """G0 = 1 + D^3 + D^4, G1 = 1 + D + D^3 + D^4 (TS 45.003 §4.1.3): the impulse response is 11 01 00 11 11."""
    assert conv_encode(np.array([1, 0, 0, 0, 0])).tolist() == [1, 1, 0, 1, 0, 0, 1, 1, 1, 1]
    u = np.random.default_rng(1).integers(0, 2, 40)
    u[-4:] = 0
    soft = 1 - 2 * conv_encode(u).astype(float)
    assert viterbi_decode(soft, 36)[0].tolist() == u[:36].tolist()


def test_parity_codes():
    """Fire: D^40+D^26+D^23+D^17+D^3+1 (0x0004820009); SCH: D^10+D^8+D^6+D^5+D^4+D^2+1 (0x175); inverted remainder."""
    assert FIRE_POLY == (1 << 40) | 0x0004820009
    assert SCH_POLY == (1 << 10) | 0x175
    d = np.zeros(184, np.uint8)
    assert fire_encode(d).tolist() == [1] * 40  # remainder 0 -> parity all ones
    rng = np.random.default_rng(2)
    d = rng.integers(0, 2, 184).astype(np.uint8)
    block = np.concatenate([d, fire_encode(d)])
    assert fire_check(block)
    for i in rng.choice(224, 20, replace=False):
        bad = block.copy()
        bad[i] ^= 1
        assert not fire_check(bad)
    assert parity_bits(np.zeros(25, np.uint8), SCH_POLY).tolist() == [1] * 10


def test_interleaving_is_a_bijection():
    b, j = xcch_interleave_indices()
    assert len(set(zip(b.tolist(), j.tolist(), strict=True))) == 456
    assert (b[:8].tolist(), j[:8].tolist()) == ([0, 1, 2, 3, 0, 1, 2, 3], [0, 98, 82, 66, 51, 35, 19, 3])


def test_lsb_first_packing():
    assert bytes_to_bits_lsb(b"\x49")[:8].tolist() == [1, 0, 0, 1, 0, 0, 1, 0]
    data = bytes(range(23))
    assert bits_to_bytes_lsb(bytes_to_bits_lsb(data)).tobytes() == data


def test_sch_fields_real_capture():
    """The 953.6 MHz capture's SCH (BSIC 56, FN 857107) round-trips through the 25 information bits."""
    for fn in (857107, 857117, 857127, 1, 2715648 - 10):
        d = sch_info_bits(56, fn)
        info = parse_sch_bits(d)
        assert (info.bsic, info.ncc, info.bcc, info.fn) == (56, 7, 0, fn)
    assert frame_number(857107 // 1326, 857107 % 26, 857107 % 51) == 857107
    with pytest.raises(ValueError):
        sch_info_bits(56, 857108)  # not an SCH frame


def test_constants_match_standards_hex():
    assert hex(int("".join(map(str, SYNC_BITS)), 2)) == "0xb962040f2d45761b"
    assert [int("".join(map(str, t)), 2) for t in TSC_BITS] == [
        0x970897, 0xB778B7, 0x10EE90E, 0x11ED11E, 0x6B906B, 0x13AC13A, 0x29F629F, 0x3BC4BBC]
    assert np.packbits(np.concatenate([DUMMY_BITS, [0, 0]])).tobytes().hex() == "fb760a4e09101f1c5c5c574a3339e9f12fa8"
