"""Cross-border rules on crafted records: verdicts with reasons a user can read, from decoded PLMNs and from
operator blocks; profiles load with clear errors."""

import pytest

from detector.errors import MetadataError, UsageError
from detector.policy import builtin_profiles, evaluate, load_profile

KP = load_profile("kp-border")


def _cell(mcc=None, mnc=None, freq=947.4e6, snr=20.0, blocks=None, tech="gsm"):
    rec = {"kind": "cell", "tech": tech, "freq_hz": freq, "snr_db": snr, "identity": {}}
    if mcc:
        rec["identity"] = {"mcc": mcc, "mnc": mnc}
    if blocks is not None:
        rec["operator_blocks"] = blocks
    return rec


def _block(op, country, techs=("gsm",), band="E-GSM900", unverified=False):
    b = {"operator": op, "country": country, "techs": list(techs), "duplex": "fdd", "band": band}
    if unverified:
        b["unverified"] = True
    return b


def test_chinese_plmn_is_foreign_with_a_readable_reason():
    out = evaluate(_cell("460", "00"), KP)
    assert out["verdict"] == "foreign" and out["confidence"] == 0.99
    assert out["operator"] == {"country": "CN", "name": "China Mobile", "basis": "plmn"}
    assert out["reasons"] == [{"rule": "foreign_plmn", "detail": "MCC 460 MNC 00 decoded from the cell's broadcast: "
                               "China Mobile (China), not a home network of the 'kp-border' profile"}]


def test_home_plmn_is_domestic():
    out = evaluate(_cell("467", "05"), KP)
    assert out["verdict"] == "domestic" and out["reasons"][0]["rule"] == "home_plmn"


def test_mnc_digits_matter():
    assert evaluate(_cell("460", "00"), KP)["operator"]["name"] == "China Mobile"
    assert evaluate(_cell("460", "000"), KP)["operator"]["name"] is None  # no such 3-digit MNC


def test_allocation_only_foreign_blocks():
    rec = _cell(freq=1890e6, tech="lte", blocks=[_block("China Mobile", "CN", ("lte",), "B39")])
    out = evaluate(rec, KP)
    assert out["verdict"] == "foreign" and out["confidence"] == 0.8
    assert out["reasons"][0]["rule"] == "foreign_allocation"
    assert "1890.000 MHz in a block only foreign operators hold: China Mobile (CN, B39)" in out["reasons"][0]["detail"]


def test_allocation_shared_with_a_home_operator_is_unknown_not_a_guess():
    rec = _cell(blocks=[_block("China Mobile", "CN"), _block("SunNet", "KP", unverified=True)])
    out = evaluate(rec, KP)
    assert out["verdict"] == "unknown" and out["confidence"] == 0.0
    assert "both home and foreign operators" in out["reasons"][0]["detail"]


def test_technology_must_fit_the_block():
    """An LTE carrier in a block licensed for GSM only says nothing about whose LTE it is."""
    rec = _cell(tech="lte", blocks=[_block("China Mobile", "CN", ("gsm",))])
    assert evaluate(rec, KP)["verdict"] == "unknown"


def test_duplex_must_fit_the_block():
    """A TD-LTE cell in a block the foreign operator holds for FDD only is not evidence of that operator."""
    fdd_block = _block("China Unicom", "CN", ("lte",), "B3")
    tdd_cell = _cell(tech="lte", freq=1850e6, blocks=[fdd_block])
    tdd_cell["identity"] = {"pci": 86, "duplex": "tdd"}
    assert evaluate(tdd_cell, KP)["verdict"] == "unknown"
    tdd_cell["identity"]["duplex"] = "fdd"
    assert evaluate(tdd_cell, KP)["verdict"] == "foreign"


def test_handset_in_a_foreign_uplink_block():
    rec = {"kind": "handset", "tech": "gsm", "freq_hz": 888.2e6, "snr_db": 3.0,
           "operator_blocks": [_block("China Mobile", "CN")]}
    out = evaluate(rec, KP)
    assert out["verdict"] == "foreign" and out["reasons"][0]["rule"] == "handset_uplink"
    assert out["confidence"] == pytest.approx(0.8 * (0.5 + 0.5 * 3 / 6))  # weak signal, lower confidence


def test_unverified_blocks_lower_the_confidence():
    rec = _cell(blocks=[_block("China Mobile", "CN", unverified=True)])
    assert evaluate(rec, KP)["confidence"] == 0.6


def test_new_cell_against_a_baseline():
    from detector.scanner import record_key

    known = evaluate(_cell("467", "05"), KP, baseline={record_key(_cell("467", "05"))})
    new = evaluate(_cell("460", "01"), KP, baseline={record_key(_cell("467", "05"))})
    assert [r["rule"] for r in known["reasons"]] == ["home_plmn"]
    assert [r["rule"] for r in new["reasons"]] == ["foreign_plmn", "new_cell"]


def test_generic_profile_with_home_mcc():
    de = load_profile("generic", ["262"])
    assert de.home_country == "DE"
    assert evaluate(_cell("262", "01"), de)["verdict"] == "domestic"
    assert evaluate(_cell("232", "01"), de)["verdict"] == "foreign"  # Austria, any non-home MCC


def test_profiles_listed_and_errors_clear(tmp_path):
    assert {"kp-border", "generic"} <= set(builtin_profiles())
    with pytest.raises(UsageError, match="--profile nowhere: no such profile; built-in: generic, kp-border"):
        load_profile("nowhere")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nhome_mcc = [467]\n')
    with pytest.raises(MetadataError, match=r"bad.toml: profile field home_mcc is \[467\]; expected a list of "
                                            r"3-digit MCC strings"):
        load_profile(str(bad))


def test_profiles_command(cli):
    rc, out, _ = cli("profiles")
    assert rc == 0 and out.splitlines()[1].startswith("kp-border  home MCC 467")
    rc, out, _ = cli("profiles", "kp-border")
    assert rc == 0 and "foreign_mcc   460, 250" in out


def test_baseline_build_diff_and_profile_baseline(tmp_path, cli):
    import json
    import os

    from conftest import RECORDINGS

    survey = os.path.join(RECORDINGS, "survey_egsm_sweep.sigmf-meta")
    handsets = os.path.join(RECORDINGS, "uplink_handsets.sigmf-meta")
    rc, out, _ = cli("replay", "--json", survey)
    (tmp_path / "day1.jsonl").write_text(out)
    rc, _, err = cli("baseline", "build", tmp_path / "day1.jsonl", "-o", tmp_path / "base.json")
    assert rc == 0 and "base.json: 9 known identities from 9 records" in err
    rc, out, _ = cli("replay", "--json", handsets)
    (tmp_path / "day2.jsonl").write_text(out)
    rc, out, err = cli("baseline", "diff", tmp_path / "day2.jsonl", "--baseline", tmp_path / "base.json")
    new = [json.loads(line) for line in out.splitlines()]
    assert rc == 0 and {r["kind"] for r in new} >= {"handset"}
    assert all(r["reasons"][-1]["rule"] == "new_cell" for r in new)
    assert not any(abs(r["freq_hz"] - 947.4e6) < 30e3 and r["kind"] == "emission" for r in new)  # known on day 1
    prof = tmp_path / "site.toml"
    prof.write_text('name = "site"\nhome_mcc = ["467"]\nforeign_mcc = ["460"]\nbaseline = "base.json"\n')
    rc, out, _ = cli("replay", "--json", "--profile", prof, handsets)
    rules = {r["kind"]: [x["rule"] for x in r["reasons"]] for r in map(json.loads, out.splitlines())}
    assert rules["handset"][-1] == "new_cell"
