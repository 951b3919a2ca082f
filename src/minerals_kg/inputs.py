"""Every value a user supplies, checked at the edge: one precise error per bad value.

The Python API, the command line, the Cypher library's parameters and scenario files all pass what
users type through these functions, so the same mistake gets the same message everywhere:
``where: expected …, got …`` as an :class:`~minerals_kg.errors.InvalidArgument` (exit code 2).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

import pandas as pd
import pycountry
from pydantic import BaseModel, ValidationError

from .errors import InvalidArgument, shorten
from .model import InstrumentKind, Stage

__all__ = [
    "Vocabulary",
    "check_fraction",
    "check_int",
    "check_number",
    "choose",
    "describe_options",
    "parse_date",
    "validation_problems",
]

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_date(value: object, where: str = "as_of") -> dt.date:
    """A date from ``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY``: the period's first day) or a ``date``.

    >>> parse_date("2026-02"), parse_date(dt.date(2025, 1, 1))
    (datetime.date(2026, 2, 1), datetime.date(2025, 1, 1))
    >>> parse_date("2026-13-45", "--as-of")
    Traceback (most recent call last):
    ...
    minerals_kg.errors.InvalidArgument: --as-of: expected a calendar date YYYY-MM-DD (month 1-12, a day that exists), got '2026-13-45'
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip() if isinstance(value, str) else None
    m = _DATE.match(text) if text else None
    if not m:
        raise InvalidArgument(where, "a date YYYY-MM-DD (or YYYY-MM, YYYY)", shorten(value))
    year, month, day = (int(g) if g else 1 for g in m.groups())
    try:
        if not year >= 1:
            raise ValueError
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidArgument(
            where, "a calendar date YYYY-MM-DD (month 1-12, a day that exists)", shorten(value)
        ) from None


