"""Frequency lists (TS 44.018 §10.5.2.13) and the SI1/SI2/SI2bis/SI2ter/SI2quater/SI13 parsers.

Fixed vectors: osmo-ttcn3-hacks ``sysinfo/Test.ttcn`` (SI1..SI4, SI2bis, SI2ter, SI2quater as sent by
OsmoBSC) and gr-gsm's ``tests/fixtures/grgsm_decode_test1_expected`` (a real SI2 in variable bit map format).
Round trips cover every format with random ARFCN sets.
"""

import numpy as np
import pytest

from detector.gsm._freqlist import FREQ_LIST_FORMATS, decode_freq_list, encode_freq_list
from detector.gsm._sysinfo import SysInfoError, encode_lai, parse_lai, parse_si

OSMO = {
    "SI1": "5506198fb38000000000000000000000000000e504002b",
    "SI2": "59061a00000000000000000000000000000000ffe50400",
    "SI3": "49061b000062f22404d2490301275d40e50400392b2b2b",
    "SI4": "31061c62f22404d25d40e504002b2b2b2b2b2b2b2b2b2b",
    "SI2bis": "550602bfe809b3ff00000000000000000000007900002b",
    "SI2ter": "010603bf66b0aa0a00000002000000000000002b2b2b2b",
    "SI2quater": "050607a8a0364aa698d72ff424feee0506d5e7fff02043",
}


def test_osmocom_vectors_parse():
    si = {k: parse_si(bytes.fromhex(v)) for k, v in OSMO.items()}
    assert all(si[k]["type"] == k for k in OSMO)
    assert si["SI1"]["cell_allocation"] == [871] and si["SI1"]["freq_list_format"] == "variable_bitmap"
    assert si["SI2"]["neighbours"] == [] and si["SI2"]["ncc_permitted"] == list(range(8))
    assert si["SI2bis"]["neighbours"] == [976, 980, 983, 984, 986, 987, 990, 991] + list(range(992, 1000))
    assert si["SI2bis"]["ext_ind"] is True
    assert si["SI2ter"]["neighbours"] == [717, 719, 720, 725, 727, 729, 731, 737, 739, 771]
    assert (si["SI2quater"]["si2quater_index"], si["SI2quater"]["si2quater_count"]) == (4, 5)
    assert si["SI3"]["si2quater_indicator"] is False and si["SI3"]["gprs"] is False
    assert si["SI4"]["cbch"] is False


def test_grgsm_real_si2_and_si3_rest_octets():
    si2 = parse_si(bytes.fromhex("59061a8f6d18108000000000000000000000000078b90000"))
    assert si2["freq_list_format"] == "variable_bitmap" and si2["neighbours"] == [730, 733, 734, 741, 746]
    si3 = parse_si(bytes.fromhex("49061b2bd962f220013ec8070a156009b90000e81f461b"))
    assert si3["gprs"] is True and si3["si2ter_indicator"] is True and si3["si2quater_position"] == "bcch_ext"


def test_bitmap0_layout():
    """Octet 16 bit 1 is ARFCN 1; octet 1 bits 4..1 are ARFCN 124..121."""
    data = bytearray(16)
    data[15] = 0x01
    data[0] = 0x08
    assert decode_freq_list(bytes(data)) == ([1, 124], "bitmap0")


@pytest.mark.parametrize("fmt", FREQ_LIST_FORMATS)
def test_round_trip_every_format(fmt):
    rng = np.random.default_rng(FREQ_LIST_FORMATS.index(fmt))
    span = {"range512": 511, "range256": 255, "range128": 127, "variable_bitmap": 111}
    cap = {"bitmap0": 40, "range1024": 16, "range512": 17, "range256": 21, "range128": 28, "variable_bitmap": 40}
    for _ in range(150):
        n = int(rng.integers(1, cap[fmt] + 1))
        if fmt == "bitmap0":
            a = rng.choice(np.arange(1, 125), n, replace=False)
        elif fmt == "range1024":
            a = rng.choice(1024, n, replace=False)
        else:
            o = int(rng.integers(0, 1024))
            a = (o + np.concatenate([[0], rng.choice(np.arange(1, span[fmt] + 1), n - 1, replace=False)])) % 1024
        a = sorted(int(v) for v in set(a.tolist()))
        assert decode_freq_list(encode_freq_list(a, fmt)) == (a, fmt)


def test_range1024_explicit_vector():
    """W(1) = 512 alone: ARFCN 512; with F0 set, ARFCN 0 too (§10.5.2.13.3)."""
    data = bytearray(16)
    data[0] = 0x80 | 0x04 | (512 >> 8)
    data[1] = 512 & 0xFF
    assert decode_freq_list(bytes(data)) == ([0, 512], "range1024")


