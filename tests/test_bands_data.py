"""Country, operator and frequency-block tables (detector/bands/data/*.toml) and their loader."""

import os
import sys
from importlib import resources

import pytest

import detector.bands._data as data
from detector.bands import (
    Block,
    DataFileError,
    band_info,
    blocks,
    blocks_at,
    countries,
    country_for_mcc,
    gsm_arfcn_to_freq,
    operator_for,
    operators,
    operators_for_mcc,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = next((p for p in (os.path.join(ROOT, "..", "shared", "bandplans-reference.toml"),
                              "/work/shared/bandplans-reference.toml") if os.path.exists(p)), None)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")


def _raw(name):
    """A data file parsed by TOML alone, so that duplicates and types are seen before the loader's dicts."""
    return tomllib.loads(resources.files("detector.bands").joinpath("data").joinpath(name).read_text("utf-8"))


def _reference():
    if REFERENCE is None:
        pytest.skip("shared/bandplans-reference.toml not found")
    with open(REFERENCE, "rb") as f:
        return tomllib.load(f)


# ------------------------------------------------------------------------------------- countries


def test_every_mcc_is_three_digits_unique_and_sourced():
    entries = _raw("countries.toml")["country"]
    assert len(entries) >= 230                      # the ITU E.212 list has ~240 codes
    mccs = [e["mcc"] for e in entries]
    assert all(isinstance(m, str) and len(m) == 3 and m.isdigit() for m in mccs)
    assert len(mccs) == len(set(mccs))
    for e in entries:
        assert e["source"].strip() and e["date"].strip(), e
        assert e["iso"] == "" or (len(e["iso"]) == 2 and e["iso"].isupper()), e
    assert len(countries()) == len(entries)


def test_known_countries():
    for mcc, iso, name in [("460", "CN", "China"), ("461", "CN", "China"), ("467", "KP", "North Korea"),
                           ("450", "KR", "South Korea"), ("250", "RU", "Russia"), ("440", "JP", "Japan"),
                           ("262", "DE", "Germany"), ("272", "IE", "Ireland"), ("234", "GB", "United Kingdom"),
                           ("425", "IL", "Israel"), ("505", "AU", "Australia"), ("454", "HK", "Hong Kong"),
                           ("428", "MN", "Mongolia"), ("466", "TW", "Taiwan"), ("310", "US", "United States")]:
        c = country_for_mcc(mcc)
        assert (c.mcc, c.iso, c.name) == (mcc, iso, name)
        assert c.source and c.date
    assert "PS" in country_for_mcc("425").iso_all and "NF" in country_for_mcc("505").iso_all
    assert country_for_mcc(460).iso == "CN" and country_for_mcc(1).mcc == "001"   # ints are zero-padded
    assert country_for_mcc("123") is None
    for bad in ("46", "4600", "46a", ""):
        with pytest.raises(ValueError, match="3 digits"):
            country_for_mcc(bad)


def test_unverified_marks_are_visible():
    unverified = {c.mcc for c in countries().values() if c.unverified}
    assert unverified and unverified <= {"225", "902", "991", "999"}
    assert not country_for_mcc("460").unverified
    assert "ITU" in country_for_mcc("460").source and country_for_mcc("460").date == "2019"


# ------------------------------------------------------------------------------------- operators


def test_every_mnc_is_a_two_or_three_digit_string():
    nets = _raw("operators.toml")["network"]
    for e in nets:
        assert isinstance(e["mnc"], str) and len(e["mnc"]) in (2, 3) and e["mnc"].isdigit(), e
        assert isinstance(e["mcc"], str) and len(e["mcc"]) == 3 and e["mcc"].isdigit(), e
        assert e["source"].strip() and e["date"].strip(), e
    keys = [(e["mcc"], e["mnc"]) for e in nets]
    assert len(keys) == len(set(keys))
    assert {m for m, _ in keys} >= {"460", "467", "450", "250", "440"}
    assert len(operators()) == len(nets)


@pytest.mark.parametrize("mcc, mnc, name, iso", [
    ("460", "00", "China Mobile", "CN"),
    ("460", "01", "China Unicom", "CN"),
    ("460", "11", "China Telecom", "CN"),
    ("460", "15", "China Broadnet", "CN"),
    ("467", "05", "Koryolink", "KP"),
    ("467", "192", "Koryolink", "KP"),
    ("467", "06", "Kang Song NET", "KP"),
    ("467", "193", "SunNet", "KP"),
    ("450", "05", "SK Telecom", "KR"),
    ("450", "08", "KT", "KR"),
    ("450", "06", "LG U+", "KR"),
    ("250", "01", "MTS", "RU"),
    ("250", "02", "MegaFon", "RU"),
    ("250", "99", "Beeline (VimpelCom)", "RU"),
    ("250", "20", "Tele2 (T2 RTK Holding)", "RU"),
    ("440", "10", "NTT DOCOMO", "JP"),
])
def test_known_operators(mcc, mnc, name, iso):
    op = operator_for(mcc, mnc)
    assert (op.name, op.country, op.mcc, op.mnc) == (name, iso, mcc, mnc)
    assert op.source and op.date


def test_reference_operators_and_their_unverified_marks():
    ref = _reference()
    for entry in ref["operator"]:
        for mnc in entry["mnc"]:
            op = operator_for(entry["mcc"], mnc)
            assert op is not None, (entry["id"], mnc)
            # 460-04 is a satellite network by the ITU list and BANDPLANS.md §7.1, although the
            # reference file files it under China Mobile.
            assert op.id == ("cn-satellite" if (entry["mcc"], mnc) == ("460", "04") else entry["id"])
    # "unverified which is current" (Koryolink 05 vs 192) and Kang Song's relabelling stay visible.
    assert operator_for("467", "05").unverified and operator_for("467", "192").unverified
    assert operator_for("467", "06").unverified
    assert not operator_for("460", "00").unverified


def test_mnc_digit_count_matters():
    assert operator_for("460", "00") is not None
    assert operator_for("460", "000") is None
    assert operator_for("467", "05") is not None and operator_for("467", "005") is None
    with pytest.raises(TypeError, match="string of 2 or 3 digits"):
        operator_for("460", 0)
    for bad in ("0", "0000", "0a"):
        with pytest.raises(ValueError, match="2 or 3 digits"):
            operator_for("460", bad)
    assert {op.mnc for op in operators_for_mcc("467")} == {"05", "06", "192", "193"}


# ---------------------------------------------------------------------------------------- blocks


def test_blocks_at_947_4_mhz_include_the_reference_operators():
    ref = _reference()
    f = 947.4e6
    expected = {a["operator"] for a in ref["allocation"] if a["dl_mhz"][0] * 1e6 <= f <= a["dl_mhz"][1] * 1e6}
    assert expected == {"cn-cmcc", "kp-sunnet"}
    got = blocks_at(f, link="dl")
    assert {b.operator_id for b in got if b.extent == "assigned"} == expected
    held = {h["operator"] for h in ref["band_holding"]
            if any(band_info(x).contains(f, "dl") for x in h["bands"])}
    assert held and held <= {b.operator_id for b in got if b.extent == "band"}
    sunnet = next(b for b in got if b.operator_id == "kp-sunnet")
    assert sunnet.unverified and sunnet.country == "KP" and sunnet.mcc == "467" and sunnet.allows("gsm", "fdd")
    cmcc = [b for b in got if b.operator_id == "cn-cmcc"]
    assert all(b.country == "CN" and b.mcc == "460" and "gsm" in b.techs and b.source for b in cmcc)
    assert got[0].extent == "assigned" and got[-1].extent == "band"


def test_every_reference_allocation_is_a_block_with_its_unverified_mark():
    ref = _reference()
    assigned = [b for b in blocks() if b.extent == "assigned"]
    assert len(assigned) == len(ref["allocation"])
    text = open(REFERENCE, encoding="utf-8").read()
    for a, b in zip(ref["allocation"], assigned, strict=True):
        assert (b.operator_id, b.band) == (a["operator"], a["band"])
        assert b.dl_hz == (a["dl_mhz"][0] * 1e6, a["dl_mhz"][1] * 1e6)
        if "ul_mhz" in a:
            assert b.ul_hz == (a["ul_mhz"][0] * 1e6, a["ul_mhz"][1] * 1e6)
        assert b.date == a["as_of"] and b.source == a["source"]
    # Blocks whose lines carry "# unverified" in the reference are flagged.
    flagged = {(b.operator_id, b.band) for b in assigned if b.unverified}
    assert flagged == {("cn-cbn", "n79"), ("cn-ctcc", "B40"), ("kp-koryolink", "UMTS-1"), ("kp-kangsong", "UMTS-1"),
                       ("kp-sunnet", "P-GSM900")}
    assert text.count("unverified") >= len(flagged)
    holdings = {(b.operator_id, b.band): b.unverified for b in blocks() if b.extent == "band"}
    assert holdings[("ru-mts", "B38")] and holdings[("ru-tele2", "B31")] and holdings[("ru-tele2", "B40")]
    assert not holdings[("ru-mts", "B20")]


def test_block_duplex_and_technology():
    b39 = [b for b in blocks_at(1890e6) if b.extent == "assigned"]
    assert [(b.operator_id, b.band, b.duplex, b.techs) for b in b39] == [("cn-cmcc", "B39", "tdd", ("lte",))]
    assert b39[0].holds(1890e6, "ul") and b39[0].holds(1890e6, "dl")
    assert b39[0].allows("lte", "tdd") and not b39[0].allows("lte", "fdd") and not b39[0].allows("gsm")
    ul = blocks_at(1740e6, link="ul", include_holdings=False)
    assert {b.operator_id for b in ul} == {"cn-cucc"}
    assert blocks_at(1740e6, link="dl", include_holdings=False) == []
    for b in blocks():
        assert isinstance(b, Block) and b.duplex in ("fdd", "tdd") and b.techs and b.source and b.date
        assert b.dl_hz[0] < b.dl_hz[1]
        if b.duplex == "tdd":
            assert b.ul_hz == b.dl_hz


def test_gsm_arfcn_runs_of_the_blocks_are_the_channels_inside_them():
    """Recompute the 'computed' ARFCN columns: channels whose whole 200 kHz lies inside dl_mhz."""
    for b in blocks():
        if not b.arfcn:
            continue
        lo, hi = b.dl_hz
        inside = set()
        for n in list(range(0, 125)) + list(range(940, 1024)) + list(range(512, 886)):
            f = gsm_arfcn_to_freq(n)             # 512-885 as DCS1800: the blocks here are in Asia
            if lo + 100e3 - 1 <= f <= hi - 100e3 + 1:
                inside.add(n)
        listed = {n for a, z in b.arfcn for n in range(a, z + 1)}
        assert listed == inside, (b.operator_id, b.band)


def test_loader_round_trips():
    for mcc, c in countries().items():
        assert country_for_mcc(mcc) is c
    for op in operators():
        assert operator_for(op.mcc, op.mnc) == op
        assert country_for_mcc(op.mcc).iso == op.country
    for b in blocks():
        assert b in blocks_at((b.dl_hz[0] + b.dl_hz[1]) / 2, "dl")
        assert b in blocks_at(b.dl_hz[0], "dl") and b in blocks_at(b.dl_hz[1], "dl")      # edges inclusive
        assert b not in blocks_at(b.dl_hz[1] + 1e3, "dl")
        if b.ul_hz is not None:
            assert b in blocks_at((b.ul_hz[0] + b.ul_hz[1]) / 2, "ul")


# ---------------------------------------------------------------------------------------- loader


@pytest.fixture
def fake_files(monkeypatch):
    """Make the loader read crafted content instead of the bundled files."""
    files = {}
    real = data._load

    def load(name):
        return files[name] if name in files else real(name)

    monkeypatch.setattr(data, "_load", load)
    for fn in (data.countries, data._operator_table, data.blocks):
        fn.cache_clear()
    yield files
    for fn in (data.countries, data._operator_table, data.blocks):
        fn.cache_clear()


@pytest.mark.parametrize("entry, msg", [
    ({"mcc": "46", "iso": "CN", "name": "x", "source": "s", "date": "d"}, "3 digits"),
    ({"mcc": 460, "iso": "CN", "name": "x", "source": "s", "date": "d"}, "missing or non-string mcc"),
    ({"mcc": "460", "iso": "cn", "name": "x", "source": "s", "date": "d"}, "ISO 3166-1"),
    ({"mcc": "460", "iso": "CN", "name": "x", "date": "d"}, "missing or non-string source"),
])
def test_loader_rejects_bad_countries(fake_files, entry, msg):
    fake_files["countries.toml"] = {"country": [entry]}
    with pytest.raises(DataFileError, match=f"data/countries.toml: country\\[0\\].*{msg}"):
        countries()


def test_loader_rejects_duplicates_and_bad_mncs(fake_files):
    c = {"mcc": "460", "iso": "CN", "name": "China", "source": "s", "date": "d"}
    fake_files["countries.toml"] = {"country": [c, dict(c)]}
    with pytest.raises(DataFileError, match="duplicate mcc"):
        countries()
    fake_files["countries.toml"] = {"country": [c]}
    data.countries.cache_clear()
    op = {"id": "x", "name": "X", "country": "CN", "source": "s", "date": "d"}
    net = {"mcc": "460", "mnc": "5", "operator": "x", "status": "unknown", "source": "s", "date": "d"}
    fake_files["operators.toml"] = {"operator": [op], "network": [net]}
    with pytest.raises(DataFileError, match="operators.toml: network\\[0\\].*2 or 3 digits"):
        operator_for("460", "05")
    fake_files["operators.toml"] = {"operator": [op], "network": [dict(net, mnc=5)]}
    data._operator_table.cache_clear()
    with pytest.raises(DataFileError, match="non-string mnc"):
        operator_for("460", "05")
    fake_files["operators.toml"] = {"operator": [op], "network": [dict(net, mnc="05", operator="y")]}
    data._operator_table.cache_clear()
    with pytest.raises(DataFileError, match="unknown operator id 'y'"):
        operator_for("460", "05")


def test_loader_rejects_bad_blocks(fake_files):
    base = {"operator": "cn-cmcc", "rat": "LTE", "techs": ["lte"], "band": "B39", "duplex": "tdd",
            "dl_mhz": [1885.0, 1915.0], "date": "2023", "source": "s"}
    for change, msg in [({"techs": ["wimax"]}, "techs must be"), ({"dl_mhz": [1915.0, 1885.0]}, "low < high"),
                        ({"ul_mhz": [1885.0, 1915.0]}, "dl_mhz only"), ({"duplex": "half"}, "duplex must be"),
                        ({"operator": "nobody"}, "unknown operator")]:
        fake_files["allocations.toml"] = {"block": [dict(base, **change)]}
        data.blocks.cache_clear()
        with pytest.raises(DataFileError, match=f"allocations.toml: block\\[0\\].*{msg}"):
            blocks()
    fake_files["allocations.toml"] = {"holding": [{"operator": "cn-cmcc", "bands": ["B99"], "date": "d",
                                                   "source": "s"}]}
    data.blocks.cache_clear()
    with pytest.raises(DataFileError, match="unknown band 'B99'"):
        blocks()


def test_without_a_toml_reader_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(data, "_toml", None)
    with pytest.raises(ImportError, match="tomli"):
        data._load("countries.toml")


def test_channel_numbering_does_not_need_the_data_files():
    """Importing and numbering must work without TOML (Python 3.10 without tomli)."""
    import subprocess

    code = ("import sys; sys.modules['tomllib'] = None; sys.modules['tomli'] = None\n"
            "from detector.bands import gsm_channels, earfcn_to_freq\n"
            "assert gsm_channels(947.4e6)[0].number == 62 and earfcn_to_freq(1825)[0] == 'B3'\n"
            "import detector.bands._data as d; assert d._toml is None\n"
            "try:\n    d.country_for_mcc('460')\nexcept ImportError as e:\n    print('ok', e)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    assert r.returncode == 0 and r.stdout.startswith("ok"), r.stdout + r.stderr


# ------------------------------------------------------------- helpers other rooms import optionally


def test_blocks_between_gives_plot_ready_dicts():
    from detector.bands import blocks_between

    spans = blocks_between(960e6, 925e6)                  # order of the span does not matter
    assert spans == sorted(spans, key=lambda d: (d["lo_hz"], d["hi_hz"]))
    for d in spans:
        assert {"lo_hz", "hi_hz", "label", "country", "unverified"} <= set(d)
        assert d["hi_hz"] >= 925e6 and d["lo_hz"] <= 960e6 and d["link"] in ("dl", "ul", "tdd")
    assert {d["operator"] for d in spans} == {"cn-cmcc", "cn-gsmr", "cn-cucc", "kp-sunnet"}
    assert any(d["operator"] == "kp-sunnet" and d["unverified"] and d["country"] == "KP" for d in spans)
    assert [d["link"] for d in blocks_between(1885e6, 1886e6)] == ["tdd"]
    assert len(blocks_between(925e6, 960e6, include_holdings=True)) > len(spans)
    assert blocks_between(-1e6, 1e6) == []
    with pytest.raises(ValueError, match="finite"):
        blocks_between(float("nan"), 1e9)


def test_describe_frequency_names_only_the_band():
    from detector.bands import describe_frequency

    assert describe_frequency(947.4e6, "gsm") == {"band": "GSM900", "link": "dl", "bands": ["GSM900"]}
    assert describe_frequency(902.4e6, "gsm")["link"] == "ul"
    assert describe_frequency(1890e6, "lte")["band"] == "B39"
    assert describe_frequency(2646e6, "lte")["bands"] == ["B7", "B41"]
    assert describe_frequency(3500e6, "nr")["bands"] == ["n77", "n78"]
    assert describe_frequency(947.4e6, "narrowband") == {} and describe_frequency(947.4e6) == {}
    assert describe_frequency(100e6, "gsm") == {}
    # Recordings with an unknown centre frequency give baseband offsets: nothing to say, no error.
    for f in (0.0, -250e3, float("nan")):
        assert describe_frequency(f, "lte") == {}
