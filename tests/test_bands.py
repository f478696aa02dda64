"""Channel numbering: hand-checked values, round trips at every band edge, and table errata.

Spec facts were checked against the 3GPP text as reproduced on spec-mirror pages and against public
implementations (named beside each test); where a widely copied table is wrong, the wrong value is
a test case (BANDPLANS.md section 9).
"""

import dataclasses
import itertools
import math
import os
import sys

import pytest

from detector.bands import (
    Channel,
    band_info,
    band_names,
    bands_for_freq,
    canonical_band,
    earfcn_to_freq,
    freq_to_earfcn,
    freq_to_gscn,
    freq_to_nr_arfcn,
    freq_to_uarfcn,
    gscn_to_freq,
    gsm_arfcn_to_freq,
    gsm_channels,
    gsm_freq_to_arfcn,
    gsm_subband,
    lte_channels,
    nr_arfcn_to_freq,
    nr_channels,
    nr_ssb_rasters,
    uarfcn_to_freq,
    umts_channels,
)
from detector.bands._tables import GSM_BANDS, GSM_SEGMENTS, LTE_BANDS, NR_BANDS, UMTS_BANDS

MHz = 1e6
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = next((p for p in (os.path.join(ROOT, "..", "shared", "bandplans-reference.toml"),
                              "/work/shared/bandplans-reference.toml") if os.path.exists(p)), None)


def _reference():
    if REFERENCE is None:
        pytest.skip("shared/bandplans-reference.toml not found")
    if sys.version_info < (3, 11):
        tomllib = pytest.importorskip("tomli")
    else:
        import tomllib
    with open(REFERENCE, "rb") as f:
        return tomllib.load(f)


# ------------------------------------------------------------------------------------ public API


def test_agreed_public_api_imports():
    from detector.bands import (  # noqa: F401
        Channel,
        band_info,
        bands_for_freq,
        earfcn_to_freq,
        freq_to_earfcn,
        gsm_arfcn_to_freq,
        gsm_channels,
        lte_channels,
        umts_channels,
    )


def test_channel_is_a_frozen_dataclass_with_the_agreed_fields():
    assert [f.name for f in dataclasses.fields(Channel)] == \
        ["tech", "band", "number", "freq_hz", "link", "duplex", "offset_hz"]
    c = gsm_channels(947.4 * MHz)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.number = 1


# ------------------------------------------------------------------------------------------- GSM


@pytest.mark.parametrize("arfcn, band, link, mhz", [
    (62, None, "dl", 947.4),          # task brief, hand-checked: 890 + 0.2*62 + 45
    (93, None, "dl", 953.6),
    (29, None, "dl", 940.8),
    (975, "E-GSM900", "dl", 925.2),   # 890 + 0.2*(975-1024) + 45
    (975, None, "ul", 880.2),         # BANDPLANS.md §1 checks
    (1, None, "ul", 890.2),
    (124, None, "ul", 914.8),
    (124, None, "dl", 959.8),
    (955, "R-GSM900", "ul", 876.2),
    (940, "ER-GSM900", "ul", 873.2),
    (512, "DCS1800", "dl", 1805.2),
    (512, None, "dl", 1805.2),        # 512-810 without a band: DCS1800
    (885, None, "ul", 1784.8),
    (512, "PCS1900", "dl", 1930.2),
    (810, "PCS1900", "ul", 1909.8),
    (293, None, "ul", 457.4),
    (259, None, "dl", 460.6),
    (306, None, "ul", 479.0),
    (438, None, "dl", 777.2),
    (128, None, "dl", 869.2),
])
def test_gsm_hand_checked_values(arfcn, band, link, mhz):
    assert gsm_arfcn_to_freq(arfcn, band=band, link=link) == pytest.approx(mhz * MHz, abs=1e-3)


@pytest.mark.parametrize("seg", GSM_SEGMENTS, ids=lambda s: f"{s.family}-{s.first}")
@pytest.mark.parametrize("link", ["dl", "ul"])
def test_gsm_round_trip_at_every_segment_edge(seg, link):
    for n in (seg.first, seg.first + 1, seg.last - 1, seg.last):
        f = gsm_arfcn_to_freq(n, band=seg.family, link=link)
        chans = gsm_channels(f, link=link, tol_hz=0)
        assert [(c.band, c.number, c.offset_hz) for c in chans] == [(seg.family, n, 0.0)]
        assert chans[0].freq_hz == f and chans[0].duplex == "fdd" and chans[0].link == link
        assert gsm_freq_to_arfcn(f, link=link) == n
        assert gsm_freq_to_arfcn(f + 60e3, link=link, band=seg.family) == n