def test_format_choice_and_errors():
    assert decode_freq_list(encode_freq_list([10, 20]))[1] == "bitmap0"
    assert decode_freq_list(encode_freq_list([975, 1000, 10]))[1] == "range128"
    assert decode_freq_list(encode_freq_list([512, 885]))[1] == "range512"
    with pytest.raises(ValueError):
        encode_freq_list([0], "bitmap0")
    with pytest.raises(ValueError):
        encode_freq_list(list(range(1, 30)), "range1024")  # 29 > 16
    with pytest.raises(SysInfoError, match="SI2 neighbour cell description"):
        parse_si(bytes.fromhex("59061a" + "8c"))


def test_lai_round_trip():
    for mcc, mnc in (("460", "00"), ("467", "05"), ("310", "410"), ("001", "01")):
        assert parse_lai(encode_lai(mcc, mnc, 12345)) == {"mcc": mcc, "mnc": mnc, "lac": 12345}
    with pytest.raises(ValueError):
        encode_lai("46", "00", 1)


# osmocom/osmo-bsc tests/gsm0408/gsm0408_test.ok: range-encoded channel lists and the ARFCNs they hold
OSMOBSC_RANGE = [
    ("88009834 85367c50 22dc5eec 00000000", [1, 12, 31, 51, 57, 91, 97, 98, 113, 117, 120, 125]),
    ("8800827f 013f7e04 0bfffffc 104107e0", list(range(1, 18))),
    ("8800827f 017f7e04 0bfffffc 104107ff", list(range(1, 19))),
    ("8800943a 4432d72a 432a1394 e53839f6", [1, 17, 31, 45, 58, 79, 81, 97, 113, 127, 213, 277, 287, 311, 331, 391,
                                            417, 511]),
    ("880508fc 88b96b00 00000000 00000000", [10, 17, 31, 45, 58, 79]),
    ("8471e4ab b95805cb 3917fdb0 75620f2f", [0, 17, 31, 45, 58, 79, 81, 97, 113, 127, 213, 277, 287, 311, 331, 391,
                                            1023]),
    ("8071e4ab b95805cb 3917fdb0 75620f2f", [17, 31, 45, 58, 79, 81, 97, 113, 127, 213, 277, 287, 311, 331, 391, 1023]),
]


@pytest.mark.parametrize("hexdata, arfcns", OSMOBSC_RANGE)
def test_osmobsc_range_vectors_both_directions(hexdata, arfcns):
    data = bytes.fromhex(hexdata.replace(" ", ""))
    got, fmt = decode_freq_list(data)
    assert got == arfcns
    assert encode_freq_list(arfcns, fmt) == data  # same pivots as OsmoBSC (TS 44.018 Annex J)


def test_osmobsc_range_w_vector():
    """range_enc_arfcns(1023, freqs1) of gsm0408_test.c gives these W(1..16) (values there are ARFCN - 1)."""
    from detector.gsm._freqlist import _encode_subtree

    freqs1 = [12, 70, 121, 190, 250, 320, 401, 475, 520, 574, 634, 700, 764, 830, 905, 980]
    assert _encode_subtree([f + 1 for f in freqs1], 1024)[1:] == [122, 2, 69, 204, 75, 66, 60, 70, 83, 3, 24, 67, 54,
                                                                   64, 70, 9]


# osmo-bsc gsm0408_test.ok: SI2quater generated for configured EARFCN / UARFCN neighbours
OSMOBSC_SI2Q = [
    ("590607400004870000b3077dd0a0" + "2b" * 9, {"eutran_earfcns": [1917]}),
    ("590607400004870000b3077d983c620f234140" + "2b" * 4, {"eutran_earfcns": [1917, 1932, 1937]}),
    ("590607400004870000b3077d983c620f235079905" "00b2b", {"eutran_earfcns": [1917, 1932, 1937, 1945]}),
    ("590607422004870000b307ad41ebf20f7d6140" + "2b" * 4, {"eutran_earfcns": [1965, 1967, 1982],
                                                          "si2quater_index": 1, "si2quater_count": 1}),
    ("5906074000250f7c0c1a0b" + "2b" * 12, {"utran_fdd": [{"uarfcn": 1982, "cells": 1}]}),
    ("59060740002552880a7d52e80a7e0b" + "2b" * 8, {"utran_fdd": [{"uarfcn": 10564, "cells": 1},
                                                                 {"uarfcn": 10612, "cells": 1}]}),
]


@pytest.mark.parametrize("hexdata, expected", OSMOBSC_SI2Q)
def test_si2quater_3g_and_lte_neighbours(hexdata, expected):
    si = parse_si(bytes.fromhex(hexdata))
    assert si["type"] == "SI2quater"
    for k, v in expected.items():
        assert si[k] == v
