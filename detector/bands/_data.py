"""Country, operator and frequency-block tables, loaded from the TOML files in ``data/``.

The files (``countries.toml``, ``operators.toml``, ``allocations.toml``) carry a source and a date on
every entry, and ``unverified = true`` where no retrieved source confirms it; see their headers. They
are read once, on first use, and checked as they load (MCC = 3 digits, MNC = 2 or 3 digits, unique
keys, known operator ids and band names), so a bad edit fails loudly with the file and entry named.

TOML needs :mod:`tomllib` (Python >= 3.11); on Python 3.10 the ``tomli`` package is used if it is
installed, else loading raises ImportError saying so. Channel numbering does not need TOML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from ._common import LINKS, check_freq, check_link
from ._registry import band_info

try:  # Python >= 3.11
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    try:
        import tomli as _toml  # type: ignore[no-redef]
    except ModuleNotFoundError:
        _toml = None

__all__ = [
    "Country",
    "Operator",
    "Block",
    "country_for_mcc",
    "operator_for",
    "operators_for_mcc",
    "blocks_at",
    "countries",
    "operators",
    "blocks",
    "DataFileError",
]

BLOCK_TECHS = ("gsm", "umts", "lte", "nr", "cdma")
_MCC = re.compile(r"\d{3}")
_MNC = re.compile(r"\d{2,3}")
_ISO = re.compile(r"[A-Z]{2}|")


class DataFileError(ValueError):
    """A bundled data file is malformed (names the file, the entry and what was expected)."""


@dataclass(frozen=True)
class Country:
    """What an MCC (ITU-T E.212) stands for.

    Attributes
    ----------
    mcc : str
        3 digits.
    iso : str
        ISO 3166-1 alpha-2 code ("" for shared international codes such as 901).
    name : str
        English short name.
    iso_all : tuple of str
        Every territory whose networks use this MCC (``("GB", "GG", "IM", "JE")`` for 234).
    source, date : str
        Where the entry comes from and the date it describes.
    unverified : bool
        True when no retrieved source lists the code.
    note : str
    """

    mcc: str
    iso: str
    name: str
    iso_all: tuple[str, ...]
    source: str
    date: str
    unverified: bool = False
    note: str = ""


@dataclass(frozen=True)
class Operator:
    """The operator of one PLMN (MCC-MNC).

    Attributes
    ----------
    id : str
        Stable identifier (``"cn-cmcc"``), used by `Block.operator_id`.
    name : str
        Operator name; for small networks filed under a catch-all id, the network's own name.
    country : str
        ISO alpha-2 code of the operator's country.
    mcc, mnc : str
        The PLMN looked up (MNC with its 2 or 3 digits).
    status : str
        ``"operational"``, ``"not operational"`` or ``"unknown"``, per the source.
    source, date : str
        Sources (resolved to full citations) and the as-of date of the network entry.
    unverified : bool
        True when the MCC-MNC-operator link is not confirmed (e.g. Koryolink 467-05 vs 467-192).
    note : str
    """

    id: str
    name: str
    country: str
    mcc: str
    mnc: str
    status: str
    source: str
    date: str
    unverified: bool = False
    note: str = ""


@dataclass(frozen=True)
class Block:
    """A frequency block an operator transmits in.

    Attributes
    ----------
    operator_id, operator : str
        Operator id and name.
    country, mcc : str
        The operator's country (ISO alpha-2) and home MCC.
    techs : tuple of str
        Technologies the block may carry (``gsm umts lte nr cdma``).
    rat : str
        The source's technology label (``"GSM/NB-IoT/LTE"``).
    band : str
        The source's band label (``"E-GSM900"``, ``"B41/n41"``) or, for band-level holdings, the
        canonical band name.
    duplex : str
        ``"fdd"`` or ``"tdd"`` (TDD blocks hold the same range on both links).
    dl_hz, ul_hz : (float, float) or None
        Block edges in Hz per link.
    extent : str
        ``"assigned"`` (the operator's own sub-range) or ``"band"`` (a whole band the operator is
        known to use somewhere in its country; the sub-range is unknown).
    arfcn : tuple of (int, int)
        GSM ARFCN runs inside the block, when the source gives them.
    date, source : str
    unverified : bool
        True when the edges or the mapping are not confirmed; `unverified_note` says what.
    unverified_note, note : str
    """

    operator_id: str
    operator: str
    country: str
    mcc: str
    techs: tuple[str, ...]
    rat: str
    band: str
    duplex: str
    dl_hz: tuple[float, float] | None
    ul_hz: tuple[float, float] | None
    extent: str
    arfcn: tuple[tuple[int, int], ...]
    date: str
    source: str
    unverified: bool = False
    unverified_note: str = ""
    note: str = ""

    def holds(self, freq_hz: float, link: str | None = None) -> bool:
        """True when `freq_hz` lies inside the block (edges inclusive) on `link`, or on either if None."""
        for lk in LINKS if link is None else (check_link(link),):
            edges = self.dl_hz if lk == "dl" else self.ul_hz
            if edges is not None and edges[0] <= freq_hz <= edges[1]:
                return True
        return False

    def allows(self, tech: str, duplex: str | None = None) -> bool:
        """True when the block may carry `tech` (and, if given, with this `duplex`)."""
        return tech in self.techs and (duplex is None or duplex == self.duplex)


# ----------------------------------------------------------------------------------------- loading


def _load(name: str) -> dict:
    if _toml is None:
        raise ImportError("reading detector/bands/data/*.toml needs Python >= 3.11 (tomllib) "
                          "or, on Python 3.10, the 'tomli' package: pip install tomli")
    data = resources.files(__package__).joinpath("data").joinpath(name).read_bytes()
    try:
        return _toml.loads(data.decode("utf-8"))
    except _toml.TOMLDecodeError as e:
        raise DataFileError(f"data/{name}: not valid TOML: {e}") from None


def _fail(fname: str, where: str, msg: str):
    raise DataFileError(f"data/{fname}: {where}: {msg}")


def _sources(fname: str, where: str, spec: str, table: dict[str, str]) -> str:
    """Resolve ';'-separated source keys to full citations (text that is not a key is kept)."""
    if not isinstance(spec, str) or not spec.strip():
        _fail(fname, where, "'source' must be a non-empty string")
    return "; ".join(table.get(p.strip(), p.strip()) for p in spec.split(";"))


def _require(fname: str, where: str, entry: dict, keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if not isinstance(entry.get(k), str) or entry.get(k) == "" and k != "iso"]
    if missing:
        _fail(fname, where, f"missing or non-string {', '.join(missing)}")


@cache
def countries() -> MappingProxyType[str, Country]:
    """Every MCC in ``data/countries.toml``, as a read-only ``{mcc: Country}`` mapping (file order)."""
    fname = "countries.toml"
    d = _load(fname)
    src = d.get("sources", {})
    out: dict[str, Country] = {}
    for i, e in enumerate(d.get("country", [])):
        where = f"country[{i}] (mcc {e.get('mcc')!r})"
        _require(fname, where, e, ("mcc", "iso", "name", "source", "date"))
        if not _MCC.fullmatch(e["mcc"]):
            _fail(fname, where, "mcc must be a string of 3 digits")
        if not _ISO.fullmatch(e["iso"]):
            _fail(fname, where, "iso must be an ISO 3166-1 alpha-2 code in capitals, or ''")
        if e["mcc"] in out:
            _fail(fname, where, "duplicate mcc")
        iso_all = tuple(e.get("iso_all") or ([e["iso"]] if e["iso"] else []))
        out[e["mcc"]] = Country(e["mcc"], e["iso"], e["name"], iso_all, _sources(fname, where, e["source"], src),
                                e["date"], bool(e.get("unverified", False)), e.get("note", ""))
    if not out:
        _fail(fname, "country", "no entries")
    return MappingProxyType(out)


@cache
def _operator_table() -> tuple[dict[str, dict], dict[tuple[str, str], Operator]]:
    fname = "operators.toml"
    d = _load(fname)
    src = d.get("sources", {})
    ops: dict[str, dict] = {}
    for i, e in enumerate(d.get("operator", [])):
        where = f"operator[{i}] (id {e.get('id')!r})"
        _require(fname, where, e, ("id", "name", "country", "source", "date"))
        if e["id"] in ops:
            _fail(fname, where, "duplicate id")
        ops[e["id"]] = e
    nets: dict[tuple[str, str], Operator] = {}
    known = countries()
    for i, e in enumerate(d.get("network", [])):
        where = f"network[{i}] ({e.get('mcc')!r}-{e.get('mnc')!r})"
        _require(fname, where, e, ("mcc", "mnc", "operator", "status", "source", "date"))
        if not _MCC.fullmatch(e["mcc"]):
            _fail(fname, where, "mcc must be a string of 3 digits")
        if not _MNC.fullmatch(e["mnc"]):
            _fail(fname, where, "mnc must be a string of 2 or 3 digits")
        if e["mcc"] not in known:
            _fail(fname, where, "mcc not in countries.toml")
        op = ops.get(e["operator"])
        if op is None:
            _fail(fname, where, f"unknown operator id {e['operator']!r}")
        key = (e["mcc"], e["mnc"])
        if key in nets:
            _fail(fname, where, "duplicate mcc-mnc")
        nets[key] = Operator(op["id"], e.get("name", op["name"]), op["country"], e["mcc"], e["mnc"], e["status"],
                             _sources(fname, where, e["source"], src), e["date"],
                             bool(e.get("unverified", False)), e.get("note", ""))
    return ops, nets


def operators() -> list[Operator]:
    """Every network (MCC-MNC) in ``data/operators.toml``, as `Operator` records (file order)."""
    return list(_operator_table()[1].values())


def _edges(fname: str, where: str, pair) -> tuple[float, float]:
    if (not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(x, (int, float)) for x in pair)
            or not 0 < pair[0] < pair[1]):
        _fail(fname, where, f"band edges must be [low, high] in MHz with 0 < low < high, not {pair!r}")
    return (float(pair[0]) * 1e6, float(pair[1]) * 1e6)


@cache
def blocks() -> tuple[Block, ...]:
    """Every frequency block in ``data/allocations.toml``: assignments first, then band-level holdings."""
    fname = "allocations.toml"
    d = _load(fname)
    ops = _operator_table()[0]
    home_mcc: dict[str, str] = {}
    for op in operators():
        home_mcc.setdefault(op.id, op.mcc)
    out: list[Block] = []
    for i, e in enumerate(d.get("block", [])):
        where = f"block[{i}] ({e.get('operator')!r} {e.get('band')!r})"
        _require(fname, where, e, ("operator", "rat", "band", "duplex", "date", "source"))
        op = ops.get(e["operator"])
        if op is None:
            _fail(fname, where, f"unknown operator id {e['operator']!r}")
        techs = tuple(e.get("techs", ()))
        if not techs or any(t not in BLOCK_TECHS for t in techs):
            _fail(fname, where, f"techs must be a non-empty list of {BLOCK_TECHS}")
        if e["duplex"] not in ("fdd", "tdd"):
            _fail(fname, where, "duplex must be 'fdd' or 'tdd'")
        dl = _edges(fname, where + " dl_mhz", e.get("dl_mhz"))
        if e["duplex"] == "tdd":
            if "ul_mhz" in e:
                _fail(fname, where, "a TDD block gives dl_mhz only (the same range serves both links)")
            ul = dl
        else:
            ul = _edges(fname, where + " ul_mhz", e.get("ul_mhz"))
        arfcn = tuple(tuple(r) for r in e.get("arfcn", ()))
        out.append(Block(op["id"], op["name"], op["country"], home_mcc.get(op["id"], ""), techs, e["rat"], e["band"],
                         e["duplex"], dl, ul, "assigned", arfcn, e["date"], e["source"],
                         bool(e.get("unverified", False)), e.get("unverified_note", ""), e.get("note", "")))
    for i, e in enumerate(d.get("holding", [])):
        where = f"holding[{i}] ({e.get('operator')!r})"
        _require(fname, where, e, ("operator", "date", "source"))
        op = ops.get(e["operator"])
        if op is None:
            _fail(fname, where, f"unknown operator id {e['operator']!r}")
        for names, unverified in ((e.get("bands", []), False), (e.get("unverified_bands", []), True)):
            for name in names:
                try:
                    b = band_info(name)
                except ValueError as err:
                    _fail(fname, where, str(err))
                ul = None if b.ul_low_hz is None else (b.ul_low_hz, b.ul_high_hz)
                out.append(Block(op["id"], op["name"], op["country"], home_mcc.get(op["id"], ""), (b.tech,),
                                 b.tech.upper(), b.name, "tdd" if b.duplex == "tdd" else "fdd",
                                 (b.dl_low_hz, b.dl_high_hz), ul, "band", (), e["date"], e["source"], unverified,
                                 "mapping of the source's band wording to this band is unverified" if unverified
                                 else "", "whole band: the operator's sub-range is unknown"))
    return tuple(out)


# ---------------------------------------------------------------------------------------- lookups


def _mcc_str(mcc: str | int) -> str:
    if isinstance(mcc, bool):
        raise TypeError("mcc must be a 3-digit string such as '460'")
    if isinstance(mcc, int):
        if not 0 <= mcc <= 999:
            raise ValueError(f"mcc must be 000-999, not {mcc}")
        return f"{mcc:03d}"
    if not isinstance(mcc, str) or not _MCC.fullmatch(mcc):
        raise ValueError(f"mcc must be a string of 3 digits such as '460', not {mcc!r}")
    return mcc


def country_for_mcc(mcc: str) -> Country | None:
    """The country (ITU-T E.212) of a mobile country code.

    Parameters
    ----------
    mcc : str
        Three digits (``"460"``). An int is accepted and zero-padded (MCCs always have 3 digits).

    Returns
    -------
    Country or None
        None for a well-formed MCC no table lists.

    Raises
    ------
    ValueError
        `mcc` is not 3 digits.

    Examples
    --------
    >>> c = country_for_mcc("460")
    >>> c.iso, c.name
    ('CN', 'China')
    >>> country_for_mcc("467").name, country_for_mcc("262").iso, country_for_mcc("123")
    ('North Korea', 'DE', None)
    """
    return countries().get(_mcc_str(mcc))


def operator_for(mcc: str, mnc: str) -> Operator | None:
    """The operator of a PLMN, matching the MNC with its digit count (``"05"`` is not ``"005"``).

    Parameters
    ----------
    mcc : str
        Three digits.
    mnc : str
        Two or three digits, as decoded (GSM/LTE NAS: filler F means 2 digits; RRC: the digit count).
        Ints are refused: 5 could be ``"05"`` or ``"005"``.

    Returns
    -------
    Operator or None
        None when the tables do not list this PLMN (which does not mean it does not exist: the
        tables cover CN, KP, KR, RU and JP; use `country_for_mcc` for the country).

    Examples
    --------
    >>> operator_for("460", "00").name, operator_for("250", "01").name, operator_for("467", "05").unverified
    ('China Mobile', 'MTS', True)
    >>> operator_for("460", "000") is None
    True
    """
    m = _mcc_str(mcc)
    if not isinstance(mnc, str):
        raise TypeError(f"mnc must be a string of 2 or 3 digits (its length matters), not {type(mnc).__name__}")
    if not _MNC.fullmatch(mnc):
        raise ValueError(f"mnc must be a string of 2 or 3 digits such as '00' or '192', not {mnc!r}")
    return _operator_table()[1].get((m, mnc))


def operators_for_mcc(mcc: str) -> list[Operator]:
    """Every network the tables list under an MCC (file order)."""
    m = _mcc_str(mcc)
    return [op for (mm, _), op in _operator_table()[1].items() if mm == m]


def blocks_at(freq_hz: float, link: str | None = None, include_holdings: bool = True) -> list[Block]:
    """Operator frequency blocks that hold a frequency.

    Parameters
    ----------
    freq_hz : float
        Frequency in Hz.
    link : {None, "dl", "ul"}
        Match only downlink or uplink ranges; None matches either (TDD blocks match both).
    include_holdings : bool
        Also return band-level holdings (``extent == "band"``: the operator uses the band somewhere,
        sub-range unknown). These are weak evidence; rules should treat them as ambiguous.

    Returns
    -------
    list of Block
        Assigned blocks first, then holdings, each in file order. Check `Block.unverified`.

    Examples
    --------
    >>> sorted({b.operator_id for b in blocks_at(947.4e6, "dl", include_holdings=False)})
    ['cn-cmcc', 'kp-sunnet']
    >>> [b.band for b in blocks_at(1890e6) if b.extent == "assigned"]
    ['B39']
    """
    f = check_freq(freq_hz)
    if link is not None:
        check_link(link)
    return [b for b in blocks() if (include_holdings or b.extent == "assigned") and b.holds(f, link)]
