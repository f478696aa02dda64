"""GSM System Information parsing (TS 44.018 §9.1.31-9.1.36, §10.5.2; TS 24.008 §10.5.1.3): the L3 messages a
BCCH block carries, from their 23 octets to the identity fields a cross-border verdict needs.

Only fields actually present are returned; a message too short for a field raises `SysInfoError` naming
the message, the field and the octet, so the receiver can count it as malformed and go on.

Messages and fields (flat keys in the returned dict):

* SI3: ``cell_id``, ``mcc``, ``mnc`` (strings, leading zeros kept), ``mnc_digits``, ``lac``, control channel
  description (``ccch_conf``, ``bs_ag_blks_res``, ``bs_pa_mfrms``, ``t3212_decihours``), cell options, cell
  selection, RACH control, and from the rest octets (§10.5.2.34) the selection parameters, the SI2ter and
  SI2quater indicators and the GPRS indicator (``gprs``, ``si13_position``).
* SI4: the LAI, cell selection, RACH control, ``cbch`` and the GPRS indicator of its rest octets (§10.5.2.35).
* SI1: ``cell_allocation`` (ARFCNs of the Cell Channel Description, §10.5.2.1b), ``band_indicator``.
* SI2 / SI2bis / SI2ter: ``neighbours`` (BCCH allocation ARFCNs, §10.5.2.22 / §10.5.2.22a), ``freq_list_format``,
  ``ba_ind``, SI2 ``ncc_permitted``; every frequency-list format is decoded (`detector.gsm._freqlist`).
* SI2quater: ``si2quater_index``/``si2quater_count`` (one instance of several), ``utran_fdd`` / ``utran_tdd``
  (UARFCN and number of cells per 3G neighbour frequency) and ``eutran_earfcns`` (LTE neighbour EARFCNs).
* SI13, paging and other RR messages: their ``type`` only.
"""

from __future__ import annotations

from ._freqlist import decode_freq_list

__all__ = ["SysInfoError", "parse_lai", "encode_lai", "parse_si", "MESSAGE_TYPES", "CCCH_CONF"]

#: RR message types of the BCCH and CCCH (TS 44.018 Table 10.4.1).
MESSAGE_TYPES = {0x19: "SI1", 0x1A: "SI2", 0x02: "SI2bis", 0x03: "SI2ter", 0x07: "SI2quater", 0x1B: "SI3",
                 0x1C: "SI4", 0x00: "SI13", 0x01: "SI13alt", 0x04: "SI9", 0x1F: "SI7", 0x18: "SI8", 0x43: "SI15",
                 0x21: "PAGING1", 0x22: "PAGING2", 0x24: "PAGING3", 0x3F: "IMM_ASS", 0x39: "IMM_ASS_EXT",
                 0x3A: "IMM_ASS_REJ"}

#: CCCH_CONF (TS 44.018 §10.5.2.11): basic physical channels used for CCCH, and whether SDCCH/4 is combined.
CCCH_CONF = {0: "1 non-combined", 1: "1 combined with SDCCH/4", 2: "2 non-combined", 4: "3 non-combined",
             6: "4 non-combined"}

_PAD = 0x2B  # spare padding of rest octets; CSN.1 L/H is relative to it (TS 44.018 §10.5.2.x, CSN.1 L/H)


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


def encode_lai(mcc: str, mnc: str, lac: int) -> bytes:
    """The 5 octets of a Location Area Identification (inverse of `parse_lai`).

    Examples
    --------
    >>> encode_lai("460", "00", 9522).hex()
    '64f0002532'
    >>> parse_lai(encode_lai("310", "410", 7))
    {'mcc': '310', 'mnc': '410', 'lac': 7}
    """
    if len(mcc) != 3 or not mcc.isdigit() or len(mnc) not in (2, 3) or not mnc.isdigit():
        raise ValueError(f"MCC must be 3 digits and MNC 2 or 3 digits, got {mcc!r}/{mnc!r}")
    if not 0 <= lac <= 0xFFFF:
        raise ValueError(f"LAC must be 0..65535, got {lac}")
    d = [int(c) for c in mcc]
    n = [int(c) for c in mnc]
    mnc3 = n[2] if len(n) == 3 else 0xF
    return bytes([d[1] << 4 | d[0], mnc3 << 4 | d[2], n[1] << 4 | n[0], lac >> 8, lac & 0xFF])


