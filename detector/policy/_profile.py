"""Site profiles (TOML): home networks, neighbours, bands to scan, thresholds.

Format (every key optional except ``name``)::

    name = "kp-border"
    description = "..."
    home_mcc = ["467"]           # MCCs of the home networks (strings, 3 digits)
    home_country = "KP"          # ISO alpha-2; defaults to the country of the first home MCC
    foreign_mcc = ["460", "250"] # MCCs always foreign; empty = every non-home MCC is foreign
    neighbours = ["CN", "RU"]    # countries whose operator blocks count as foreign allocations
    bands = ["GSM900", "B3"]     # bands `detector scan` sweeps by default
    baseline = "known.json"      # optional: `detector baseline build` output; relative to the profile file
    [thresholds]
    min_snr_db = 6.0

Built-in profiles live beside this module (``profiles/*.toml``); ``--profile FILE`` loads your own.
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


def load_profile(name_or_path: str, home_mcc: list[str] | None = None) -> Profile:
    """Load a built-in profile by name or a TOML file by path; `home_mcc` (``--home-mcc``) adds home MCCs.

    Raises
    ------
    UsageError
        Unknown profile name (the message lists the built-ins).
    MetadataError
        A file that is not TOML or a field of the wrong type (names the file and the field).
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
    home = _mcc_list(path, "home_mcc", data.get("home_mcc", []))
    if home_mcc:
        home = tuple(dict.fromkeys([*home, *_mcc_list("--home-mcc", "home_mcc", list(home_mcc))]))
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
