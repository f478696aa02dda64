"""GSM System Information parsing (TS 44.018 §9.1.31-9.1.36, §10.5.2; TS 24.008 §10.5.1.3): the L3 messages a
BCCH block carries, from their 23 octets to the identity fields a cross-border verdict needs.

Only fields actually present are returned; a message too short for a field raises `SysInfoError` naming
the message, the field and the octet, so the receiver can count it as malformed and go on.
"""

from __future__ import annotations

__all__ = ["SysInfoError", "parse_lai", "parse_si", "MESSAGE_TYPES"]

#: RR message types of the BCCH (TS 44.018 Table 10.4.1).
MESSAGE_TYPES = {0x19: "SI1", 0x1A: "SI2", 0x02: "SI2bis", 0x03: "SI2ter", 0x07: "SI2quater", 0x1B: "SI3",
                 0x1C: "SI4", 0x00: "SI13", 0x21: "PAGING1", 0x22: "PAGING2", 0x24: "PAGING3"}


class SysInfoError(ValueError):
    """A System Information message is malformed or truncated (the message says which field)."""


def _need(octets: bytes, n: int, what: str) -> None:
    if len(octets) < n:
        raise SysInfoError(f"{what}: needs {n} octets, message has {len(octets)}")


def parse_lai(octets: bytes) -> dict:
    """Location Area Identification (TS 24.008 §10.5.1.3): MCC and MNC as digit strings, LAC as int.

    Octet 1 = MCC2|MCC1, octet 2 = MNC3|MCC3 (MNC3 = 0xF: a 2-digit MNC), octet 3 = MNC2|MNC1,
    octets 4-5 = LAC big-endian.

    Examples
    --------
    >>> parse_lai(bytes.fromhex("72f2203aa8"))
    {'mcc': '272', 'mnc': '02', 'lac': 15016}
    >>> parse_lai(bytes.fromhex("62f22404d2"))
    {'mcc': '262', 'mnc': '42', 'lac': 1234}
    """
    _need(octets, 5, "LAI")
    b = octets
    digits = [b[0] & 0xF, b[0] >> 4, b[1] & 0xF, b[2] & 0xF, b[2] >> 4, b[1] >> 4]
    if any(d > 9 for d in digits[:5]) or (digits[5] > 9 and digits[5] != 0xF):
        raise SysInfoError(f"LAI: BCD digits out of range in {octets[:3].hex()}")
    mcc = "".join(str(d) for d in digits[:3])
    mnc = "".join(str(d) for d in digits[3:5]) + ("" if digits[5] == 0xF else str(digits[5]))
    return {"mcc": mcc, "mnc": mnc, "lac": (b[3] << 8) | b[4]}


def _cell_selection(o: bytes) -> dict:
    """Cell Selection Parameters (§10.5.2.4)."""
    return {"cell_reselect_hysteresis_db": 2 * (o[0] >> 5), "ms_txpwr_max_cch": o[0] & 0x1F,
            "acs": bool(o[1] & 0x80), "neci": bool(o[1] & 0x40), "rxlev_access_min": o[1] & 0x3F}


def _rach_control(o: bytes) -> dict:
    """RACH Control Parameters (§10.5.2.29)."""
    return {"max_retrans": (1, 2, 4, 7)[o[0] >> 6], "cell_barred": bool(o[0] & 0x02),
            "call_reestablishment_allowed": not bool(o[0] & 0x01),
            "access_classes_barred": [k for k in range(16) if ((o[1] << 8) | o[2]) >> k & 1]}


def parse_si(l2: bytes) -> dict:
    """Parse one BCCH L2 frame (23 octets: pseudo length, PD, message type, body).

    Returns ``{"type": "SI3", ...fields}``; SI3 gives cell_id, mcc, mnc (string, 2 or 3 digits), lac,
    ccch_conf, bs_ag_blks_res, bs_pa_mfrms, t3212_decihours, cell options, cell selection and RACH control;
    SI4 gives the LAI, cell selection and RACH control. Other types return their name only.

    Examples
    --------
    >>> si3 = parse_si(bytes.fromhex("49061b2bd962f220013ec8070a156009b90000e81f461b"))
    >>> si3["type"], si3["cell_id"], si3["mcc"], si3["mnc"], si3["lac"], si3["ccch_conf"]
    ('SI3', 11225, '262', '02', 318, 0)
    """
    _need(l2, 3, "L2 frame header")
    if l2[1] & 0x0F != 0x06:
        raise SysInfoError(f"protocol discriminator is {l2[1] & 0x0F:#x}; expected 0x6 (radio resource)")
    mtype = l2[2]
    name = MESSAGE_TYPES.get(mtype, f"RR_{mtype:#04x}")
    out: dict = {"type": name}
    body = l2[3:]
    if name == "SI3":
        _need(body, 2 + 5 + 3 + 1 + 2 + 3, "SI3")
        out["cell_id"] = (body[0] << 8) | body[1]
        out.update(parse_lai(body[2:7]))
        ccd = body[7:10]
        out.update({"attach_detach": bool(ccd[0] & 0x40), "bs_ag_blks_res": (ccd[0] >> 3) & 0x7,
                    "ccch_conf": ccd[0] & 0x7, "bs_pa_mfrms": (ccd[1] & 0x7) + 2, "t3212_decihours": ccd[2]})
        opts = body[10]
        out.update({"pwrc": bool(opts & 0x40), "dtx": (opts >> 4) & 0x3,
                    "radio_link_timeout": 4 * ((opts & 0xF) + 1)})
        out.update(_cell_selection(body[11:13]))
        out.update(_rach_control(body[13:16]))
    elif name == "SI4":
        _need(body, 5 + 2 + 3, "SI4")
        out.update(parse_lai(body[0:5]))
        out.update(_cell_selection(body[5:7]))
        out.update(_rach_control(body[7:10]))
    return out
