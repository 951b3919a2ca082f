"""Country names and codes -> ISO 3166-1 alpha-3, through pycountry plus the project crosswalk."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable

import pycountry

from .model import Confidence, Country

WORLD = "world"
OTHER_COUNTRIES = "other_countries"
AGGREGATE_NAMES = {
    "world total": WORLD,
    "world total (rounded)": WORLD,
    "world": WORLD,
    "other countries": OTHER_COUNTRIES,
}
AGGREGATES = {WORLD: "World total", OTHER_COUNTRIES: "Other countries"}
ISO_SOURCE = "iso_3166_1"


@functools.cache
def _iso3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code pycountry knows (a set look-up per row, not a database query)."""
    return frozenset(c.alpha_3 for c in pycountry.countries)


@functools.cache
def _pycountry_lookup(name: str) -> str | None:
    """pycountry's name look-up (a scan of every country's names), once per distinct spelling."""
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


class CountryResolver:
    """Resolves ISO-3 codes, names and the crosswalk's spellings ("Congo (Kinshasa)", "Burma")."""

    def __init__(self, crosswalk: Iterable[tuple[str, str]] = ()):
        self._aliases = {name.casefold(): iso3 for name, iso3 in crosswalk}

    def is_code(self, code: str) -> bool:
        return code in _iso3_codes()

    def resolve(self, name: str, *, aggregates: bool = False) -> str:
        """ISO-3 code (or aggregate id when allowed) for a name; raises LookupError with a hint."""
        key = name.strip()
        if aggregates and key.casefold() in AGGREGATE_NAMES:
            return AGGREGATE_NAMES[key.casefold()]
        if self.is_code(key):
            return key
        if key.casefold() in self._aliases:
            return self._aliases[key.casefold()]
        found = _pycountry_lookup(key)
        if found is not None:
            return found
        names = [c.name for c in pycountry.countries] + list(self._aliases)
        near = difflib.get_close_matches(key, names, n=1)
        hint = f" (nearest: {near[0]!r})" if near else ""
        raise LookupError(f"a country name or ISO-3 code known to pycountry or the crosswalk{hint}")

    @staticmethod
    def country(code: str) -> Country:
        c = pycountry.countries.get(alpha_3=code)
        if c is None:
            raise LookupError(f"{code!r} is not an ISO 3166-1 alpha-3 code")
        name = getattr(c, "common_name", None) or c.name
        return Country(id=code, name=name, iso2=c.alpha_2, source=ISO_SOURCE, confidence=Confidence.OFFICIAL)
