"""Cross-border rules: a detection record in, the same record out with operator, verdict, confidence, reasons.

Rules, strongest first (DESIGN.md):

1. ``foreign_plmn``: the decoded MCC/MNC is a foreign network. The reason shows what was decoded and
   says where it came from: an MCC alone is not always the country (operators have broadcast another
   country's MCC), so the sentence names the code, not only the country. An MCC of a neighbour the
   profile lists gives 0.99; any other country's MCC is still foreign (it is not home) but 0.9, and the
   reason says the country is not one the profile expects. A code that belongs to no country (001 test
   networks, 90x international, 999 private, unassigned) gives ``unknown``: test equipment, private
   networks and IMSI catchers use such codes, and they say nothing about the side of the border.
2. ``foreign_allocation``: no PLMN was decoded, and every operator block at the frequency that fits the
   technology and the duplex (LTE ``identity.duplex``; GSM and UMTS are FDD) belongs to a foreign
   operator. Blocks of home and foreign operators both -> ``unknown``. The blocks are the record's
   ``operator_blocks`` (the analyzer's view) or, when it carries none (cells from the receivers), the
   assigned blocks `detector.bands.blocks_at` lists on the record's link. When the tables hold no block
   of the home country at all (``generic --home-mcc 262``: no German band plan in the data), nothing
   can be called foreign by frequency: the verdict is ``unknown`` and the reason says why.
3. ``new_cell``: an identity not in the site's baseline (when a baseline is given).
4. ``handset_uplink``: handset bursts in an uplink block that only foreign operators hold (rule 2 on
   the uplink).

Confidence: 0.99 for a decoded PLMN of an expected neighbour (0.9 for another country), 0.8 for an
allocation (0.6 when any block is marked unverified), scaled down linearly below the profile's
``min_snr_db`` (to half at 0 dB SNR).
"""

from __future__ import annotations

__all__ = ["evaluate"]

_CELLULAR = ("gsm", "umts", "lte", "nr", "cdma")


def _country(mcc: str):
    from ..bands import country_for_mcc

    try:
        return country_for_mcc(mcc)
    except (TypeError, ValueError):  # not 3 digits: a decoding fault, named in the reason
        return None


def _country_name(mcc: str) -> str:
    c = _country(mcc)
    return c.name if c else "unknown country"


def _snr_scale(rec: dict, profile) -> float:
    snr = rec.get("snr_db")
    if snr is None or snr >= profile.min_snr_db:
        return 1.0
    return max(0.5, 0.5 + 0.5 * max(snr, 0.0) / profile.min_snr_db)


def _link(rec: dict) -> str | None:
    if rec.get("kind") == "handset":
        return "ul"
    if rec.get("kind") == "cell":
        return "dl"
    return rec.get("link") if rec.get("link") in ("dl", "ul") else None


def _duplex(rec: dict, tech: str | None) -> str | None:
    ident = rec.get("identity") or {}
    duplex = ident.get("duplex") or rec.get("duplex")
    if duplex in ("fdd", "tdd"):
        return duplex
    return "fdd" if tech in ("gsm", "umts") else None


def _record_blocks(rec: dict) -> list[dict]:
    """The record's operator blocks, or the assigned blocks the band tables list at its frequency."""
    if rec.get("operator_blocks") is not None:
        return list(rec["operator_blocks"])
    freq = rec.get("freq_hz")
    if not isinstance(freq, (int, float)) or not freq > 0:
        return []
    from ..bands import blocks_at

    return [{"operator": b.operator, "country": b.country, "mcc": b.mcc, "techs": list(b.techs),
             "duplex": b.duplex, "band": b.band, **({"unverified": True} if b.unverified else {})}
            for b in blocks_at(float(freq), _link(rec)) if b.extent == "assigned"]


def _fits(block: dict, tech: str | None, duplex: str | None) -> bool:
    if tech and tech not in block.get("techs", [tech]):
        return False
    return not (duplex and block.get("duplex") and block["duplex"] != duplex)


def _home_has_blocks(country: str | None) -> bool:
    """True when the band tables hold any block of the home country (else its band plan is unknown)."""
    if not country:
        return False
    from ..bands import blocks

    return any(b.country == country for b in blocks())