def check_number(value: object, where: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite number within ``[minimum, maximum]``.

    >>> check_number("0.5", "--cr1", minimum=0, maximum=1)
    0.5
    >>> check_number(float("nan"), "cr1")
    Traceback (most recent call last):
    ...
    minerals_kg.errors.InvalidArgument: cr1: expected a finite number, got nan
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidArgument(where, "a number", shorten(value)) from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise InvalidArgument(where, "a finite number", shorten(value) if isinstance(value, str) else str(value))
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        lo = "" if minimum is None else f"{minimum:g}"
        hi = "" if maximum is None else f"{maximum:g}"
        span = f"between {lo} and {hi}" if lo and hi else (f"at least {lo}" if lo else f"at most {hi}")
        raise InvalidArgument(where, f"a number {span}", f"{number:g}")
    return number


def check_fraction(value: object, where: str) -> float:
    """A share between 0 and 1.

    >>> check_fraction(1.5, "hhi")
    Traceback (most recent call last):
    ...
    minerals_kg.errors.InvalidArgument: hhi: expected a number between 0 and 1, got 1.5
    """
    return check_number(value, where, minimum=0, maximum=1)


def check_int(value: object, where: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer within ``[minimum, maximum]`` (``True``/``2.5``/``'abc'`` are refused).

    >>> check_int(3, "k", minimum=1)
    3
    >>> check_int(0, "-k", minimum=1)
    Traceback (most recent call last):
    ...
    minerals_kg.errors.InvalidArgument: -k: expected an integer of at least 1, got 0
    """
    if isinstance(value, bool):
        raise InvalidArgument(where, "an integer", shorten(value))
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise InvalidArgument(where, "an integer", shorten(value)) from None
    if not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InvalidArgument(where, "an integer", shorten(value))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        span = (
            f"between {minimum} and {maximum}"
            if minimum is not None and maximum is not None
            else f"of at least {minimum}"
            if minimum is not None
            else f"of at most {maximum}"
        )
        raise InvalidArgument(where, f"an integer {span}", str(value))
    return value


def describe_options(what: str, options: Sequence[str], value: object = None, limit: int = 12) -> str:
    """``what`` followed by the options (all of them when few, else a count and the nearest).

    >>> describe_options("a stage", ["mining", "refining"])
    'a stage (mining, refining)'
    >>> describe_options("a mineral id", [f"m{i}" for i in range(40)], "m7x")
    "a mineral id (40 known; nearest: 'm7')"
    """
    options = list(options)
    near = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6) if value is not None else []
    if not options:
        return f"{what} (none known)"
    if len(options) <= limit:
        listed = ", ".join(options)
        return f"{what} ({listed}{'; nearest: ' + repr(near[0]) if near and len(options) > 4 else ''})"
    return f"{what} ({len(options)} known{'; nearest: ' + repr(near[0]) if near else ''})"


def choose(value: object, options: Iterable[str], where: str, what: str) -> str:
    """``value`` if it is one of ``options``, else one precise error naming the nearest option.

    >>> choose("json", ["table", "json", "csv"], "--format", "an output format")
    'json'
    >>> choose("xml", ["table", "json", "csv"], "--format", "an output format")
    Traceback (most recent call last):
    ...
    minerals_kg.errors.InvalidArgument: --format: expected an output format (table, json, csv), got 'xml'
    """
    options = list(options)
    if isinstance(value, str) and value in options:
        return value
    raise InvalidArgument(where, describe_options(what, options, value), shorten(value))


def validation_problems(exc: ValidationError, where: str, model: type[BaseModel]) -> list[InvalidArgument]:
    """One :class:`InvalidArgument` per problem pydantic found in a document (a scenario file).

    >>> from pydantic import BaseModel, ConfigDict
    >>> class Doc(BaseModel):
    ...     model_config = ConfigDict(extra="forbid")
    ...     year: int
    >>> try:
    ...     Doc.model_validate({"year": "x", "colour": "red"})
    ... except ValidationError as e:
    ...     for problem in validation_problems(e, "doc.yaml", Doc):
    ...         print(problem)
    doc.yaml: year: expected a valid integer, unable to parse string as an integer, got 'x'
    doc.yaml: colour: expected a field of the document (year), got an unknown field
    """
    problems = []
    for e in exc.errors():
        loc = ".".join(map(str, e["loc"])) or "document"
        if e["type"] == "extra_forbidden":
            fields = ", ".join(f.alias or name for name, f in model.model_fields.items())
            problems.append(
                InvalidArgument(f"{where}: {loc}", f"a field of the document ({fields})", "an unknown field")
            )
        elif e["type"] == "missing":
            problems.append(InvalidArgument(f"{where}: {loc}", "a value", "nothing"))
        else:
            expected = e["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
            problems.append(InvalidArgument(f"{where}: {loc}", expected, shorten(e.get("input"))))
    return problems


class Vocabulary:
    """The ids a graph knows (by label) and the controlled vocabularies, for checking user values.

    ``table`` returns a contract table by name (``nodes``, ``production``), so this works the same over
    either backend.
    """

    def __init__(self, table: Callable[[str], pd.DataFrame]):
        self._table = table

    @cached_property
    def _ids(self) -> dict[str, list[str]]:
        nodes = self._table("nodes")
        out: dict[str, list[str]] = {}
        for nid, label in zip(nodes["id"], nodes["label"], strict=True):
            out.setdefault(label, []).append(nid)
        return {label: sorted(ids) for label, ids in out.items()}

    def ids(self, *labels: str) -> list[str]:
        return sorted(i for label in labels for i in self._ids.get(label, []))

    def node(self, value: object, where: str, labels: Sequence[str], what: str) -> str:
        """An id of a node with one of ``labels``."""
        return choose(value, self.ids(*labels), where, what)

    def mineral(self, value: object, where: str = "mineral") -> str:
        return self.node(value, where, ["Mineral"], "a known mineral id")

    def minerals(self, values: Iterable[object] | None, where: str = "minerals") -> list[str] | None:
        return None if values is None else [self.mineral(v, where) for v in values]

    def stage(self, value: object, where: str = "stage") -> str:
        return choose(value, [s.value for s in Stage], where, "a stage")

    def instrument_kind(self, value: object, where: str = "kind") -> str:
        return choose(value, [k.value for k in InstrumentKind], where, "an instrument kind")

    def alliance(self, value: object, where: str = "alliance") -> str:
        return self.node(value, where, ["Organisation", "Event"], "an organisation or event id")

    def instrument(self, value: object, where: str = "instrument") -> str:
        return self.node(value, where, ["PolicyInstrument"], "a known instrument id")

    def firm(self, value: object, where: str = "firm") -> str:
        return self.node(value, where, ["Firm"], "a known firm id")

    def end_use(self, value: object, where: str = "end_use") -> str:
        return self.node(value, where, ["EndUse"], "a known end-use id")

    @staticmethod
    def country(value: object, where: str = "country") -> str:
        """An ISO 3166-1 alpha-3 code (any case), returned in upper case.

        >>> Vocabulary.country("usa")
        'USA'
        >>> Vocabulary.country("XXX", "--remove-country")
        Traceback (most recent call last):
        ...
        minerals_kg.errors.InvalidArgument: --remove-country: expected an ISO 3166-1 alpha-3 country code, got 'XXX'
        """
        if isinstance(value, str) and len(value.strip()) == 3:
            code = value.strip().upper()
            if pycountry.countries.get(alpha_3=code) is not None:
                return code
        hint = ""
        if isinstance(value, str) and value.strip():
            try:
                hint = f" (did you mean {pycountry.countries.lookup(value.strip()).alpha_3}?)"
            except LookupError:
                hint = ""
        raise InvalidArgument(where, f"an ISO 3166-1 alpha-3 country code{hint}", shorten(value))

    def countries(self, values: Iterable[object] | None, where: str) -> list[str]:
        return [self.country(v, where) for v in values or []]