@pytest.mark.parametrize("band", GSM_BANDS, ids=lambda b: b.name)
def test_gsm_first_and_last_carrier_sit_200khz_inside_the_band_edges(band):
    """TS 45.005 §2: a 100 kHz guard each side, so carriers run from edge + 200 kHz to edge - 200 kHz."""
    info = band_info(band.name)
    for link in ("dl", "ul"):
        lo, hi = info.edges(link)
        freqs = [gsm_arfcn_to_freq(n, band=band.name, link=link)
                 for a, b in band.arfcns for n in range(a, b + 1)]
        assert min(freqs) == pytest.approx(lo + 200e3) and max(freqs) == pytest.approx(hi - 200e3)
        assert len(set(freqs)) == len(freqs)


def test_gsm_all_arfcns_of_every_band_round_trip():
    for b in GSM_BANDS:
        for a, z in b.arfcns:
            for n in range(a, z + 1):
                for link in ("dl", "ul"):
                    f = gsm_arfcn_to_freq(n, band=b.name, link=link)
                    assert gsm_freq_to_arfcn(f, link=link, band=b.name) == n


def test_gsm_dcs_pcs_ambiguity_is_resolved_by_frequency():
    assert [(c.band, c.number) for c in gsm_channels(1805.2 * MHz)] == [("DCS1800", 512)]
    assert [(c.band, c.number) for c in gsm_channels(1930.2 * MHz)] == [("PCS1900", 512)]
    assert [(c.band, c.number) for c in gsm_channels(1850.2 * MHz, link="ul")] == [("PCS1900", 512)]
    # 1860 MHz is DCS downlink and PCS uplink: the link decides.
    assert [(c.band, c.number) for c in gsm_channels(1860 * MHz, link="dl")] == [("DCS1800", 786)]
    assert [(c.band, c.number) for c in gsm_channels(1860 * MHz, link="ul")] == [("PCS1900", 561)]


def test_gsm_channels_offsets_tolerance_and_order():
    chans = gsm_channels(947.4 * MHz + 1210.0)
    assert [(c.band, c.number, c.offset_hz) for c in chans] == [("GSM900", 62, 1210.0)]
    assert chans[0].freq_hz == 947.4 * MHz
    # Half-way between two channels: both, the lower ARFCN first at equal offset.
    assert [(c.number, c.offset_hz) for c in gsm_channels(947.5 * MHz)] == [(62, 100e3), (63, -100e3)]
    assert [c.number for c in gsm_channels(947.45 * MHz)] == [62]
    assert [c.number for c in gsm_channels(947.45 * MHz, tol_hz=40e3)] == []
    assert [c.number for c in gsm_channels(947.4 * MHz, tol_hz=450e3)] == [62, 61, 63, 60, 64]
    assert gsm_channels(1000 * MHz) == []
    assert gsm_channels(947.4 * MHz, band="DCS1800") == []
    # E-GSM channel 0 and the E-GSM extension are GSM900 channels too.
    assert [(c.band, c.number) for c in gsm_channels(935.0 * MHz)] == [("GSM900", 0)]
    assert [(c.band, c.number) for c in gsm_channels(925.2 * MHz)] == [("GSM900", 975)]


def test_gsm_subbands():
    assert gsm_subband(62) == "P-GSM900"
    assert gsm_subband(0) == gsm_subband(975) == gsm_subband(1023) == "E-GSM900"
    assert gsm_subband(955) == gsm_subband(974) == "R-GSM900"
    assert gsm_subband(940) == gsm_subband(954) == "ER-GSM900"
    assert gsm_subband(128) == "GSM850" and gsm_subband(600) == "DCS1800"
    with pytest.raises(ValueError):
        gsm_subband(1024)


@pytest.mark.parametrize("arfcn", [-1, 125, 127, 252, 258, 294, 305, 341, 437, 886, 939, 1024, 2000])
def test_gsm_invalid_arfcn_names_the_valid_ranges(arfcn):
    with pytest.raises(ValueError, match=r"valid ARFCNs: .*GSM900 0-124.*DCS1800 512-885"):
        gsm_arfcn_to_freq(arfcn)