def _plmn(rec: dict, profile, mcc: str, mnc: str | None, reasons: list) -> tuple[str, float]:
    from ..bands import operator_for

    try:
        op = operator_for(mcc, mnc) if mnc else None
    except (TypeError, ValueError):
        op = None
    c = _country(mcc)
    iso = op.country if op else (c.iso if c and c.iso else None)
    rec["operator"] = {**({"country": iso} if iso else {}), "name": op.name if op else None, "basis": "plmn"}
    what = f"MCC {mcc}" + (f" MNC {mnc}" if mnc else "") + " decoded from the cell's broadcast"
    who = f"{op.name} ({_country_name(mcc)})" if op else _country_name(mcc)
    if profile.is_home_mcc(mcc):
        reasons.append({"rule": "home_plmn", "detail": f"{what}: {who}, a home network"})
        return "domestic", 0.99
    if c is None or not c.iso:
        kind = c.name if c else "a code no country is assigned"
        reasons.append({"rule": "unlisted_plmn", "detail": f"{what}: {kind}, not a country's public network "
                                                           f"(test equipment, private networks and IMSI catchers "
                                                           f"use such codes), so it says nothing about the border"})
        return "unknown", 0.0
    if not profile.home_mcc:
        reasons.append({"rule": "profile", "detail": f"{what}: {who}; the '{profile.name}' profile names no home "
                                                     f"network (give --home-mcc), so it cannot say whether this "
                                                     f"is home or foreign"})
        return "unknown", 0.0
    if profile.foreign_mcc and mcc not in profile.foreign_mcc:
        expected = ", ".join(_country_name(m) for m in profile.foreign_mcc)
        reasons.append({"rule": "foreign_plmn", "detail": f"{what}: {who}, not a home network of the "
                                                          f"'{profile.name}' profile, and not one of the neighbours "
                                                          f"it expects ({expected}): check the decode"})
        return "foreign", 0.9
    reasons.append({"rule": "foreign_plmn", "detail": f"{what}: {who}, not a home network of the "
                                                      f"'{profile.name}' profile"})
    return "foreign", 0.99


def _allocation(rec: dict, profile, reasons: list) -> tuple[str, float]:
    tech = rec.get("tech") or rec.get("shape")
    duplex = _duplex(rec, tech)
    candidates = _record_blocks(rec)
    blocks = [b for b in candidates if _fits(b, tech, duplex)]
    if tech not in _CELLULAR:  # narrowband or unrecognised energy: no block can be said to carry it
        return "unknown", 0.0
    rule = "handset_uplink" if rec.get("kind") == "handset" else "foreign_allocation"
    mhz = f"{rec['freq_hz'] / 1e6:.3f} MHz" if isinstance(rec.get("freq_hz"), (int, float)) else "this frequency"
    carrier = f"{tech.upper()} {duplex.upper()} carrier" if duplex else f"{tech.upper()} carrier"
    carrier = ("an " if carrier[0] in "AEFHILMNORSX" else "a ") + carrier
    if not blocks:
        if candidates:
            held = ", ".join(sorted({f"{b['operator']} ({b['country']}, {b['band']}, "
                                     f"{'/'.join(b.get('techs', []))} {b.get('duplex', '')})".replace(" )", ")")
                                     for b in candidates}))
            reasons.append({"rule": rule, "detail": f"no operator block at {mhz} fits {carrier}: the blocks there "
                                                    f"({held}) are for another technology or duplex, so the "
                                                    f"frequency says nothing about whose it is"})
        return "unknown", 0.0
    home_iso = profile.home_country
    foreign = [b for b in blocks if profile.is_foreign_country(b["country"])]
    home = [b for b in blocks if home_iso and b["country"] == home_iso]
    names = sorted({f"{b['operator']} ({b['country']}, {b['band']})" for b in foreign})
    if foreign and not home and len(foreign) == len(blocks):
        if not _home_has_blocks(home_iso):
            reasons.append({"rule": rule, "detail": f"{mhz} lies in a block of {', '.join(names)}, but the operator "
                                                    f"tables list no blocks of the home country "
                                                    f"({home_iso or 'none named'}), so the frequency alone cannot "
                                                    f"tell a home carrier from a foreign one"})
            return "unknown", 0.0
        if rule == "handset_uplink":
            what = "handset transmissions"
        elif rec.get("kind") == "cell":
            ident = rec.get("identity") or {}
            ids = ", ".join(f"{k.upper()} {ident[k]}" for k in ("bsic", "pci") if ident.get(k) is not None)
            what = f"{tech.upper()}{' ' + duplex.upper() if duplex else ''} cell ({ids + ', ' if ids else ''}" \
                   f"no network code decoded)"
        else:
            what = f"{tech} energy"
        reasons.append({"rule": rule, "detail": f"{what} at {mhz} in a block only foreign operators hold: "
                                                f"{', '.join(names)}"})
        return "foreign", 0.6 if any(b.get("unverified") for b in foreign) else 0.8
    if foreign and home:
        reasons.append({"rule": rule, "detail": f"{mhz} lies in blocks of both home and foreign operators "
                                                f"({', '.join(names)} and "
                                                f"{', '.join(sorted({b['operator'] for b in home}))}); "
                                                f"no decoded identity to decide"})
    elif home and len(home) == len(blocks):
        reasons.append({"rule": rule, "detail": f"{mhz} lies only in home operators' blocks"})
        return "domestic", 0.6
    else:  # blocks of countries that are neither home nor a listed neighbour
        others = sorted({f"{b['operator']} ({b['country']}, {b['band']})" for b in blocks
                         if b not in foreign and b not in home})
        reasons.append({"rule": rule, "detail": f"{mhz} lies in blocks of {', '.join(others)}, a country the "
                                                f"'{profile.name}' profile does not list as home or neighbour"
                                                f"{' (and of ' + ', '.join(names) + ')' if names else ''}; "
                                                f"no decoded identity to decide"})
    return "unknown", 0.0