class _CSN:
    """Bit reader over rest octets: plain bits and CSN.1 L/H (H = the bit differs from the 0x2B padding)."""

    def __init__(self, data: bytes):
        self.data = bytes(data)
        self.pos = 0

    def bit(self) -> int:
        if self.pos >= len(self.data) * 8:
            raise IndexError("rest octets exhausted")
        o, b = divmod(self.pos, 8)
        self.pos += 1
        return self.data[o] >> (7 - b) & 1

    def bits(self, n: int) -> int:
        v = 0
        for _ in range(n):
            v = v << 1 | self.bit()
        return v

    def h(self) -> bool:
        b = self.pos % 8
        return self.bit() != (_PAD >> (7 - b) & 1)

    def left(self) -> int:
        return len(self.data) * 8 - self.pos

    def opt(self, n: int) -> int | None:
        """``{ 0 | 1 < field : bit (n) > }``: the field when present, else None."""
        return self.bits(n) if self.bit() else None


def _selection_power_gprs(c: _CSN, out: dict) -> None:
    """<Optional selection parameter> <Optional Power offset> of SI3/SI4 rest octets."""
    if c.h():
        out["sbcch"] = bool(c.bit())
        out["cell_reselect_offset_db"] = 2 * c.bits(6)
        out["temporary_offset_db"] = 10 * c.bits(3)
        out["penalty_time_s"] = 20 * (c.bits(5) + 1)
    if c.h():
        out["power_offset_db"] = 2 * c.bits(2)


def _gprs_indicator(c: _CSN, out: dict) -> None:
    if c.h():
        out["gprs"] = True
        out["ra_colour"] = c.bits(3)
        out["si13_position"] = "bcch_ext" if c.bit() else "bcch_norm"
    else:
        out["gprs"] = False


def _si3_rest(r: bytes) -> dict:
    """SI3 Rest Octets (§10.5.2.34) up to the SI2quater indicator; a short message keeps what was read."""
    c, out = _CSN(r), {}
    try:
        _selection_power_gprs(c, out)
        out["si2ter_indicator"] = c.h()
        out["early_classmark_sending"] = c.h()
        if c.h():
            out["si9_where"] = c.bits(3)
        _gprs_indicator(c, out)
        out["early_classmark_3g_restricted"] = c.h()
        if c.h():
            out["si2quater_indicator"] = True
            out["si2quater_position"] = "bcch_ext" if c.bit() else "bcch_norm"
        else:
            out["si2quater_indicator"] = False
    except IndexError:
        pass
    return out


def _si4_rest(r: bytes) -> dict:
    """SI4 Rest Octets_O (§10.5.2.35): selection parameters, power offset, GPRS indicator."""
    c, out = _CSN(r), {}
    try:
        _selection_power_gprs(c, out)
        _gprs_indicator(c, out)
    except IndexError:
        pass
    return out


# TS 44.018 Table 9.1.54.1: bits of the FDD / TDD_CELL_INFORMATION field for NR_OF_xDD_CELLS = 0..20
_P_FDD = (0, 10, 19, 28, 36, 44, 52, 60, 67, 74, 81, 88, 95, 102, 109, 116, 122)
_Q_TDD = (0, 9, 17, 25, 32, 39, 46, 53, 59, 65, 71, 77, 83, 89, 95, 101, 106, 111, 116, 121, 126)


def _repeat(c: _CSN, body) -> None:
    """``{ 1 < struct > } ** 0``."""
    while c.bit():
        body()