def test_gsm_arfcn_outside_the_given_band():
    with pytest.raises(ValueError, match=r"not in P-GSM900; its ARFCNs are 1-124"):
        gsm_arfcn_to_freq(0, band="P-GSM900")
    with pytest.raises(ValueError, match=r"not in E-GSM900"):
        gsm_arfcn_to_freq(960, band="E-GSM900")
    with pytest.raises(ValueError, match=r"not in PCS1900; its ARFCNs are 512-810"):
        gsm_arfcn_to_freq(850, band="PCS1900")
    assert gsm_arfcn_to_freq(960, band="R-GSM900") == gsm_arfcn_to_freq(960)
    with pytest.raises(ValueError, match="not a GSM band"):
        gsm_arfcn_to_freq(62, band="B8")
    with pytest.raises(ValueError, match="unknown band"):
        gsm_arfcn_to_freq(62, band="GSM901")
    with pytest.raises(ValueError, match="no GSM DL channel within 100 kHz"):
        gsm_freq_to_arfcn(1000 * MHz)


def test_gsm_erratum_gzlinkall_downlink_base():
    """http://www.gzlinkall.com/c513.html gives the P-GSM downlink as 975 + 0.2 n; TS 45.005 §2 gives
    Fu(n) = Fl(n) + 45 = 935 + 0.2 n (checked against the 45.005 table copies named in _tables.py)."""
    for n in (1, 62, 124):
        assert gsm_arfcn_to_freq(n) == pytest.approx((935 + 0.2 * n) * MHz)
        assert gsm_arfcn_to_freq(n) != pytest.approx((975 + 0.2 * n) * MHz)


# ------------------------------------------------------------------------------------------ UMTS


@pytest.mark.parametrize("uarfcn, link, band, mhz", [
    (10562, "dl", "UMTS-1", 2112.4), (10838, "dl", "UMTS-1", 2167.6),     # BANDPLANS.md §2 (AOSP, netmonster)
    (9612, "ul", "UMTS-1", 1922.4), (9888, "ul", "UMTS-1", 1977.6),
    (2937, "dl", "UMTS-8", 927.4), (3088, "dl", "UMTS-8", 957.6),
    (2712, "ul", "UMTS-8", 882.4), (2863, "ul", "UMTS-8", 912.6),
    (1162, "dl", "UMTS-3", 1807.4), (1513, "dl", "UMTS-3", 1877.6),
    (412, "dl", "UMTS-2", 1932.5), (687, "dl", "UMTS-2", 1987.5),         # additional channels
    (1007, "dl", "UMTS-5", 871.5), (782, "ul", "UMTS-5", 826.5),
    (1887, "dl", "UMTS-4", 2112.5), (1662, "ul", "UMTS-4", 1712.5),
    (712, "dl", "UMTS-19", 877.4),
])
def test_umts_hand_checked_values(uarfcn, link, band, mhz):
    name, f = uarfcn_to_freq(uarfcn, link)
    assert name == band and f == pytest.approx(mhz * MHz)


@pytest.mark.parametrize("u", UMTS_BANDS, ids=lambda u: f"UMTS-{u.band}")
@pytest.mark.parametrize("link", ["dl", "ul"])
def test_umts_round_trip_at_every_band_edge(u, link):
    name = f"UMTS-{u.band}"
    info = band_info(name)
    lo, hi = info.edges(link)
    first, last = u.dl_uarfcn if link == "dl" else u.ul_uarfcn
    # General UARFCNs cover carrier centres from edge + 2.4 MHz to edge - 2.4 MHz (TS 25.101 §5.4.4),
    # on the 200 kHz grid (band 9's edges, 1749.9 / 1844.9 MHz, are off that grid: 2.5 MHz inside).
    f_first, f_last = uarfcn_to_freq(first, link, name)[1], uarfcn_to_freq(last, link, name)[1]
    assert lo + 2.4 * MHz - 1 <= f_first < lo + 2.6 * MHz and hi - 2.6 * MHz < f_last <= hi - 2.4 * MHz + 1
    extra = u.add_dl if link == "dl" else u.add_ul
    for n in (first, last) + extra:
        band, f = uarfcn_to_freq(n, link, name)
        assert band == name and lo <= f <= hi
        assert freq_to_uarfcn(f, name, link) == n
        assert any(c.band == name and c.number == n and c.offset_hz == 0 for c in umts_channels(f, link, tol_hz=0))


