"""System Information parsing against published octets (osmo-ttcn3-hacks, gr-gsm fixtures, the real capture)."""

import pytest

from detector.gsm import SysInfoError, parse_lai, parse_si


def test_osmocom_si3_vector():
    si = parse_si(bytes.fromhex("49061b000062f22404d2490301275d40e50400392b2b2b"))
    assert (si["type"], si["cell_id"], si["mcc"], si["mnc"], si["lac"]) == ("SI3", 0, "262", "42", 1234)
    assert si["ccch_conf"] == 1  # combined CCCH/SDCCH


def test_osmocom_si4_vector():
    si = parse_si(bytes.fromhex("31061c62f22404d25d40e504002b" + "2b" * 9))
    assert (si["type"], si["mcc"], si["mnc"], si["lac"]) == ("SI4", "262", "42", 1234)


def test_grgsm_real_capture_si3():
    si = parse_si(bytes.fromhex("49061b2bd962f220013ec8070a156009b90000e81f461b"))
    assert (si["cell_id"], si["mcc"], si["mnc"], si["lac"], si["ccch_conf"]) == (11225, "262", "02", 318, 0)


def test_real_capture_953_6_si3_identity():
    """The published SI3 bytes of GSMSP_20070204_robert_dbsrx_953.6MHz_128.cfile (../shared/real-captures/README)."""
    octets = bytes.fromhex("49061b3b2d72f2203aa8")
    assert (octets[3] << 8) | octets[4] == 15149
    assert parse_lai(octets[5:10]) == {"mcc": "272", "mnc": "02", "lac": 15016}


def test_three_digit_mnc_and_bad_input():
    assert parse_lai(bytes.fromhex("64f01000ff"))["mnc"] == "01"
    assert parse_lai(bytes.fromhex("52f01000ff")) == {"mcc": "250", "mnc": "01", "lac": 255}
    assert parse_lai(bytes.fromhex("64001000ff"))["mnc"] == "010"  # MNC3 = 0: a 3-digit MNC
    with pytest.raises(SysInfoError, match="SI3: needs 16 octets, message has 5"):
        parse_si(bytes.fromhex("49061b0000") + b"\x62\xf2\x24")
    with pytest.raises(SysInfoError, match="protocol discriminator is 0x5"):
        parse_si(bytes.fromhex("49051b"))
    assert parse_si(bytes.fromhex("59061a" + "00" * 20))["type"] == "SI2"
