"""Cross-border rules: a detection record in, the same record out with operator, verdict, confidence, reasons.

Rules, strongest first (DESIGN.md):

1. ``foreign_plmn``: the decoded MCC/MNC is a foreign network. The reason shows what was decoded and
   says where it came from: an MCC alone is not always the country (operators have broadcast another
   country's MCC), so the sentence names the code, not only the country.
2. ``foreign_allocation``: no PLMN was decoded, and every operator block at the frequency that fits the
   technology (and duplex) belongs to a foreign operator. Blocks of home and foreign operators both -> unknown.
3. ``new_cell``: an identity not in the site's baseline (when a baseline is given).
4. ``handset_uplink``: handset bursts in an uplink block that only foreign operators hold.

Confidence: 0.99 for a decoded PLMN, 0.8 for an allocation (0.6 when any block is marked unverified),
scaled down linearly below the profile's ``min_snr_db`` (to half at 0 dB SNR).
"""

from __future__ import annotations

__all__ = ["evaluate"]


def _country_name(mcc: str) -> str:
    from ..bands import country_for_mcc

    c = country_for_mcc(mcc)
    return c.name if c else "unknown country"


def _snr_scale(rec: dict, profile) -> float:
    snr = rec.get("snr_db")
    if snr is None or snr >= profile.min_snr_db:
        return 1.0
    return max(0.5, 0.5 + 0.5 * max(snr, 0.0) / profile.min_snr_db)


def _blocks_for(rec: dict) -> list[dict]:
    """The operator blocks the record could belong to: same technology, and same duplex when it is known."""
    tech = rec.get("tech") or rec.get("shape")
    duplex = (rec.get("identity") or {}).get("duplex") or rec.get("duplex")
    blocks = rec.get("operator_blocks") or []
    return [b for b in blocks if (not tech or tech in b.get("techs", [tech]))
            and (not duplex or b.get("duplex", duplex) == duplex)]


def evaluate(record: dict, profile, baseline: set | None = None) -> dict:
    """Return a copy of `record` with ``operator``, ``verdict``, ``confidence`` and ``reasons`` filled in.

    Parameters
    ----------
    record : dict
        A DESIGN.md detection record (cell, handset or emission).
    profile : detector.policy.Profile
    baseline : set, optional
        Known identities (see `detector.scanner.record_key`); absent = no ``new_cell`` rule.
    """
    from ..bands import operator_for

    rec = dict(record)
    reasons = []
    verdict, confidence = "unknown", 0.0
    ident = rec.get("identity") or {}
    mcc, mnc = ident.get("mcc"), ident.get("mnc")
    if mcc:
        op = operator_for(mcc, mnc) if mnc else None
        rec["operator"] = {"country": _country_name(mcc), "name": op.name if op else None, "basis": "plmn"}
        if op:
            rec["operator"]["country"] = op.country
        what = f"MCC {mcc}" + (f" MNC {mnc}" if mnc else "") + " decoded from the cell's broadcast"
        who = f"{op.name} ({_country_name(mcc)})" if op else _country_name(mcc)
        if profile.is_foreign_mcc(mcc):
            verdict, confidence = "foreign", 0.99
            reasons.append({"rule": "foreign_plmn", "detail": f"{what}: {who}, not a home network of the "
                                                              f"'{profile.name}' profile"})
        elif profile.is_home_mcc(mcc):
            verdict, confidence = "domestic", 0.99
            reasons.append({"rule": "home_plmn", "detail": f"{what}: {who}, a home network"})
    else:
        blocks = _blocks_for(rec)
        if blocks:
            foreign = [b for b in blocks if profile.is_foreign_country(b["country"])]
            home = [b for b in blocks if profile.home_country and b["country"] == profile.home_country]
            names = sorted({f"{b['operator']} ({b['country']}, {b['band']})" for b in foreign})
            rule = "handset_uplink" if rec.get("kind") == "handset" else "foreign_allocation"
            if foreign and not home and len(foreign) == len(blocks):
                verdict = "foreign"
                confidence = 0.6 if any(b.get("unverified") for b in foreign) else 0.8
                kind = rec.get("tech") or rec.get("shape")
                what = "handset transmissions" if rule == "handset_uplink" else f"{kind} energy"
                reasons.append({"rule": rule, "detail": f"{what} at {rec['freq_hz'] / 1e6:.3f} MHz in a block only "
                                                        f"foreign operators hold: {', '.join(names)}"})
            elif foreign and home:
                reasons.append({"rule": rule, "detail": f"{rec['freq_hz'] / 1e6:.3f} MHz lies in blocks of both home "
                                                        f"and foreign operators ({', '.join(names)} and "
                                                        f"{', '.join(sorted({b['operator'] for b in home}))}); "
                                                        f"no decoded identity to decide"})
            elif home and not foreign:
                verdict, confidence = "domestic", 0.6
                reasons.append({"rule": rule, "detail": f"{rec['freq_hz'] / 1e6:.3f} MHz lies only in home "
                                                        f"operators' blocks"})
    if baseline is not None:
        from ..scanner import record_key

        if record_key(rec) not in baseline:
            reasons.append({"rule": "new_cell", "detail": "not in the site's baseline of known cells"})
    rec["verdict"] = verdict
    rec["confidence"] = round(confidence * _snr_scale(rec, profile), 3)
    rec["reasons"] = reasons
    return rec