def test_umts_errors_and_overlaps():
    with pytest.raises(ValueError, match="not a UL channel"):
        uarfcn_to_freq(10562, link="ul")
    with pytest.raises(ValueError, match="not a DL channel"):
        uarfcn_to_freq(5, link="dl")
    # Band 5 and band 6 share numbers at the same frequencies: the lower band is reported.
    assert uarfcn_to_freq(4400) == ("UMTS-5", 880e6)
    assert uarfcn_to_freq(4400, band="UMTS-6") == ("UMTS-6", 880e6)
    assert [(c.band, c.number) for c in umts_channels(2140 * MHz, tol_hz=0)] == [("UMTS-1", 10700), ("UMTS-4", 1675)]
    with pytest.raises(ValueError, match="no UMTS-1 DL channel"):
        freq_to_uarfcn(2100 * MHz, "UMTS-1")
    with pytest.raises(ValueError, match="not a UMTS band"):
        freq_to_uarfcn(2140 * MHz, "B1")


# ------------------------------------------------------------------------------------------- LTE


@pytest.mark.parametrize("earfcn, link, band, mhz", [
    # The task brief listed "EARFCN 1825 = 1860 MHz band 3", "EARFCN 38400 band 39 = 1880 MHz" and
    # "1890 MHz is EARFCN 38500 in B39". With TS 36.101 Table 5.7.3-1 (B3: F_DL_low 1805, N_Offs 1200;
    # B39: 1880, 38250, confirmed by AOSP, srsRAN_4G and BANDPLANS.md §3/§7.1 "38250 + 10 (f - 1880)"):
    (1825, "dl", "B3", 1867.5),        # 1805 + 0.1 * 625 (China Telecom's 1860-1875 block centre)
    (1750, "dl", "B3", 1860.0),
    (38250, "dl", "B39", 1880.0),
    (38400, "dl", "B39", 1895.0),
    (38350, "dl", "B39", 1890.0),
    (38400, "ul", "B39", 1895.0),      # TDD: same EARFCN, same frequency on the uplink
    (3010, "dl", "B7", 2646.0),
    (41150, "dl", "B41", 2646.0),
    (41589, "dl", "B41", 2689.9),      # BANDPLANS.md §3 checks
    (9659, "dl", "B28", 802.9),
    (6449, "dl", "B20", 820.9),
    (24150, "ul", "B20", 832.0),       # band 20: reverse duplex, uplink above downlink
    (0, "dl", "B1", 2110.0),
    (18000, "ul", "B1", 1920.0),
    (9870, "dl", "B31", 462.5),
    (65536, "dl", "B65", 2110.0),      # EARFCNs above 65535 (Rel-13+)
    (131072, "ul", "B65", 1920.0),
    (7700, "dl", "B24", 1525.0),
    (25700, "ul", "B24", 1626.5),
])
def test_lte_hand_checked_values(earfcn, link, band, mhz):
    name, f = earfcn_to_freq(earfcn, link)
    assert (name, f) == (band, pytest.approx(mhz * MHz))


def test_lte_frequency_to_earfcn_hand_checked():
    assert freq_to_earfcn(1860 * MHz, "B3") == 1750
    assert freq_to_earfcn(1867.5 * MHz, "B3") == 1825
    assert freq_to_earfcn(1890 * MHz, "B39") == 38350
    assert freq_to_earfcn(1880 * MHz, "band 39") == 38250
    assert freq_to_earfcn(2646 * MHz, "B7") == 3010 and freq_to_earfcn(2646 * MHz, "B41") == 41150
    assert freq_to_earfcn(1890.03 * MHz, "B39") == 38350   # measured frequencies round to the raster
    chans = lte_channels(2646 * MHz)
    assert [(c.band, c.number, c.duplex) for c in chans] == [("B7", 3010, "fdd"), ("B41", 41150, "tdd")]
    assert lte_channels(1890 * MHz)[0].band == "B39"
    assert {c.band for c in lte_channels(1880 * MHz)} >= {"B39"}
    assert {c.band for c in lte_channels(1860 * MHz)} == {"B3", "B9", "B35"}


