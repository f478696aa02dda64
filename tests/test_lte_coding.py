"""LTE sequences and PBCH coding against spec tables, published check values and naive spec transcriptions."""

import numpy as np
import pytest

from detector.lte import (
    PORT_MASKS,
    conv_encode,
    crc16,
    encode_mib,
    gold,
    parse_mib,
    pss,
    rate_dematch,
    rate_match,
    sss,
    sss_indices,
    viterbi_tailbiting,
)
from detector.lte._coding import rate_match_indices
from detector.lte._pbch import pbch_re_map


def test_crc16_published_check_value():
    # CRC-16/XMODEM (poly 0x1021, init 0, no reflection) of "123456789" is 0x31C3
    bits = np.unpackbits(np.frombuffer(b"123456789", np.uint8))
    assert int("".join(map(str, crc16(bits))), 2) == 0x31C3
    assert crc16(np.zeros(24, np.uint8)).tolist() == [0] * 16


def test_port_masks_36212_table_5311():
    assert PORT_MASKS[1].tolist() == [0] * 16
    assert PORT_MASKS[2].tolist() == [1] * 16
    assert PORT_MASKS[4].tolist() == [0, 1] * 8


@pytest.mark.parametrize("n1,m", [(0, (0, 1)), (1, (1, 2)), (29, (29, 30)), (30, (0, 2)), (58, (28, 30)),
                                  (59, (0, 3)), (60, (1, 4)), (87, (0, 4))])
def test_sss_indices_36211_table_6112_1(n1, m):
    assert sss_indices(n1) == m


def test_pss_zadoff_chu_values_and_symmetry():
    n = np.arange(31)
    for n2, u in enumerate((25, 29, 34)):
        d = pss(n2)
        np.testing.assert_allclose(d[:31], np.exp(-1j * np.pi * u * n * (n + 1) / 63), atol=1e-12)
        np.testing.assert_allclose(d[31:], np.exp(-1j * np.pi * u * (n + 32) * (n + 33) / 63), atol=1e-12)
    np.testing.assert_allclose(pss(2), np.conj(pss(1)), atol=1e-12)  # u = 34 = 63 - 29
    assert abs(pss(0)[1] - np.exp(-1j * np.pi * 50 / 63)) < 1e-12


def _naive_gold(c_init, length):
    """36.211 §7.2 transcribed literally (one bit at a time)."""
    nc = 1600
    x1 = [1] + [0] * 30
    x2 = [(c_init >> i) & 1 for i in range(31)]
    for n in range(nc + length):
        x1.append((x1[n + 3] + x1[n]) % 2)
        x2.append((x2[n + 3] + x2[n + 2] + x2[n + 1] + x2[n]) % 2)
    return [(x1[n + nc] + x2[n + nc]) % 2 for n in range(length)]


@pytest.mark.parametrize("c_init", [0, 1, 150, 253, 2 ** 30 + 12345])
def test_gold_matches_spec_transcription(c_init):
    assert gold(c_init, 200).tolist() == _naive_gold(c_init, 200)


def test_sss_structure():
    d0, d5 = sss(84, 1, 0), sss(84, 1, 5)
    assert set(d0.tolist()) == {-1, 1} and d0.size == 62
    assert not np.array_equal(d0, d5)
    # the even halves of subframes 0 and 5 swap s0/s1 but share c0
    with pytest.raises(ValueError):
        sss(168, 0, 0)


def test_conv_encoder_is_tail_biting_and_matches_generators():
    rng = np.random.default_rng(1)
    c = rng.integers(0, 2, 40).astype(np.uint8)
    d = conv_encode(c)
    g = [0o133, 0o171, 0o165]
    for i, gi in enumerate(g):
        taps = [(gi >> (6 - j)) & 1 for j in range(7)]  # g(0) on c_k ... g(6) on c_{k-6}
        want = [sum(taps[j] * c[(k - j) % 40] for j in range(7)) % 2 for k in range(40)]
        assert d[i].tolist() == want


def test_rate_matching_interleaver_36212_5142():
    idx = rate_match_indices(40, 120)
    assert sorted(idx.tolist()) == list(range(120))  # every coded bit once per 120
    # first column read is permuted column 1: rows 0 (dummy) and 1 -> y[33] = d[9]
    assert idx[:4].tolist() == [9, 25, 17, 1]
    assert rate_match_indices(40, 1920).tolist() == idx.tolist() * 16


def test_viterbi_decodes_noisy_mib_through_the_whole_chain():
    rng = np.random.default_rng(2)
    a = encode_mib(75, "extended", "1/6", sfn=513)
    c = np.concatenate([a, crc16(a) ^ PORT_MASKS[4]])
    e = rate_match(conv_encode(c), 1920)
    llr = (1 - 2.0 * e) + rng.normal(0, 2.0, e.size)
    bits, metric = viterbi_tailbiting(rate_dematch(llr, 40))
    assert bits.tolist() == c.tolist() and metric > 0.3
    assert np.array_equal(crc16(bits[:24]) ^ bits[24:], PORT_MASKS[4])
    m = parse_mib(bits[:24])
    assert (m["n_rb_dl"], m["phich"], m["sfn_msb"]) == (75, {"duration": "extended", "resource": "1/6"}, 128)


def test_mib_bit_layout_36331():
    # dl-Bandwidth n50 = 3 (011), phich normal (0), Ng one = 2 (10), SFN 8 MSBs of 120 = 30 (00011110), spare
    assert "".join(map(str, encode_mib(50, "normal", "1", 120))) == "011" "0" "10" "00011110" + "0" * 10
    with pytest.raises(ValueError):
        encode_mib(7)
    with pytest.raises(ValueError):
        parse_mib([1, 1, 1] + [0] * 21)


def test_pbch_resource_count_36211_664():
    for cp, n in (("normal", 240), ("extended", 216)):
        for pci in (0, 1, 2, 253):
            l, k = pbch_re_map(pci, cp)
            assert l.size == n
            assert not np.any((l < 2) & (k % 3 == pci % 3))
