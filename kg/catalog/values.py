"""Parsing single catalog values: dates of any precision, parameter counts, URLs, sources."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kg.namespaces import XSD, entity_iri
from kg.errors import KgError


class BadValue(KgError, ValueError):
    """A value that does not have the expected form; the message says what to write."""


@dataclass(frozen=True, order=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day; ``text`` is its ISO lexical form."""

    text: str

    def __reduce__(self):  # pickled by its text: faster than the slots default
        return PartialDate, (self.text,)

    @property
    def datatype(self):
        return {4: XSD + "gYear", 7: XSD + "gYearMonth"}.get(len(self.text), XSD + "date")

    @property
    def year(self) -> int:
        return int(self.text[:4])

    def precision_prefix(self, other: "PartialDate") -> tuple[str, str]:
        """Both dates cut to the precision they share, for a fair comparison."""
        n = min(len(self.text), len(other.text))
        return self.text[:n], other.text[:n]


_DATE_TEXT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(value) -> PartialDate:
    """2023-07-18 (a YAML date or string), '2023-07' or 2023 -> PartialDate."""
    if isinstance(value, datetime.datetime):
        raise BadValue("has a time of day: write only the date (YYYY-MM-DD)")
    if isinstance(value, datetime.date):
        return PartialDate(value.isoformat())
    if isinstance(value, bool):
        raise BadValue("must be a date like 2023-07-18, 2023-07 or 2023")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise BadValue("must be a date like 2023-07-18, 2023-07 or 2023")
    match = _DATE_TEXT.match(value.strip())
    if not match:
        raise BadValue(f"'{value}' is not a date: write 2023-07-18, 2023-07 or 2023")
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        raise BadValue(f"'{value}' has month {month}: months run from 01 to 12")
    if day:
        try:
            datetime.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise BadValue(f"'{value}' is not a real date ({exc})") from None
    return PartialDate(value.strip())


#: Control characters a text value may not hold: all but the line feed and the tab a block of
#: prose may have (an ESC would recolour a terminal printing the catalog; C1 controls alike), and
#: the bidirectional overrides and isolates and the line and paragraph separators, which reorder
#: or break what is read.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def refuse_control_characters(text: str) -> None:
    """BadValue when ``text`` holds a control character other than a line feed or a tab."""
    if not text.isprintable() and (control := _CONTROL.search(text)):  # (isprintable: fast, most are)
        raise BadValue(f"holds a control character (U+{ord(control.group()):04X}), which a reader's "
                       "terminal would act on or which reorders the text: remove it")


_COUNT_TEXT = re.compile(r"^(-?\d+(?:\.\d+)?)\s*([KkMmBbTt]?)$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?\s*[KkMmBbTt]?$")
_SCALE = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def parse_count(value) -> int:
    """7B, '270M', 1.5e9, 7000000000 -> an integer count."""
    if isinstance(value, bool):
        raise BadValue("must be a number like 7B, 270M or 7000000000")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise BadValue("must be a finite number like 7B or 270M")
        number = int(Decimal(str(value)))
        if Decimal(str(value)) != number:
            raise BadValue(f"{value} is not a whole number: write it with a suffix, e.g. 1.5B")
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if "," in text:
            if not _THOUSANDS.match(text):
                raise BadValue(f"'{value}' has a comma that is not a thousands separator: write a decimal "
                               f"point ({text.replace(',', '.')}) or the whole number")
            text = text.replace(",", "")
        match = _COUNT_TEXT.match(text)
        if not match:
            raise BadValue(f"'{value}' is not a count: write 7B, 270M, 1.5T or 7000000000")
        try:
            scaled = Decimal(match.group(1)) * _SCALE[match.group(2).lower()]
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise BadValue(f"'{value}' is not a count") from None
        if scaled != int(scaled):
            raise BadValue(f"'{value}' is not a whole number of units")
        number = int(scaled)
    else:
        raise BadValue("must be a number like 7B, 270M or 7000000000")
    if number < 0:
        raise BadValue(f"{value} is negative: counts are zero or more")
    return number


_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`\x00-\x1f\x7f]+$")  # no character an IRI may not hold
_CONTROL_SHOWN = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}  # a control character, visible
_SEED = re.compile(r"^seed:([A-Za-z0-9_.-]+):([1-9]\d*)$")


def parse_url(value) -> str:
    if not isinstance(value, str) or not _URL.match(value.strip()):
        shown = value.translate(_CONTROL_SHOWN) if isinstance(value, str) else value
        raise BadValue(f"'{shown}' is not an http(s) URL without spaces or control characters")
    return value.strip()


_QID = re.compile(r"^Q[1-9][0-9]*$")


def parse_wikidata(value) -> str:
    """A Wikidata item id: ``Q42`` (also read from its page or entity URL, and from ``q42``)."""
    text = str(value).strip() if isinstance(value, str) else ""
    found = re.search(r"(?:^|/)([Qq][1-9][0-9]*)$", text)
    if found is None:
        raise BadValue(f"'{value}' is not a Wikidata item id: write it like Q42")
    qid = found.group(1).upper()
    if qid != text:
        raise BadValue(f"'{value}': write the item id alone, {qid}")
    return qid


def parse_source(value) -> str:
    """A URL, or a seed reference ``seed:<file>:<line>``; returned as written."""
    if isinstance(value, str) and _SEED.match(value.strip()):
        return value.strip()
    try:
        return parse_url(value)
    except BadValue:
        raise BadValue(f"'{value}' is neither an http(s) URL nor a seed reference like "
                       "seed:001_01e188e9c4403368.txt:166") from None


def source_iri(source: str, base: str) -> str:
    """The IRI a source becomes: the URL itself, or ``{base}/seed/<file>#L<line>``."""
    match = _SEED.match(source)
    if match:
        return f"{entity_iri(base, 'seed', match.group(1))}#L{match.group(2)}"
    return source
