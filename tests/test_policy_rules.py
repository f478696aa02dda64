"""Cross-border rules on crafted records as the receivers will emit them (no ``operator_blocks``: the policy
looks the blocks up itself), the ambiguous cases, codes that belong to no country, a home country without a band
plan in the tables, and profile validation that names the file and the field."""

import pytest

from detector.errors import MetadataError, UsageError
from detector.policy import evaluate, load_profile
from detector.scanner import record_key

KP = load_profile("kp-border")


def _gsm(mcc=None, mnc=None, freq=947.4e6, snr=20.0):
    ident = {"bsic": 21}
    if mcc:
        ident.update(mcc=mcc, mnc=mnc, lac=12345, cell_id=4321)
    return {"kind": "cell", "tech": "gsm", "band": "GSM900", "channel": 62, "freq_hz": freq, "snr_db": snr,
            "identity": ident}


def _lte(freq, duplex, pci=101, **kw):
    return {"kind": "cell", "tech": "lte", "freq_hz": freq, "snr_db": 18.0,
            "identity": {"pci": pci, "duplex": duplex}, **kw}


def test_china_mobile_plmn_is_foreign_and_the_reason_shows_the_decoded_code():
    out = evaluate(_gsm("460", "00"), KP)
    assert (out["verdict"], out["confidence"]) == ("foreign", 0.99)
    assert out["operator"] == {"country": "CN", "name": "China Mobile", "basis": "plmn"}
    (reason,) = out["reasons"]
    assert reason["rule"] == "foreign_plmn"
    assert "MCC 460 MNC 00 decoded" in reason["detail"] and "China Mobile" in reason["detail"]


def test_home_mcc_is_domestic():
    out = evaluate(_gsm("467", "193"), KP)
    assert out["verdict"] == "domestic" and [r["rule"] for r in out["reasons"]] == ["home_plmn"]


def test_unknown_mnc_still_gives_the_country_code_not_its_name():
    out = evaluate(_gsm("460", "99"), KP)
    assert out["verdict"] == "foreign" and out["operator"]["country"] == "CN"
    assert "MCC 460 MNC 99" in out["reasons"][0]["detail"]


def test_a_country_the_profile_does_not_expect_is_foreign_with_less_confidence():
    out = evaluate(_gsm("450", "05"), KP)  # South Korea, not a neighbour of kp-border
    assert (out["verdict"], out["confidence"]) == ("foreign", 0.9)
    assert out["operator"]["country"] == "KR"
    assert "not one of the neighbours it expects (China, Russia)" in out["reasons"][0]["detail"]


@pytest.mark.parametrize("mcc", ["001", "901", "999"])
def test_codes_of_no_country_give_unknown_not_foreign(mcc):
    for profile in (KP, load_profile("generic", ["262"])):
        out = evaluate(_gsm(mcc, "01"), profile)
        assert (out["verdict"], out["confidence"]) == ("unknown", 0.0)
        assert out["reasons"][0]["rule"] == "unlisted_plmn" and f"MCC {mcc} MNC 01" in out["reasons"][0]["detail"]
        assert "country" not in out["operator"]


def test_generic_without_home_mcc_says_so():
    out = evaluate(_gsm("262", "01"), load_profile("generic"))
    assert out["verdict"] == "unknown" and "--home-mcc" in out["reasons"][0]["detail"]


@pytest.mark.parametrize("freq, band", [(1890e6, "B39"), (2330e6, "B40"), (2600e6, "B41/n41")])
def test_td_lte_where_only_chinese_operators_hold_spectrum_is_a_foreign_allocation(freq, band):
    out = evaluate(_lte(freq, "tdd"), KP)  # no PLMN, no operator_blocks: the tables are looked up
    assert (out["verdict"], out["confidence"]) == ("foreign", 0.8)
    (reason,) = out["reasons"]
    assert reason["rule"] == "foreign_allocation"
    assert f"LTE TDD cell (PCI 101, no network code decoded) at {freq / 1e6:.3f} MHz" in reason["detail"]
    assert f"China Mobile (CN, {band})" in reason["detail"]
    assert "operator" not in out  # a block names candidates, not the operator


def test_duplex_must_fit_the_block():
    """An FDD cell at 1890 MHz is not China Mobile's TD-LTE: the frequency says nothing."""
    out = evaluate(_lte(1890e6, "fdd"), KP)
    assert (out["verdict"], out["confidence"]) == ("unknown", 0.0)
    assert "no operator block at 1890.000 MHz fits an LTE FDD carrier" in out["reasons"][0]["detail"]


