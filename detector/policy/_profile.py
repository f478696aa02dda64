"""Site profiles (TOML): home networks, neighbours, bands to scan, thresholds.

Format (every key optional except ``name``)::

    name = "kp-border"
    description = "..."
    home_mcc = ["467"]           # MCCs of the home networks (strings, 3 digits)
    home_country = "KP"          # ISO alpha-2; defaults to the country of the first home MCC
    foreign_mcc = ["460", "250"] # the neighbours' MCCs this site expects (confidence 0.99); another
                                 # country's MCC is still foreign, at 0.9; empty = every non-home MCC, 0.99
    neighbours = ["CN", "RU"]    # countries whose operator blocks count as foreign allocations
    bands = ["GSM900", "B3"]     # bands `detector scan` sweeps by default (NAME:ul for an uplink)
    baseline = "known.json"      # optional: `detector baseline build` output; relative to the profile file
    [thresholds]
    min_snr_db = 6.0             # below this SNR a verdict's confidence is scaled down (to half at 0 dB)

Every field is checked on load: an unknown field (a typo such as ``home_mc``), a wrong type, a band
name `detector.bands.band_info` does not know, or a baseline file that does not exist is an error that
names the file and the field. Built-in profiles live beside this module (``profiles/*.toml``);
``--profile FILE`` loads your own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..errors import MetadataError, UsageError

__all__ = ["Profile", "load_profile", "builtin_profiles"]

_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profiles")


def _toml():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib


@dataclass(frozen=True)
class Profile:
    """A site profile: who is home, who is foreign, what to scan."""

    name: str
    description: str = ""
    home_mcc: tuple[str, ...] = ()
    home_country: str | None = None
    foreign_mcc: tuple[str, ...] = ()
    neighbours: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    min_snr_db: float = 6.0
    baseline: str | None = None
    source: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def is_home_mcc(self, mcc: str) -> bool:
        """True for a home network's MCC."""
        return mcc in self.home_mcc

    def is_foreign_mcc(self, mcc: str) -> bool:
        """True for an MCC this site treats as foreign (listed, or any non-home MCC when none are listed)."""
        if self.is_home_mcc(mcc):
            return False
        return mcc in self.foreign_mcc if self.foreign_mcc else bool(self.home_mcc)

    def is_foreign_country(self, country: str) -> bool:
        """True for a neighbour, or any country but home when no neighbours are listed."""
        if self.home_country and country == self.home_country:
            return False
        return country in self.neighbours if self.neighbours else bool(self.home_country)


def builtin_profiles() -> dict[str, str]:
    """Built-in profile names -> their files."""
    return {f[:-5]: os.path.join(_HERE, f) for f in sorted(os.listdir(_HERE)) if f.endswith(".toml")}


def _mcc_list(path: str, key: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(m, str) and len(m) == 3 and m.isdigit() for m in value):
        raise MetadataError(f"{path}: profile field {key} is {value!r}; expected a list of 3-digit MCC strings "
                            f'such as ["467"]')
    return tuple(value)


_KEYS = ("name", "description", "home_mcc", "home_country", "foreign_mcc", "neighbours", "bands", "baseline",
         "thresholds")
_THRESHOLDS = ("min_snr_db",)


def _bad(path: str, key: str, value, expected: str):
    raise MetadataError(f"{path}: profile field {key} is {value!r}; expected {expected}")


def _iso(value) -> bool:
    return isinstance(value, str) and len(value) == 2 and value.isalpha() and value.isupper()