@pytest.mark.parametrize("b", LTE_BANDS, ids=lambda b: f"B{b.band}")
@pytest.mark.parametrize("link", ["dl", "ul"])
def test_lte_round_trip_at_every_band_edge(b, link):
    name = f"B{b.band}"
    info = band_info(name)
    numbers = info.dl_numbers if link == "dl" else info.ul_numbers
    if not numbers:                       # supplemental downlink: no uplink EARFCNs
        assert b.duplex == "sdl" and link == "ul"
        with pytest.raises(ValueError, match="supplemental-downlink"):
            freq_to_earfcn(info.dl_low_hz, name, "ul")
        return
    (first, last), = numbers
    lo, hi = info.edges(link)
    for n in (first, first + 1, last - 1, last):
        band, f = earfcn_to_freq(n, link)
        assert band == name
        assert freq_to_earfcn(f, name, link) == n
        chans = [c for c in lte_channels(f, link, tol_hz=0) if c.band == name]
        assert [(c.number, c.offset_hz, c.freq_hz) for c in chans] == [(n, 0.0, f)]
        assert chans[0].duplex == ("tdd" if b.duplex == "tdd" else "fdd")
    # The first EARFCN sits on the lower edge, the last 100 kHz below the upper edge.
    assert earfcn_to_freq(first, link)[1] == pytest.approx(lo)
    assert earfcn_to_freq(last, link)[1] == pytest.approx(hi - 100e3)
    with pytest.raises(ValueError, match="outside"):
        freq_to_earfcn(hi + 100e3, name, link)


def test_lte_tdd_bands_use_one_earfcn_for_both_links():
    for b in LTE_BANDS:
        if b.duplex == "tdd":
            info = band_info(f"B{b.band}")
            assert info.dl_numbers == info.ul_numbers and info.edges("dl") == info.edges("ul")


def test_lte_earfcn_ranges_never_overlap_on_one_link():
    for link in ("dl", "ul"):
        ranges = sorted(r for b in band_names("lte") for r in getattr(band_info(b), f"{link}_numbers"))
        for (a0, a1), (b0, b1) in itertools.pairwise(ranges):
            assert a1 < b0, (link, (a0, a1), (b0, b1))
    # An FDD downlink EARFCN is never an uplink EARFCN of another band (TDD bands share by design).
    fdd_dl = [band_info(b).dl_numbers[0] for b in band_names("lte") if band_info(b).duplex != "tdd"]
    fdd_ul = [band_info(b).ul_numbers[0] for b in band_names("lte") if band_info(b).duplex == "fdd"]
    assert not any(a0 <= u1 and u0 <= a1 for a0, a1 in fdd_dl for u0, u1 in fdd_ul)


def test_lte_band_range_counts_match_band_widths():
    """Each range of Table 5.7.3-1 has one EARFCN per 100 kHz of the band (recomputed from the MHz edges)."""
    for name in band_names("lte"):
        info = band_info(name)
        for link in ("dl", "ul"):
            e = info.edges(link)
            if e is None:
                continue
            (first, last), = info.dl_numbers if link == "dl" else info.ul_numbers
            assert last - first + 1 == round((e[1] - e[0]) / 100e3)


def test_lte_errors_name_the_other_link_and_gaps():
    with pytest.raises(ValueError, match=r"1825 is a DL EARFCN of B3, not UL; B3's UL EARFCNs are 19200-19949"):
        earfcn_to_freq(1825, link="ul")
    with pytest.raises(ValueError, match="is a UL EARFCN of B3"):
        earfcn_to_freq(19825, link="dl")
    with pytest.raises(ValueError, match="B29 has no uplink"):
        earfcn_to_freq(9700, link="ul")
    with pytest.raises(ValueError, match="in no band"):
        earfcn_to_freq(60255)
    with pytest.raises(ValueError, match="not an LTE band"):
        freq_to_earfcn(1860 * MHz, "DCS1800")


# Errata of BANDPLANS.md section 9, each checked against TS 36.101 Table 5.7.3-1 as reproduced on
# https://itecspec.com/spec/3gpp-36-521-1-5-4-4-carrier-frequency-and-earfcn/ (36.521-1 Table 5.4.4-1,
# Rel-17) and http://mzph.cn/web/7606.shtml (36.101 Table 5.7.3-1), and against the files named.


def test_erratum_aosp_band1_uplink_first_earfcn():
    """AOSP AccessNetworkConstants.java EUTRAN_ARFCN_FREQUENCY_BAND_1 has UL offset 18800; 36.101: 18000."""
    assert band_info("B1").ul_numbers == ((18000, 18599),)
    assert earfcn_to_freq(18000, "ul") == ("B1", 1920e6)
    assert earfcn_to_freq(18599, "ul") == ("B1", pytest.approx(1979.9e6))
    assert earfcn_to_freq(18800, "ul")[0] == "B2"          # AOSP's value is a band 2 uplink EARFCN


def test_erratum_aosp_band14_uplink_first_earfcn():
    """AOSP has band 14 UL offset 23230; 36.101: 23280 (23230 is a band 13 uplink EARFCN)."""
    assert band_info("B14").ul_numbers == ((23280, 23379),)
    assert earfcn_to_freq(23280, "ul") == ("B14", 788e6)
    assert earfcn_to_freq(23230, "ul") == ("B13", pytest.approx(782e6))