def test_fdd_lte_in_a_block_shared_with_a_home_operator_is_unknown():
    blocks = [{"operator": "China Mobile", "country": "CN", "techs": ["gsm", "lte"], "duplex": "fdd", "band": "B3"},
              {"operator": "Koryolink", "country": "KP", "techs": ["lte"], "duplex": "fdd", "band": "B3",
               "unverified": True}]
    out = evaluate(_lte(1815e6, "fdd", operator_blocks=blocks), KP)
    assert (out["verdict"], out["confidence"]) == ("unknown", 0.0)
    assert "both home and foreign operators (China Mobile (CN, B3) and Koryolink)" in out["reasons"][0]["detail"]


def test_gsm_without_plmn_in_a_band_sunnet_shares_is_unknown():
    out = evaluate(_gsm(freq=947.4e6), KP)
    assert out["verdict"] == "unknown" and "SunNet" in out["reasons"][0]["detail"]


def test_handset_in_a_foreign_uplink_block_without_precomputed_blocks():
    rec = {"kind": "handset", "tech": "gsm", "link": "ul", "band": "GSM900", "channel": 1015, "freq_hz": 888.2e6,
           "snr_db": 12.0, "bursts": 50}
    out = evaluate(rec, KP)
    assert out["verdict"] == "foreign" and out["reasons"][0]["rule"] == "handset_uplink"
    assert "China Mobile (CN, E-GSM900)" in out["reasons"][0]["detail"]


def test_no_foreign_verdict_by_frequency_where_the_home_band_plan_is_unknown():
    """Germany has no blocks in the tables: a 900 MHz handset there is not China Mobile's."""
    de = load_profile("generic", ["262"])
    out = evaluate({"kind": "handset", "tech": "gsm", "freq_hz": 888.2e6, "snr_db": 12.0}, de)
    assert (out["verdict"], out["confidence"]) == ("unknown", 0.0)
    assert "list no blocks of the home country (DE)" in out["reasons"][0]["detail"]


def test_unidentified_energy_gets_no_allocation_reason():
    out = evaluate({"kind": "emission", "shape": "narrowband", "freq_hz": 1890e6}, KP)
    assert out["verdict"] == "unknown" and out["reasons"] == []


def test_new_cell_fires_for_a_cell_absent_from_the_baseline():
    known = _gsm("460", "00")
    baseline = {record_key(known)}
    assert [r["rule"] for r in evaluate(known, KP, baseline)["reasons"]] == ["foreign_plmn"]
    moved = {**known, "identity": {**known["identity"], "cell_id": 9999}}
    assert [r["rule"] for r in evaluate(moved, KP, baseline)["reasons"]] == ["foreign_plmn", "new_cell"]


def test_evaluate_does_not_modify_its_input_and_replaces_an_old_verdict():
    rec = {**_gsm("467", "05"), "operator": {"name": "stale"}, "verdict": "foreign", "reasons": [{"rule": "x"}]}
    before = repr(rec)
    out = evaluate(rec, KP)
    assert repr(rec) == before
    assert out["verdict"] == "domestic" and out["operator"]["name"] == "Koryolink"
    assert [r["rule"] for r in out["reasons"]] == ["home_plmn"]


@pytest.mark.parametrize("text, message", [
    ('name = "x"\nhome_mc = ["467"]\n', r"x.toml: unknown profile field home_mc; the fields are name, "),
    ('name = "x"\nneighbours = "CN"\n', r"x.toml: profile field neighbours is 'CN'; expected a list of ISO"),
    ('name = "x"\nbands = ["GSM900", "B999"]\n', r"x.toml: profile field bands\[1\] is 'B999'; expected a band"),
    ('name = "x"\n[thresholds]\nmin_snr_db = "six"\n', r"x.toml: profile field thresholds.min_snr_db is 'six'"),
    ('name = "x"\n[thresholds]\nmin_snr = 6\n', r"x.toml: unknown profile field thresholds.min_snr"),
    ('name = "x"\nbaseline = "nowhere.json"\n', r"x.toml: profile field baseline names .*nowhere.json, which does "
                                                r"not exist"),
])
def test_profile_errors_name_the_file_and_the_field(tmp_path, text, message):
    (tmp_path / "x.toml").write_text(text)
    with pytest.raises(MetadataError, match=message):
        load_profile(str(tmp_path / "x.toml"))


def test_bad_home_mcc_option_is_a_usage_error():
    with pytest.raises(UsageError, match="--home-mcc 26: expected a 3-digit mobile country code"):
        load_profile("generic", ["26"])


def test_builtin_profiles_pass_validation():
    assert KP.bands and KP.home_mcc == ("467",) and set(KP.foreign_mcc) == {"460", "250"}
    assert load_profile("generic", ["262"]).home_country == "DE"