def _check(path: str, data: dict) -> None:
    """Every field of a profile file: known name, right type (the message names the file and the field)."""
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise MetadataError(f"{path}: unknown profile field {unknown[0]}; the fields are {', '.join(_KEYS)}")
    if not isinstance(data.get("description", ""), str):
        _bad(path, "description", data["description"], "a string")
    if "home_country" in data and not _iso(data["home_country"]):
        _bad(path, "home_country", data["home_country"], 'an ISO 3166 alpha-2 code in capitals such as "KP"')
    neighbours = data.get("neighbours", [])
    if not isinstance(neighbours, list) or not all(_iso(c) for c in neighbours):
        _bad(path, "neighbours", neighbours, 'a list of ISO 3166 alpha-2 codes such as ["CN", "RU"]')
    bands = data.get("bands", [])
    if not isinstance(bands, list) or not all(isinstance(b, str) for b in bands):
        _bad(path, "bands", bands, 'a list of band names such as ["GSM900", "B39"]')
    from ..bands import band_info

    for i, name in enumerate(bands):
        try:
            band_info(name.removesuffix(":ul"))
        except (KeyError, ValueError) as e:
            _bad(path, f"bands[{i}]", name, f"a band name such as GSM900, DCS1800, B3, B39 ({e})")
    thresholds = data.get("thresholds", {})
    if not isinstance(thresholds, dict):
        _bad(path, "thresholds", thresholds, "a table such as [thresholds] min_snr_db = 6.0")
    for key, value in thresholds.items():
        if key not in _THRESHOLDS:
            raise MetadataError(f"{path}: unknown profile field thresholds.{key}; the thresholds are "
                                f"{', '.join(_THRESHOLDS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _bad(path, f"thresholds.{key}", value, "a number (dB)")
    if "baseline" in data:
        if not isinstance(data["baseline"], str) or not data["baseline"]:
            _bad(path, "baseline", data["baseline"], "the path of a baseline file (detector baseline build -o FILE)")
        where = os.path.join(os.path.dirname(path), data["baseline"])
        if not os.path.isfile(where):
            raise MetadataError(f"{path}: profile field baseline names {where}, which does not exist; build it with "
                                f"`detector baseline build DB -o {data['baseline']}` or remove the field")


def load_profile(name_or_path: str, home_mcc: list[str] | None = None) -> Profile:
    """Load a built-in profile by name or a TOML file by path; `home_mcc` (``--home-mcc``) adds home MCCs.

    Raises
    ------
    UsageError
        Unknown profile name (the message lists the built-ins), or a `home_mcc` that is not 3 digits.
    MetadataError
        A file that is not TOML, an unknown field (a typo), a field of the wrong type, an unknown band
        name, or a baseline file that does not exist (the message names the file and the field).

    Examples
    --------
    >>> p = load_profile("generic", ["262"])
    >>> p.home_mcc, p.home_country
    (('262',), 'DE')
    """
    builtins = builtin_profiles()
    path = builtins.get(name_or_path) or name_or_path
    if not os.path.isfile(path):
        raise UsageError(f"--profile {name_or_path}: no such profile; built-in: {', '.join(builtins)} "
                         f"(or give a TOML file)")
    try:
        with open(path, "rb") as fh:
            data = _toml().load(fh)
    except (OSError, ValueError) as e:
        raise MetadataError(f"{path}: not a valid TOML profile: {e}") from e
    if not isinstance(data.get("name"), str):
        raise MetadataError(f"{path}: profile field name is missing; expected a string")
    _check(path, data)
    home = _mcc_list(path, "home_mcc", data.get("home_mcc", []))
    if home_mcc:
        bad = [m for m in home_mcc if not (isinstance(m, str) and len(m) == 3 and m.isdigit())]
        if bad:
            raise UsageError(f"--home-mcc {bad[0]}: expected a 3-digit mobile country code such as 262")
        home = tuple(dict.fromkeys([*home, *home_mcc]))
    home_country = data.get("home_country")
    if home_country is None and home:
        from ..bands import country_for_mcc

        c = country_for_mcc(home[0])
        home_country = c.iso if c else None
    thresholds = data.get("thresholds", {})
    return Profile(name=data["name"], description=data.get("description", ""), home_mcc=home,
                   home_country=home_country, foreign_mcc=_mcc_list(path, "foreign_mcc", data.get("foreign_mcc", [])),
                   neighbours=tuple(data.get("neighbours", [])), bands=tuple(data.get("bands", [])),
                   min_snr_db=float(thresholds.get("min_snr_db", 6.0)), source=path,
                   baseline=os.path.join(os.path.dirname(path), data["baseline"]) if data.get("baseline") else None)
