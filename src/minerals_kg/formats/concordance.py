"""The HS concordance as the trade-file readers use it, and the mapping of trade countries to ISO-3."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pycountry

from ..countries import OTHER_COUNTRIES
from ..model import HsLine

__all__ = ["COMTRADE_NON_ISO_NUMERIC", "Concordance", "iso3_of_numeric", "iso3_or_none"]

COMTRADE_NON_ISO_NUMERIC = {842: "USA", 699: "IND"}
"""Reporter/partner codes of UN Comtrade (and BACI) that differ from ISO 3166-1 numeric: 842 for the
United States (ISO 840) and 699 for India (ISO 356), as both publish them. Other countries use the
ISO numeric code; a file's ISO-3 column, where it has one, always wins."""


@dataclass(frozen=True)
class Product:
    """What one HS subheading's goods are: a mineral at a stage, in a form."""

    hs_code: str
    mineral: str
    stage: str
    form: str


class Concordance:
    """HS subheadings -> (mineral, stage, form), from the specific lines of the concordance.

    >>> line = HsLine(hs_code="260500", description="Cobalt ores", mineral="cobalt", stage="mining",
    ...               form="cobalt ores", source="s", confidence="official")
    >>> Concordance([line]).product("260500").mineral, Concordance([line]).product("2605") is None
    ('cobalt', True)
    """

    def __init__(self, lines: Iterable[HsLine]):
        self.lines = list(lines)
        self.products = {
            line.hs_code: Product(line.hs_code, line.mineral, line.stage.value, line.form)
            for line in self.lines
            if line.specific
        }
        self.baskets = sorted({line.hs_code for line in self.lines if not line.specific} - set(self.products))

    def product(self, code: str) -> Product | None:
        return self.products.get(code)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(hs_code, mineral, stage, form) of every specific line, for a join in SQL."""
        return [(p.hs_code, p.mineral, p.stage, p.form) for p in self.products.values()]


def iso3_or_none(code: object) -> str | None:
    """An ISO 3166-1 alpha-3 code known to pycountry, else None (``W00``, ``S19``, ``_X``, empty).

    >>> iso3_or_none("usa"), iso3_or_none("W00"), iso3_or_none(None)
    ('USA', None, None)
    """
    if not isinstance(code, str) or len(code.strip()) != 3:
        return None
    text = code.strip().upper()
    return text if pycountry.countries.get(alpha_3=text) is not None else None


def iso3_of_numeric(code: object) -> str | None:
    """ISO-3 for a Comtrade/BACI numeric code: the two non-ISO codes, else ISO 3166-1 numeric.

    >>> iso3_of_numeric(842), iso3_of_numeric(156), iso3_of_numeric(0), iso3_of_numeric(490)
    ('USA', 'CHN', None, None)
    """
    try:
        number = int(str(code).strip())
    except (TypeError, ValueError):
        return None
    if number in COMTRADE_NON_ISO_NUMERIC:
        return COMTRADE_NON_ISO_NUMERIC[number]
    country = pycountry.countries.get(numeric=f"{number:03d}") if number > 0 else None
    return country.alpha_3 if country is not None else None


UNKNOWN_PARTNER = OTHER_COUNTRIES
"""A partner that is no country (an area "not elsewhere specified", "Other Asia, nes") exports as
``other_countries``; an importer that is no country is left out."""
