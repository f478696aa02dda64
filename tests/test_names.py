"""Metadata from file names: the conventions of rtl_433, gqrx, LTE-Cell-Scanner, SDR# and HDSDR."""

import datetime as dt

import pytest

from detector.sources import parse_recording_name, parse_si

UTC = dt.timezone.utc

TABLE = [
    # name, centre Hz, rate S/s, datatype, convention
    ("name_947.4M_2.4M.cu8", 947.4e6, 2.4e6, None, "rtl_433"),
    ("g001_433.92M_250k.cu8", 433.92e6, 250e3, None, "rtl_433"),
    ("cap_1842.5MHz_1.92Msps.cs16", 1842.5e6, 1.92e6, None, "rtl_433"),
    ("x_2048ksps_935000kHz.cu8", 935e6, 2.048e6, None, "rtl_433"),
    ("gqrx_20231128_101500_947400000_2400000_fc.raw", 947.4e6, 2.4e6, "cf32_le", "gqrx"),
    ("f1890_s1.92_g0_0.16s.bin", 1890e6, 1.92e6, None, "lte-cell-scanner"),
    ("f1860_s1.92_g0_1s_rtlsdr.bin", 1860e6, 1.92e6, None, "lte-cell-scanner"),
    ("SDRSharp_20231128_101500Z_947400000Hz_IQ.wav", 947.4e6, None, None, "sdrsharp"),
    ("HDSDR_20231128_101500Z_947400kHz_RF.wav", 947.4e6, None, None, "sdrsharp"),
    ("GSMSP_20070204_robert_dbsrx_953.6MHz_128.cfile", 953.6e6, None, None, "rtl_433"),
    ("plain.cu8", None, None, None, None),
    ("signal.1.92M.dat", None, None, None, None),
]


@pytest.mark.parametrize("name,freq,rate,datatype,convention", TABLE)
def test_name_table(name, freq, rate, datatype, convention):
    info = parse_recording_name("/some/dir/" + name)
    assert info.center_freq_hz == freq
    assert info.sample_rate_hz == rate
    assert info.datatype == datatype
    assert info.convention == convention


def test_times_are_utc():
    assert parse_recording_name("gqrx_20231128_101500_947400000_2400000_fc.raw").datetime == dt.datetime(
        2023, 11, 28, 10, 15, 0, tzinfo=UTC)
    assert parse_recording_name("SDRSharp_20200102_030405Z_100000000Hz_IQ.wav").datetime == dt.datetime(
        2020, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("text,value", [("947.4M", 947.4e6), ("2.4e6", 2.4e6), ("250k", 250e3), ("1G", 1e9),
                                        ("1234", 1234.0), ("935MHz", 935e6)])
def test_parse_si(text, value):
    assert parse_si(text) == value


@pytest.mark.parametrize("bad", ["", "M", "12X", "1.2.3M", "nan"])
def test_parse_si_refuses(bad):
    with pytest.raises(ValueError, match="not a number"):
        parse_si(bad)