def _si2quater_rest(r: bytes) -> dict:
    """SI2quater Rest Octets (TS 44.018 §10.5.2.33b): header, UTRAN FDD/TDD and E-UTRAN neighbour frequencies.

    Walks the CSN.1 up to the Rel-8 E-UTRAN Neighbour Cells; structures before them are skipped by their
    syntax. A message that ends early (``null`` branches) keeps what was read.
    """
    c, out = _CSN(r), {}
    out["ba_ind"] = c.bit()
    out["ba_ind_3g"] = c.bit()
    out["mp_change_mark"] = c.bit()
    out["si2quater_index"] = c.bits(4)
    out["si2quater_count"] = c.bits(4)
    fdd: list[dict] = []
    tdd: list[dict] = []
    eutran: list[int] = []
    try:
        if c.bit():  # Measurement Parameters Description
            c.bits(3)
        if c.bit():  # GPRS Real Time Difference Description
            for width in (6, 12):
                if c.bit():
                    c.opt(5)

                    def rtd(width=width):
                        while not c.bit():  # { 0 < RTD : bit(w) > } ** 1
                            c.bits(width)

                    rtd()
                    while not c.bit():
                        rtd()
        if c.bit():  # GPRS BSIC Description
            c.opt(5)
            c.bits(6)
            for _ in range(c.bits(7)):
                c.bits(7)
        if c.bit():  # GPRS REPORT PRIORITY Description
            c.bits(c.bits(7))
        if c.bit():  # GPRS MEASUREMENT Parameters Description
            c.bits(3)
            c.opt(2)
            c.opt(2)
            c.bits(2)
            for _ in range(5):
                c.opt(6)
        if c.bit():  # NC Measurement Parameters
            c.bits(2)
            c.opt(9)
        if c.bit():  # extension length
            c.bits(c.bits(8) + 1)
        if c.bit():  # 3G Neighbour Cell Description
            c.opt(7)  # Index_Start_3G
            c.opt(7)  # Absolute_Index_Start_EMR
            for lst, table in ((fdd, _P_FDD), (tdd, _Q_TDD)):
                if c.bit():
                    c.opt(3)  # bandwidth

                    def cell_freq(lst=lst, table=table):
                        c.bit()  # '0' (the value 1 is no longer used)
                        arfcn = c.bits(14)
                        c.bit()  # xDD_Indic0
                        n = c.bits(5)
                        c.bits(table[n] if n < len(table) else 0)
                        lst.append({"uarfcn": arfcn, "cells": n})

                    _repeat(c, cell_freq)
        if c.bit():  # 3G Measurement Parameters Description
            c.bits(5)
            c.opt(10)
            c.opt(6)
        if c.bit():  # GPRS 3G MEASUREMENT Parameters Description
            c.bits(5)
            c.opt(3)
            c.opt(6)
            c.opt(2)
            c.opt(6)
        if c.left() and c.h():  # Rel-5 additions
            c.opt(7)
            if c.bit():
                c.opt(6)
            if c.left() and c.h():  # Rel-6
                c.bit()
                if c.left() and c.h():  # Rel-7
                    c.opt(6)
                    c.opt(6)
                    if c.left() and c.h():  # Rel-8
                        if c.bit():  # Priority and E-UTRAN Parameters Description
                            c.opt(15)  # Serving Cell Priority Parameters
                            if c.bit():  # 3G Priority Parameters
                                c.bits(2)
                                c.opt(13)

                                def utran_prio():
                                    _repeat(c, lambda: c.bits(5))
                                    c.opt(3)
                                    c.bits(5)
                                    c.opt(5)
                                    c.opt(5)

                                _repeat(c, utran_prio)
                            if c.bit():  # E-UTRAN Parameters Description
                                c.bits(3)
                                if c.bit():  # E-UTRAN Measurement Parameters
                                    c.bits(7)
                                    three_bit = c.bit()
                                    for _ in range(2):
                                        if c.bit():
                                            c.bits(6 if three_bit else 3)
                                            c.opt(6)
                                            c.opt(3)
                                    if three_bit:
                                        c.bit()
                                if c.bit():  # GPRS E-UTRAN Measurement Parameters
                                    c.bits(7)
                                    for _ in range(2):
                                        if c.bit():
                                            c.bits(3)
                                            c.opt(6)
                                            c.opt(3)

                                def eutran_cells():
                                    def one():
                                        eutran.append(c.bits(16))
                                        c.opt(3)  # measurement bandwidth

                                    _repeat(c, one)
                                    c.opt(3)  # E-UTRAN_PRIORITY
                                    c.bits(5)  # THRESH_E-UTRAN_high
                                    c.opt(5)
                                    c.opt(5)

                                _repeat(c, eutran_cells)
    except IndexError:
        out["truncated"] = True
    if fdd:
        out["utran_fdd"] = fdd
    if tdd:
        out["utran_tdd"] = tdd
    if eutran:
        out["eutran_earfcns"] = eutran
    return out


