"""The channel-numbering tables of 3GPP, as data.

Every number here is a fact from a specification table; the functions in the sibling modules only
apply the formulas of the clause named beside each table. Units are integers (kHz or units of
100 kHz) so that the raster frequencies come out exact: no float rounding ever decides a channel.

Sources checked for each table are named beside it. "36.101 text" means the 3GPP table as
reproduced on a spec-mirror page (itecspec.com 36.521-1 Table 5.4.4-1, which copies 36.101
Table 5.7.3-1); "AOSP" is ``aosp-mirror/platform_frameworks_base
telephony/java/android/telephony/AccessNetworkConstants.java``; "srsRAN_4G" is
``srsran/srsRAN_4G lib/src/phy/common/phy_common.c`` (``lte_bands[]``); "srsRAN_Project" is
``srsran/srsRAN_Project lib/ran/band_helper.cpp`` and ``lib/ran/ssb_gscn.cpp``.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "GsmBand",
    "GsmSegment",
    "GSM_BANDS",
    "GSM_FAMILY",
    "GSM_SEGMENTS",
    "UmtsBand",
    "UMTS_BANDS",
    "LteBand",
    "LTE_BANDS",
    "LTE_PREFERRED",
    "NrRaster",
    "SsbRaster",
    "NrBand",
    "NR_BANDS",
    "NR_GLOBAL_RASTER",
    "GSCN_RANGES",
]

# ------------------------------------------------------------------------------------------------
# GSM: 3GPP TS 45.005 §2 (frequency bands and channel arrangement).
#   Fl(n) = carrier in the lower band = mobile transmit = uplink; Fu(n) = Fl(n) + duplex = downlink.
#   Carrier spacing 200 kHz. Checked against: the Agilent note citing TS 45.005 v5.9.0
#   (https://ru.scribd.com/document/390365243/ARFCN-Numbering), hwwiki's copy of the 45.005 table,
#   osmocom/libosmocore src/gsm/gsm_utils.c (gsm_ranges[]), ptrkrysik/gr-gsm python/misc_utils/arfcn.py.
# ------------------------------------------------------------------------------------------------


class GsmBand(NamedTuple):
    """One band of TS 45.005 §2: its edges (kHz) and the ARFCN ranges it holds."""

    name: str
    ul_khz: tuple[int, int]
    duplex_khz: int
    arfcns: tuple[tuple[int, int], ...]


class GsmSegment(NamedTuple):
    """A run of ARFCNs sharing one formula: Fl(n) = ul_first_khz + 200 * (n - first)."""

    family: str
    first: int
    last: int
    ul_first_khz: int
    duplex_khz: int


#: The bands of TS 45.005 §2 (T-GSM 380/410/810/900 and GSM 710 are left out: their channels are
#: "dynamically mapped", i.e. 45.005 gives them no fixed ARFCN).
#: ER-GSM (873-915 / 918-960, ARFCN 940-1023) is the Rel-9 extension; its edges follow from the
#: formula (first carrier 873.2 MHz = 890 + 0.2 * (940 - 1024)) and match the 45.005 table as we
#: know it, but no retrieved copy of that table row was available (BANDPLANS.md marks them unverified).
GSM_BANDS: tuple[GsmBand, ...] = (
    GsmBand("GSM450", (450_400, 457_600), 10_000, ((259, 293),)),
    GsmBand("GSM480", (478_800, 486_000), 10_000, ((306, 340),)),
    GsmBand("GSM750", (747_000, 762_000), 30_000, ((438, 511),)),
    GsmBand("GSM850", (824_000, 849_000), 45_000, ((128, 251),)),
    GsmBand("P-GSM900", (890_000, 915_000), 45_000, ((1, 124),)),
    GsmBand("E-GSM900", (880_000, 915_000), 45_000, ((0, 124), (975, 1023))),
    GsmBand("R-GSM900", (876_000, 915_000), 45_000, ((0, 124), (955, 1023))),
    GsmBand("ER-GSM900", (873_000, 915_000), 45_000, ((0, 124), (940, 1023))),
    GsmBand("DCS1800", (1_710_000, 1_785_000), 95_000, ((512, 885),)),
    GsmBand("PCS1900", (1_850_000, 1_910_000), 80_000, ((512, 810),)),
)

#: "GSM900" is our name for the whole 900 MHz family (every ARFCN 45.005 defines there: P, E, R and
#: ER-GSM nest inside each other), so its extent is that of ER-GSM 900.
GSM_FAMILY = GsmBand("GSM900", (873_000, 915_000), 45_000, ((0, 124), (940, 1023)))

#: The formulas, one per run of ARFCNs. Runs never overlap in frequency on one link; in ARFCN only
#: DCS1800 and PCS1900 overlap (512-810), which the frequency resolves.
GSM_SEGMENTS: tuple[GsmSegment, ...] = (
    GsmSegment("GSM450", 259, 293, 450_600, 10_000),
    GsmSegment("GSM480", 306, 340, 479_000, 10_000),
    GsmSegment("GSM750", 438, 511, 747_200, 30_000),
    GsmSegment("GSM850", 128, 251, 824_200, 45_000),
    GsmSegment("GSM900", 0, 124, 890_000, 45_000),          # Fl(n) = 890 + 0.2 n
    GsmSegment("GSM900", 940, 1023, 873_200, 45_000),       # Fl(n) = 890 + 0.2 (n - 1024)
    GsmSegment("DCS1800", 512, 885, 1_710_200, 95_000),
    GsmSegment("PCS1900", 512, 810, 1_850_200, 80_000),
)

# ------------------------------------------------------------------------------------------------
# UMTS FDD: 3GPP TS 25.101 §5.4.4 (UARFCN). General: N = 5 (F - F_offset), F in MHz, 200 kHz raster;
# additional channels (100 kHz off the general raster) have their own offset and an explicit list.
# (Tables 5.1 / 5.1A in 25.101 v9.5.0, as quoted at
# https://www.txrjy.com/forum.php?action=printable&mod=viewthread&tid=456470.)
# Checked against: AOSP UtranBandArfcnFrequency (bands 1, 8) and
# mroczis/netmonster-core .../db/BandTableWcdma.kt (DL ranges of every band below, incl. the
# additional DL channels of bands 2, 4, 5); each UARFCN range was recomputed from the band edges.
# ------------------------------------------------------------------------------------------------


class UmtsBand(NamedTuple):
    """One UTRA FDD band of TS 25.101 Table 5.0 with its UARFCN definition (frequencies in kHz)."""

    band: int
    ul_khz: tuple[int, int]
    dl_khz: tuple[int, int]
    ul_offset_khz: int
    dl_offset_khz: int
    ul_uarfcn: tuple[int, int]
    dl_uarfcn: tuple[int, int]
    add_ul_offset_khz: int = 0
    add_dl_offset_khz: int = 0
    add_ul: tuple[int, ...] = ()
    add_dl: tuple[int, ...] = ()


UMTS_BANDS: tuple[UmtsBand, ...] = (
    UmtsBand(1, (1_920_000, 1_980_000), (2_110_000, 2_170_000), 0, 0, (9612, 9888), (10562, 10838)),
    UmtsBand(2, (1_850_000, 1_910_000), (1_930_000, 1_990_000), 0, 0, (9262, 9538), (9662, 9938),
             1_850_100, 1_850_100, tuple(range(12, 288, 25)), tuple(range(412, 688, 25))),
    UmtsBand(3, (1_710_000, 1_785_000), (1_805_000, 1_880_000), 1_525_000, 1_575_000, (937, 1288), (1162, 1513)),
    UmtsBand(4, (1_710_000, 1_755_000), (2_110_000, 2_155_000), 1_450_000, 1_805_000, (1312, 1513), (1537, 1738),
             1_380_100, 1_735_100, tuple(range(1662, 1863, 25)), tuple(range(1887, 2088, 25))),
    UmtsBand(5, (824_000, 849_000), (869_000, 894_000), 0, 0, (4132, 4233), (4357, 4458),
             670_100, 670_100, (782, 787, 807, 812, 837, 862), (1007, 1012, 1032, 1037, 1062, 1087)),
    UmtsBand(6, (830_000, 840_000), (875_000, 885_000), 0, 0, (4162, 4188), (4387, 4413),
             670_100, 670_100, (812, 837), (1037, 1062)),
    UmtsBand(8, (880_000, 915_000), (925_000, 960_000), 340_000, 340_000, (2712, 2863), (2937, 3088)),
    UmtsBand(9, (1_749_900, 1_784_900), (1_844_900, 1_879_900), 0, 0, (8762, 8912), (9237, 9387)),
    # Band XIX: general UARFCNs only; its additional channels are not in this table (not checked).
    UmtsBand(19, (830_000, 845_000), (875_000, 890_000), 770_000, 735_000, (312, 363), (712, 763)),
)

# ------------------------------------------------------------------------------------------------
# LTE: 3GPP TS 36.101 §5.7.3, Table 5.7.3-1 (E-UTRA channel numbers).
#   F_DL = F_DL_low + 0.1 (N_DL - N_Offs-DL);  F_UL = F_UL_low + 0.1 (N_UL - N_Offs-UL)   [MHz]
# Frequencies below are in units of 100 kHz (the channel raster). TDD bands number UL like DL.
# Checked, band by band, against: 36.101 text (bands 1-22 on itecspec's 36.521-1 copy and the
# 36.101 copy at http://mzph.cn/web/7606.shtml), AOSP EutranBandArfcnFrequency (all FDD/TDD bands
# listed here except the SDL ones, which AOSP omits) and srsRAN_4G lte_bands[] (bands 1-70).
# Where they disagree the 36.101 text wins; those disagreements are the errata tested in
# tests/test_bands.py (AOSP band 1 UL 18800 and band 14 UL 23230; srsRAN_4G band 22 DL 3500).
# Each band's range count was recomputed from its MHz edges (count = bandwidth / 100 kHz).
# Band 87/88 are left out: AOSP gives band 88 an UL N_Offs of 134231, which collides with band 87's
# last UL EARFCN, and no spec text was at hand to settle it.
# ------------------------------------------------------------------------------------------------


class LteBand(NamedTuple):
    """One row of TS 36.101 Table 5.7.3-1 (frequencies in units of 100 kHz)."""

    band: int
    duplex: str                 # "fdd", "tdd" or "sdl" (supplemental downlink: no uplink)
    dl_low: int                 # F_DL_low / 100 kHz
    n_offs_dl: int
    n_dl_last: int
    ul_low: int | None = None   # F_UL_low / 100 kHz (TDD: same as DL; SDL: none)
    n_offs_ul: int | None = None
    n_ul_last: int | None = None


def _fdd(b, dl_low, n_dl, n_dl_last, ul_low, n_ul, n_ul_last):
    return LteBand(b, "fdd", dl_low, n_dl, n_dl_last, ul_low, n_ul, n_ul_last)


def _tdd(b, low, n, n_last):
    return LteBand(b, "tdd", low, n, n_last, low, n, n_last)


def _sdl(b, low, n, n_last):
    return LteBand(b, "sdl", low, n, n_last)


LTE_BANDS: tuple[LteBand, ...] = (
    _fdd(1, 21100, 0, 599, 19200, 18000, 18599),
    _fdd(2, 19300, 600, 1199, 18500, 18600, 19199),
    _fdd(3, 18050, 1200, 1949, 17100, 19200, 19949),
    _fdd(4, 21100, 1950, 2399, 17100, 19950, 20399),
    _fdd(5, 8690, 2400, 2649, 8240, 20400, 20649),
    _fdd(6, 8750, 2650, 2749, 8300, 20650, 20749),
    _fdd(7, 26200, 2750, 3449, 25000, 20750, 21449),
    _fdd(8, 9250, 3450, 3799, 8800, 21450, 21799),
    _fdd(9, 18449, 3800, 4149, 17499, 21800, 22149),
    _fdd(10, 21100, 4150, 4749, 17100, 22150, 22749),
    _fdd(11, 14759, 4750, 4949, 14279, 22750, 22949),
    _fdd(12, 7290, 5010, 5179, 6990, 23010, 23179),
    _fdd(13, 7460, 5180, 5279, 7770, 23180, 23279),
    _fdd(14, 7580, 5280, 5379, 7880, 23280, 23379),
    _fdd(17, 7340, 5730, 5849, 7040, 23730, 23849),
    _fdd(18, 8600, 5850, 5999, 8150, 23850, 23999),
    _fdd(19, 8750, 6000, 6149, 8300, 24000, 24149),
    _fdd(20, 7910, 6150, 6449, 8320, 24150, 24449),
    _fdd(21, 14959, 6450, 6599, 14479, 24450, 24599),
    _fdd(22, 35100, 6600, 7399, 34100, 24600, 25399),
    _fdd(23, 21800, 7500, 7699, 20000, 25500, 25699),
    _fdd(24, 15250, 7700, 8039, 16265, 25700, 26039),
    _fdd(25, 19300, 8040, 8689, 18500, 26040, 26689),
    _fdd(26, 8590, 8690, 9039, 8140, 26690, 27039),
    _fdd(27, 8520, 9040, 9209, 8070, 27040, 27209),
    _fdd(28, 7580, 9210, 9659, 7030, 27210, 27659),
    _sdl(29, 7170, 9660, 9769),
    _fdd(30, 23500, 9770, 9869, 23050, 27660, 27759),
    _fdd(31, 4625, 9870, 9919, 4525, 27760, 27809),
    _sdl(32, 14520, 9920, 10359),
    _tdd(33, 19000, 36000, 36199),
    _tdd(34, 20100, 36200, 36349),
    _tdd(35, 18500, 36350, 36949),
    _tdd(36, 19300, 36950, 37549),
    _tdd(37, 19100, 37550, 37749),
    _tdd(38, 25700, 37750, 38249),
    _tdd(39, 18800, 38250, 38649),
    _tdd(40, 23000, 38650, 39649),
    _tdd(41, 24960, 39650, 41589),
    _tdd(42, 34000, 41590, 43589),
    _tdd(43, 36000, 43590, 45589),
    _tdd(44, 7030, 45590, 46589),
    _tdd(45, 14470, 46590, 46789),
    _tdd(46, 51500, 46790, 54539),
    _tdd(47, 58550, 54540, 55239),
    _tdd(48, 35500, 55240, 56739),
    _tdd(49, 35500, 56740, 58239),
    _tdd(50, 14320, 58240, 59089),
    _tdd(51, 14270, 59090, 59139),
    _tdd(52, 33000, 59140, 60139),
    _tdd(53, 24835, 60140, 60254),
    _fdd(65, 21100, 65536, 66435, 19200, 131072, 131971),
    _fdd(66, 21100, 66436, 67335, 17100, 131972, 132671),   # DL 2180-2200 is DL-only (CA)
    _sdl(67, 7380, 67336, 67535),
    _fdd(68, 7530, 67536, 67835, 6980, 132672, 132971),
    _sdl(69, 25700, 67836, 68335),
    _fdd(70, 19950, 68336, 68585, 16950, 132972, 133121),
    _fdd(71, 6170, 68586, 68935, 6630, 133122, 133471),
    _fdd(72, 4610, 68936, 68985, 4510, 133472, 133521),
    _fdd(73, 4600, 68986, 69035, 4500, 133522, 133571),
    _fdd(74, 14750, 69036, 69465, 14270, 133572, 134001),
    _sdl(75, 14320, 69466, 70315),
    _sdl(76, 14270, 70316, 70365),
    _fdd(85, 7280, 70366, 70545, 6980, 134002, 134181),
)

#: The bands BANDPLANS.md lists (deployed in China, the Koreas, Russia, Japan, Europe). When one
#: frequency sits in several bands at the same offset, these come first (e.g. 1890 MHz: B39 before
#: the never-deployed B35/B33 that overlap it).
LTE_PREFERRED: frozenset[int] = frozenset({1, 3, 5, 7, 8, 20, 26, 28, 31, 34, 38, 39, 40, 41})

# ------------------------------------------------------------------------------------------------
# NR: 3GPP TS 38.104 §5.4.2.1 (NR-ARFCN, global frequency raster, Table 5.4.2.1-1),
# §5.4.2.3 (channel raster per band, Table 5.4.2.3-1), §5.4.3.1 (GSCN, Table 5.4.3.1-1) and
# §5.4.3.3 (synchronization raster per band, Table 5.4.3.3-1).
# Checked against srsRAN_Project band_helper.cpp (nr_band_table_fr1) and ssb_gscn.cpp
# (ssb_gscn_raster_table_fr1, get_ss_ref_from_gscn), and AOSP NgranArfcnFrequency.
# ------------------------------------------------------------------------------------------------

#: Table 5.4.2.1-1: (first N_REF, last N_REF, F_REF-Offs in kHz, N_REF-Offs, delta F_Global in kHz).
#: 24250.08 MHz is 24_250_080 kHz; every raster frequency is an integer number of kHz.
NR_GLOBAL_RASTER: tuple[tuple[int, int, int, int, int], ...] = (
    (0, 599_999, 0, 0, 5),
    (600_000, 2_016_666, 3_000_000, 600_000, 15),
    (2_016_667, 3_279_165, 24_250_080, 2_016_667, 60),
)

#: Table 5.4.3.1-1: GSCN ranges. 0-3000 MHz: SS_REF = N * 1200 kHz + M * 50 kHz, GSCN = 3N + (M-3)/2;
#: above: SS_REF = base + N * step, GSCN = first + N. Tuples are (first, last, base kHz, step kHz);
#: the first range is marked by base None.
GSCN_RANGES: tuple[tuple[int, int, int | None, int], ...] = (
    (2, 7498, None, 1200),
    (7499, 22255, 3_000_000, 1440),
    (22256, 26639, 24_250_080, 17280),
)


class NrRaster(NamedTuple):
    """NR-ARFCN range of one band and link: first, step (in global-raster units), last."""

    first: int
    step: int
    last: int


class SsbRaster(NamedTuple):
    """Synchronization raster of a band (Table 5.4.3.3-1): SSB subcarrier spacing and GSCN range."""

    scs_khz: int
    gscn_first: int
    gscn_step: int
    gscn_last: int
    note: str = ""


class NrBand(NamedTuple):
    """One NR operating band (38.104 Table 5.2-1 edges in kHz, rasters of Tables 5.4.2.3-1 / 5.4.3.3-1)."""

    band: str
    duplex: str
    dl_khz: tuple[int, int]
    ul_khz: tuple[int, int] | None
    dl: tuple[NrRaster, ...]
    ul: tuple[NrRaster, ...]
    ssb: tuple[SsbRaster, ...]
    ssb_special_15khz: tuple[int, ...] = ()


def _r(first, step, last):
    return NrRaster(first, step, last)


NR_BANDS: tuple[NrBand, ...] = (
    NrBand("n1", "fdd", (2_110_000, 2_170_000), (1_920_000, 1_980_000),
           (_r(422000, 20, 434000),), (_r(384000, 20, 396000),), (SsbRaster(15, 5279, 1, 5419),)),
    NrBand("n3", "fdd", (1_805_000, 1_880_000), (1_710_000, 1_785_000),
           (_r(361000, 20, 376000),), (_r(342000, 20, 357000),), (SsbRaster(15, 4517, 1, 4693),)),
    NrBand("n5", "fdd", (869_000, 894_000), (824_000, 849_000),
           (_r(173800, 20, 178800),), (_r(164800, 20, 169800),),
           (SsbRaster(15, 2177, 1, 2230), SsbRaster(30, 2183, 1, 2224))),
    NrBand("n7", "fdd", (2_620_000, 2_690_000), (2_500_000, 2_570_000),
           (_r(524000, 20, 538000),), (_r(500000, 20, 514000),), (SsbRaster(15, 6554, 1, 6718),)),
    NrBand("n8", "fdd", (925_000, 960_000), (880_000, 915_000),
           (_r(185000, 20, 192000),), (_r(176000, 20, 183000),), (SsbRaster(15, 2318, 1, 2395),)),
    NrBand("n20", "fdd", (791_000, 821_000), (832_000, 862_000),
           (_r(158200, 20, 164200),), (_r(166400, 20, 172400),), (SsbRaster(15, 1982, 1, 2047),)),
    # n28: plus NR-ARFCN 155608 (DL) / 144608 (UL) for the 40 MHz channel (Table 5.4.2.3-1 note).
    NrBand("n28", "fdd", (758_000, 803_000), (703_000, 748_000),
           (_r(151600, 20, 160600), _r(155608, 1, 155608)), (_r(140600, 20, 149600), _r(144608, 1, 144608)),
           (SsbRaster(15, 1901, 1, 2002),)),
    NrBand("n38", "tdd", (2_570_000, 2_620_000), (2_570_000, 2_620_000),
           (_r(514000, 20, 524000),), (_r(514000, 20, 524000),), (SsbRaster(30, 6437, 1, 6538),),
           (6432, 6443, 6457, 6468, 6479, 6493, 6507, 6518, 6532, 6543)),
    NrBand("n39", "tdd", (1_880_000, 1_920_000), (1_880_000, 1_920_000),
           (_r(376000, 20, 384000),), (_r(376000, 20, 384000),), (SsbRaster(30, 4712, 1, 4789),),
           (4707, 4715, 4718, 4729, 4732, 4743, 4747, 4754, 4761, 4768, 4772, 4782, 4786, 4793)),
    NrBand("n40", "tdd", (2_300_000, 2_400_000), (2_300_000, 2_400_000),
           (_r(460000, 20, 480000),), (_r(460000, 20, 480000),), (SsbRaster(30, 5762, 1, 5989),)),
    NrBand("n41", "tdd", (2_496_000, 2_690_000), (2_496_000, 2_690_000),
           (_r(499200, 3, 537999), _r(499200, 6, 537996)), (_r(499200, 3, 537999), _r(499200, 6, 537996)),
           (SsbRaster(15, 6246, 3, 6717), SsbRaster(30, 6252, 3, 6714))),
    NrBand("n77", "tdd", (3_300_000, 4_200_000), (3_300_000, 4_200_000),
           (_r(620000, 1, 680000), _r(620000, 2, 680000)), (_r(620000, 1, 680000), _r(620000, 2, 680000)),
           (SsbRaster(30, 7711, 1, 8329),)),
    NrBand("n78", "tdd", (3_300_000, 3_800_000), (3_300_000, 3_800_000),
           (_r(620000, 1, 653333), _r(620000, 2, 653332)), (_r(620000, 1, 653333), _r(620000, 2, 653332)),
           (SsbRaster(30, 7711, 1, 8051),)),
    NrBand("n79", "tdd", (4_400_000, 5_000_000), (4_400_000, 5_000_000),
           (_r(693334, 1, 733333), _r(693334, 2, 733332)), (_r(693334, 1, 733333), _r(693334, 2, 733332)),
           (SsbRaster(30, 8480, 16, 8880, "channel bandwidth >= 40 MHz"),
            SsbRaster(30, 8475, 1, 8884, "channel bandwidth < 40 MHz"))),
)