def test_erratum_srslte_band22_downlink_low_edge():
    """srsRAN_4G phy_common.c lte_bands[] has band 22 F_DL_low 3500 (duplex 100); 36.101: 3510 / UL 3410."""
    assert earfcn_to_freq(6600) == ("B22", 3510e6)
    assert earfcn_to_freq(24600, "ul") == ("B22", 3410e6)
    assert band_info("B22").dl_low_hz == 3510e6 and band_info("B22").ul_low_hz == 3410e6


def test_erratum_older_release_band11_band12():
    """Old tables (electronics-notes, degaetanos) give band 11 N_DL 4750-4999 and band 12 F_DL_low 728 /
    N_Offs 5000: earlier 36.101 releases, not typos. We follow the current table: B11 4750-4949,
    B12 729 MHz / 5010."""
    assert band_info("B11").dl_numbers == ((4750, 4949),)
    assert earfcn_to_freq(4949) == ("B11", pytest.approx(1495.8e6))
    for stale in (4950, 4999, 5000, 5009):
        with pytest.raises(ValueError):
            earfcn_to_freq(stale)
    assert earfcn_to_freq(5010) == ("B12", 729e6)
    with pytest.raises(ValueError, match="outside B12"):
        freq_to_earfcn(728e6, "B12")


def test_lte_table_agrees_with_the_reference_file():
    ref = _reference()
    for row in ref["lte"]["band"]:
        info = band_info(f"B{row['band']}")
        assert info.duplex == row["duplex"].lower()
        assert info.dl_numbers == ((row["dl_earfcn"][0], row["dl_earfcn"][1]),)
        assert (info.dl_low_hz, info.dl_high_hz) == (row["dl_mhz"][0] * MHz, row["dl_mhz"][1] * MHz)
        assert earfcn_to_freq(row["n_offs_dl"])[1] == pytest.approx(row["dl_low_mhz"] * MHz)
        if "ul_earfcn" in row:
            assert info.ul_numbers == ((row["ul_earfcn"][0], row["ul_earfcn"][1]),)
            assert (info.ul_low_hz, info.ul_high_hz) == (row["ul_mhz"][0] * MHz, row["ul_mhz"][1] * MHz)


def test_gsm_and_umts_tables_agree_with_the_reference_file():
    ref = _reference()
    for row in ref["gsm"]["band"]:
        if "ul_mhz" in row:
            info = band_info(row["name"])
            assert (info.ul_low_hz, info.ul_high_hz) == (row["ul_mhz"][0] * MHz, row["ul_mhz"][1] * MHz)
            assert (info.dl_low_hz, info.dl_high_hz) == (row["dl_mhz"][0] * MHz, row["dl_mhz"][1] * MHz)
        for seg in row["segments"]:
            for n in range(seg["first"], seg["last"] + 1):
                f = gsm_arfcn_to_freq(n, band=row["name"], link="ul")
                assert f == pytest.approx((seg["ul_mhz_at_first"] + 0.2 * (n - seg["first"])) * MHz)
                assert gsm_arfcn_to_freq(n, band=row["name"]) == pytest.approx(f + row["duplex_mhz"] * MHz)
    for row in ref["umts"]["band"]:
        info = band_info(f"UMTS-{row['band']}")
        assert info.dl_numbers[0] == tuple(row["dl_uarfcn"]) and info.ul_numbers[0] == tuple(row["ul_uarfcn"])


# -------------------------------------------------------------------------------------------- NR


@pytest.mark.parametrize("n, mhz", [
    (0, 0.0), (422000, 2110.0), (599999, 2999.995), (600000, 3000.0), (620000, 3300.0),
    (653333, 3799.995), (693334, 4400.01), (2016666, 24249.99), (2016667, 24250.08), (3279165, 99999.96),
])
def test_nr_arfcn_global_raster(n, mhz):
    """TS 38.104 Table 5.4.2.1-1; n78/n79 edge values from BANDPLANS.md §4.2."""
    assert nr_arfcn_to_freq(n) == pytest.approx(mhz * MHz, abs=1e-3)
    if n:
        assert freq_to_nr_arfcn(nr_arfcn_to_freq(n)) == n