def evaluate(record: dict, profile, baseline: set | None = None) -> dict:
    """Return a copy of `record` with ``operator``, ``verdict``, ``confidence`` and ``reasons`` filled in.

    Parameters
    ----------
    record : dict
        A DESIGN.md detection record (cell, handset or emission).
    profile : detector.policy.Profile
    baseline : set, optional
        Known identities (see `detector.scanner.record_key`); absent = no ``new_cell`` rule.

    Returns
    -------
    dict
        A new dict; `record` is not modified. ``operator`` is set from a decoded PLMN only (an
        allocation names candidates in its reason, not an operator).

    Examples
    --------
    >>> from detector.policy import load_profile
    >>> kp = load_profile("kp-border")
    >>> out = evaluate({"kind": "cell", "tech": "gsm", "freq_hz": 947.4e6, "snr_db": 20.0,
    ...                 "identity": {"mcc": "460", "mnc": "00"}}, kp)
    >>> out["verdict"], out["operator"]["name"], out["reasons"][0]["rule"]
    ('foreign', 'China Mobile', 'foreign_plmn')
    >>> tdd = {"kind": "cell", "tech": "lte", "freq_hz": 1890e6, "identity": {"pci": 7, "duplex": "tdd"}}
    >>> evaluate(tdd, kp)["verdict"], evaluate({**tdd, "identity": {"pci": 7, "duplex": "fdd"}}, kp)["verdict"]
    ('foreign', 'unknown')
    """
    rec = dict(record)
    rec.pop("operator", None)
    reasons: list[dict] = []
    ident = rec.get("identity") or {}
    mcc, mnc = ident.get("mcc"), ident.get("mnc")
    if mcc:
        verdict, confidence = _plmn(rec, profile, str(mcc), str(mnc) if mnc else None, reasons)
    else:
        verdict, confidence = _allocation(rec, profile, reasons)
    if baseline is not None:
        from ..scanner import record_key

        if record_key(rec) not in baseline:
            reasons.append({"rule": "new_cell", "detail": "not in the site's baseline of known cells"})
    rec["verdict"] = verdict
    rec["confidence"] = round(confidence * _snr_scale(rec, profile), 3)
    rec["reasons"] = reasons
    return rec