def _freq_list(body: bytes, what: str, mask: int = 0xCE) -> tuple[list[int], str]:
    _need(body, 16, what)
    try:
        return decode_freq_list(body[:16], mask)
    except ValueError as e:
        raise SysInfoError(f"{what}: {e}") from None


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
    SI4 gives the LAI, cell selection and RACH control; SI1, SI2, SI2bis, SI2ter and SI2quater as in the module
    docstring. Other types return their name only.

    Raises
    ------
    SysInfoError
        A field does not fit in the message, a digit is not BCD or a frequency list has an unknown format.

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
        out["mnc_digits"] = len(out["mnc"])
        ccd = body[7:10]
        out.update({"attach_detach": bool(ccd[0] & 0x40), "bs_ag_blks_res": (ccd[0] >> 3) & 0x7,
                    "ccch_conf": ccd[0] & 0x7, "bs_pa_mfrms": (ccd[1] & 0x7) + 2, "t3212_decihours": ccd[2]})
        opts = body[10]
        out.update({"pwrc": bool(opts & 0x40), "dtx": (opts >> 4) & 0x3,
                    "radio_link_timeout": 4 * ((opts & 0xF) + 1)})
        out.update(_cell_selection(body[11:13]))
        out.update(_rach_control(body[13:16]))
        out.update(_si3_rest(body[16:20]))
    elif name == "SI4":
        _need(body, 5 + 2 + 3, "SI4")
        out.update(parse_lai(body[0:5]))
        out["mnc_digits"] = len(out["mnc"])
        out.update(_cell_selection(body[5:7]))
        out.update(_rach_control(body[7:10]))
        i = 10
        out["cbch"] = False
        if i < len(body) and body[i] == 0x64:  # CBCH Channel Description, TV, 4 octets (§9.1.36.2)
            out["cbch"] = True
            i += 4
            if i + 1 < len(body) and body[i] == 0x72:  # CBCH Mobile Allocation, TLV
                i += 2 + body[i + 1]
        out.update(_si4_rest(body[i:]))
    elif name == "SI1":
        out["cell_allocation"], out["freq_list_format"] = _freq_list(body, "SI1 cell channel description")
        _need(body, 19, "SI1")
        out.update(_rach_control(body[16:19]))
        if len(body) > 19:
            c = _CSN(body[19:20])
            if c.h():
                out["nch_position"] = c.bits(5)
            out["band_indicator"] = "PCS1900" if c.h() else "DCS1800"
    elif name in ("SI2", "SI2bis"):
        out["neighbours"], out["freq_list_format"] = _freq_list(body, f"{name} neighbour cell description")
        out["ext_ind"] = bool(body[0] & 0x20)
        out["ba_ind"] = body[0] >> 4 & 1
        if name == "SI2":
            _need(body, 20, "SI2")
            out["ncc_permitted"] = [n for n in range(8) if body[16] >> n & 1]
            out.update(_rach_control(body[17:20]))
        else:
            _need(body, 19, "SI2bis")
            out.update(_rach_control(body[16:19]))
    elif name == "SI2ter":
        out["neighbours"], out["freq_list_format"] = _freq_list(body, "SI2ter neighbour cell description 2", 0x8E)
        out["multiband_reporting"] = body[0] >> 5 & 3
        out["ba_ind"] = body[0] >> 4 & 1
    elif name == "SI2quater":
        _need(body, 2, "SI2quater")
        out.update(_si2quater_rest(body))
    return out