def test_nr_arfcn_limits():
    for bad in (-1, 3279166):
        with pytest.raises(ValueError, match="outside"):
            nr_arfcn_to_freq(bad)
    with pytest.raises(ValueError, match="outside the NR global raster"):
        freq_to_nr_arfcn(101e9)
    assert freq_to_nr_arfcn(3500e6) == 633333 and freq_to_nr_arfcn(3500.01e6) == 633334


@pytest.mark.parametrize("b", NR_BANDS, ids=lambda b: b.band)
@pytest.mark.parametrize("link", ["dl", "ul"])
def test_nr_band_rasters_round_trip_at_their_edges(b, link):
    info = band_info(b.band)
    lo, hi = info.edges(link)
    for r in (b.dl if link == "dl" else b.ul):
        for n in (r.first, r.first + r.step, r.last):
            if n > r.last:
                continue
            f = nr_arfcn_to_freq(n)
            assert lo - 1e-3 <= f <= hi + 1e-3
            hits = [c for c in nr_channels(f, link, tol_hz=0, bands=[b.band])]
            assert [(c.band, c.number) for c in hits] == [(b.band, n)] and hits[0].duplex == b.duplex


@pytest.mark.parametrize("gscn, mhz", [
    (1901, 760.85), (2002, 800.65),                 # n28 (BANDPLANS.md §4.2)
    (6246, 2498.55), (6717, 2686.95),               # n41, 15 kHz SSB
    (6252, 2500.95), (6714, 2685.75),               # n41, 30 kHz SSB
    (7711, 3305.28), (8051, 3794.88),               # n78
    (8480, 4412.64), (8880, 4988.64),               # n79, BW >= 40 MHz
    (2, 1.25), (7498, 2999.05), (7499, 3000.0), (22255, 24248.64), (22256, 24250.08), (26639, 99988.32),
])
def test_gscn_values(gscn, mhz):
    """TS 38.104 Table 5.4.3.1-1, checked against srsRAN_Project ssb_gscn.cpp get_ss_ref_from_gscn."""
    assert gscn_to_freq(gscn) == pytest.approx(mhz * MHz, abs=1e-3)
    assert freq_to_gscn(mhz * MHz) == gscn


def test_gscn_every_number_round_trips():
    prev = -1.0
    for g in range(2, 26640):
        f = gscn_to_freq(g)
        assert f > prev
        prev = f
        assert freq_to_gscn(f) == g
    for bad in (1, 26640):
        with pytest.raises(ValueError, match="outside"):
            gscn_to_freq(bad)


def test_erratum_ranbits_gscn_formula():
    """ranbits.com writes GSCN = 3(N-1) + (M-1)/2 for 0-3000 MHz; TS 38.104 Table 5.4.3.1-1 (and srsRAN,
    rfwireless-world) has GSCN = 3N + (M-3)/2. n28's first SSB (N=634, M=1, 760.85 MHz) is GSCN 1901."""
    n, m = 634, 1
    ss_ref = n * 1.2e6 + m * 50e3
    assert freq_to_gscn(ss_ref) == 3 * n + (m - 3) // 2 == 1901
    assert 3 * (n - 1) + (m - 1) // 2 == 1899 and gscn_to_freq(1899) != pytest.approx(ss_ref)
    for n in (1, 700, 2499):
        for m in (1, 3, 5):
            assert gscn_to_freq(3 * n + (m - 3) // 2) == pytest.approx(n * 1.2e6 + m * 50e3)


@pytest.mark.parametrize("b", NR_BANDS, ids=lambda b: b.band)
def test_nr_ssb_rasters_lie_inside_the_band(b):
    info = band_info(b.band)
    for r in nr_ssb_rasters(b.band):
        if r.gscn_step == 0:                       # irregular 15 kHz set of n38 / n39
            gs = [int(g) for g in r.note.split()[2:]]
        else:
            gs = list(range(r.gscn_first, r.gscn_last + 1, r.gscn_step))
        assert gs[-1] == r.gscn_last
        for g in gs:
            assert info.dl_low_hz < gscn_to_freq(g) < info.dl_high_hz


def test_nr_channels_overlapping_bands():
    assert [(c.band, c.number) for c in nr_channels(3500 * MHz)] == [("n77", 633333), ("n78", 633333)]
    assert [(c.band, c.number) for c in nr_channels(1765 * MHz, link="ul")] == [("n3", 353000)]
    # 2600 MHz is on n38's 100 kHz raster but 5 kHz off n41's 15 kHz raster.
    assert [(c.band, c.number, c.offset_hz) for c in nr_channels(2600 * MHz)] == \
        [("n38", 520000, 0.0), ("n41", 519999, pytest.approx(5000.0))]


# ------------------------------------------------------------------------------------ band names


def test_band_names_and_canonical_spellings():
    names = band_names()
    assert len(names) == len(set(names))
    for must in ("GSM900", "E-GSM900", "DCS1800", "PCS1900", "UMTS-1", "B3", "B39", "B41", "n78"):
        assert must in names
    assert band_names("gsm") == ["GSM450", "GSM480", "GSM750", "GSM850", "GSM900", "P-GSM900", "E-GSM900",
                                 "R-GSM900", "ER-GSM900", "DCS1800", "PCS1900"]
    assert all(n.startswith("B") for n in band_names("lte")) and all(n.startswith("n") for n in band_names("nr"))
    for n in names:
        assert canonical_band(n) == n and canonical_band(n.lower()) == n
    for alias, canon in [("EGSM", "E-GSM900"), ("gsm-r", "R-GSM900"), ("DCS", "DCS1800"), ("GSM1900", "PCS1900"),
                         ("umts1", "UMTS-1"), ("LTE 3", "B3"), ("band39", "B39"), ("NR78", "n78")]:
        assert canonical_band(alias) == canon
    with pytest.raises(ValueError, match="unknown band 'B99'.*band_names"):
        band_info("B99")
    with pytest.raises(ValueError, match="tech must be one of"):
        band_names("cdma")


def test_band_info_edges():
    g = band_info("GSM900")
    assert (g.ul_low_hz, g.ul_high_hz, g.dl_low_hz, g.dl_high_hz) == (873e6, 915e6, 918e6, 960e6)
    assert (band_info("P-GSM900").dl_low_hz, band_info("E-GSM900").dl_low_hz, band_info("R-GSM900").dl_low_hz) == \
        (935e6, 925e6, 921e6)
    b = band_info("B39")
    assert (b.tech, b.duplex, b.dl_low_hz, b.dl_high_hz, b.ul_low_hz) == ("lte", "tdd", 1880e6, 1920e6, 1880e6)
    assert band_info("B29").edges("ul") is None and band_info("B29").duplex == "sdl"
    assert band_info("B20").ul_low_hz > band_info("B20").dl_high_hz           # reverse duplex
    assert "36.101" in b.spec and "45.005" in g.spec and "38.104" in band_info("n78").spec
    assert "25.101" in band_info("UMTS-1").spec


def test_bands_for_freq():
    found = bands_for_freq(947.4 * MHz)
    for want in [("gsm", "GSM900", "dl"), ("umts", "UMTS-8", "dl"), ("lte", "B8", "dl"), ("nr", "n8", "dl")]:
        assert want in found
    assert not any(b in ("P-GSM900", "E-GSM900") for _, b, _ in found)     # GSM reported by family
    assert ("lte", "B39", "dl") in bands_for_freq(1890 * MHz) and ("lte", "B39", "ul") in bands_for_freq(1890 * MHz)
    f2646 = bands_for_freq(2646 * MHz)
    assert ("lte", "B7", "dl") in f2646 and ("lte", "B41", "dl") in f2646 and ("lte", "B38", "dl") not in f2646
    assert ("gsm", "GSM900", "ul") in bands_for_freq(880.2 * MHz)
    assert bands_for_freq(100 * MHz) == []


# ------------------------------------------------------------------------------- argument checks


def test_argument_validation():
    with pytest.raises(ValueError, match="link must be 'dl' or 'ul'"):
        gsm_channels(947.4 * MHz, link="DL")
    with pytest.raises(ValueError, match="link must be"):
        earfcn_to_freq(1825, link="down")
    for bad in (float("nan"), float("inf"), -1.0, 0.0):
        with pytest.raises(ValueError, match="finite positive frequency"):
            lte_channels(bad)
    with pytest.raises(TypeError):
        gsm_channels("947.4e6")
    with pytest.raises(ValueError, match="tol_hz"):
        gsm_channels(947.4 * MHz, tol_hz=-1)
    with pytest.raises(TypeError, match="arfcn must be an int"):
        gsm_arfcn_to_freq(62.0)
    with pytest.raises(TypeError, match="earfcn must be an int"):
        earfcn_to_freq(True)
    np = pytest.importorskip("numpy")
    assert gsm_arfcn_to_freq(np.int64(62)) == 947.4e6
    assert math.isclose(gsm_channels(np.float32(947.4e6), tol_hz=10e3)[0].freq_hz, 947.4e6)
