"""The shared reference library (CSL-YAML) and its AMA formatting.

``data/references.yaml`` is a list of CSL items, the format pandoc reads and Zotero exports. A work
appears once: a second entry with the same DOI, or the same title and year (ignoring case and
punctuation), is an error.

References are formatted in AMA style by :func:`format_ama`. citeproc-py's AMA style was checked
against the source's own list and drops the access date of web items and repeats a web item's title
in place of its author, so it is used only in the tests, to check this formatter's journal entries.
"""

from __future__ import annotations

import calendar
import re
from typing import Annotated, Any

from markupsafe import Markup, escape
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .inline import InlineError, check_characters, one_line
from .model import CitationKey, KbModel

CSL_TYPES = ("article-journal", "article-magazine", "article", "book", "chapter", "webpage",
             "report", "entry-encyclopedia", "entry-dictionary", "dataset", "thesis")

_TOLERATED = {"ISSN", "ISBN", "language", "source", "title-short", "container-title-short",
              "abstract", "keyword", "note", "collection-title", "archive",
              "journalAbbreviation", "citation-key", "PMCID"}
"""CSL variables Zotero exports that the site does not show; accepted and ignored."""


def _visible(value: str) -> str:
    """What a work's entry shows, as the work gives it, in characters a reader can see: no
    invisible or direction characters, no HTML entities (as in a monograph's text). Its
    notation is the work's own, and what looks like markup is shown as written."""
    try:
        check_characters(value)
    except InlineError as e:
        raise PydanticCustomError("text", str(e)) from None
    return value


Visible = Annotated[str, AfterValidator(_visible)]


class CslName(KbModel):
    """An author: ``family`` and ``given`` names, or a ``literal`` name (an organisation)."""

    family: Visible | None = None
    """Family name."""
    given: Visible | None = None
    """Given names or initials."""
    literal: Visible | None = None
    """A name that is not split (an organisation, or 'et al.' where the source abbreviates)."""

    @model_validator(mode="after")
    def _some_name(self) -> CslName:
        if not (self.family or self.literal):
            raise PydanticCustomError("name", "an author needs family (and given) or literal")
        return self


def _date_parts(value: Any) -> Any:
    """Accept ``2015``, ``2015-06``, ``2015-06-01`` or CSL's ``{date-parts: [[2015, 6]]}``."""
    if isinstance(value, int):
        return {"date-parts": [[value]]}
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise PydanticCustomError("csl_date", "'{value}' is not a date; write YYYY, YYYY-MM "
                                      "or YYYY-MM-DD", {"value": value})
        return {"date-parts": [[int(p) for p in value.split("-")]]}
    return value


class CslDate(KbModel):
    """A CSL date: year, optionally month and day."""

    model_config = ConfigDict(populate_by_name=True)
    date_parts: list[list[int]] = Field(alias="date-parts", min_length=1, max_length=1)
    """[[year, month, day]] with month and day optional."""

    @model_validator(mode="after")
    def _real(self) -> CslDate:
        parts = self.date_parts[0]
        if not 1 <= len(parts) <= 3 or not 1000 <= parts[0] <= 2999:
            raise PydanticCustomError("csl_date", "a date is [[year, month, day]], month and day "
                                      "optional")
        if len(parts) >= 2 and not 1 <= parts[1] <= 12:
            raise PydanticCustomError("csl_date", "month {m} is not 1 to 12", {"m": parts[1]})
        if len(parts) == 3:
            last = calendar.monthrange(parts[0], parts[1])[1]
            if not 1 <= parts[2] <= last:
                raise PydanticCustomError("csl_date", "day {d} is not in that month",
                                          {"d": parts[2]})
        return self

    @property
    def year(self) -> int:
        """The year."""
        return self.date_parts[0][0]


Date = Annotated[CslDate, BeforeValidator(_date_parts), WithJsonSchema({
    "description": "YYYY, YYYY-MM, YYYY-MM-DD, or CSL's {date-parts: [[year, month, day]]}",
    "anyOf": [
        {"type": "integer", "minimum": 1000, "maximum": 2999},
        {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
        {"type": "object", "required": ["date-parts"],
         "properties": {"date-parts": {"type": "array", "minItems": 1, "maxItems": 1,
                                       "items": {"type": "array", "minItems": 1, "maxItems": 3,
                                                 "items": {"type": "integer"}}}}},
    ],
})]
Scalar = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v),
                   AfterValidator(_visible)]


class Reference(KbModel):
    """One work in the library, as a CSL item."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: CitationKey
    """The key text cites it by: [@id]."""
    type: str
    """CSL type: article-journal, webpage, book, chapter, report, …"""
    author: list[CslName] = Field(default_factory=list)
    """Authors in order."""
    title: Visible
    """Title as published."""
    container_title: Visible | None = Field(None, alias="container-title")
    """Journal, website or book the work is in."""
    volume: Scalar | None = None
    """Volume."""
    issue: Scalar | None = None
    """Issue."""
    page: Scalar | None = None
    """Pages or article number, as published."""
    issued: Date | None = None
    """Publication date."""
    accessed: Date | None = None
    """Date an online work was read."""
    publisher: Visible | None = None
    """Publisher."""
    publisher_place: Visible | None = Field(None, alias="publisher-place")
    """Where the publisher is."""
    medium: Visible | None = None
    """Medium, as the source gives it (e.g. Web)."""
    genre: Visible | None = None
    """Kind of report or document ("Local protocol", "Technical report"), as Zotero exports it."""
    number: Scalar | None = None
    """Report or document number, as Zotero exports it."""
    DOI: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    """DOI without https://doi.org/."""
    PMID: Scalar | None = None
    """PubMed identifier."""
    URL: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    """Address."""

    @model_validator(mode="after")
    def _known(self) -> Reference:
        if self.type not in CSL_TYPES:
            raise PydanticCustomError("csl_type", "'{t}' is not a CSL type this site formats; "
                                      "use one of {types}",
                                      {"t": self.type, "types": ", ".join(CSL_TYPES)})
        unknown = sorted(set(self.model_extra or {}) - _TOLERATED)
        if unknown:
            raise PydanticCustomError("csl_field", "unknown CSL field '{f}'",
                                      {"f": unknown[0]})
        return self


def duplicate_identity(ref: Reference) -> list[tuple[str, str]]:
    """What makes two entries the same work: DOI, and title with year."""
    keys = []
    if ref.DOI:
        keys.append(("DOI", ref.DOI.lower()))
    title = re.sub(r"[^a-z0-9]+", " ", ref.title.lower()).strip()
    year = ref.issued.year if ref.issued else ""
    keys.append(("title and year", f"{title} ({year})"))
    return keys


def _initials(given: str) -> str:
    words = re.split(r"[\s.\-]+", given.strip())
    if len(words) == 1 and words[0].isupper() and len(words[0]) <= 3:
        return words[0]
    return "".join(w[0].upper() for w in words if w)


def _name(name: CslName) -> str:
    if name.literal:
        return name.literal
    assert name.family is not None
    return f"{name.family} {_initials(name.given)}" if name.given else name.family


def _authors(names: list[CslName]) -> str:
    shown = [_name(n) for n in names]
    if len(shown) > 6:  # AMA: more than six authors, list three and et al.
        shown = [*shown[:3], "et al"]
    return ", ".join(shown)


def _date_words(date: CslDate) -> str:
    parts = date.date_parts[0]
    if len(parts) == 3:
        return f"{calendar.month_name[parts[1]]} {parts[2]}, {parts[0]}"
    if len(parts) == 2:
        return f"{calendar.month_name[parts[1]]} {parts[0]}"
    return str(parts[0])


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def format_ama(ref: Reference) -> Markup:
    """One reference in AMA style as safe HTML, with DOI and URL as links."""
    out: list[Markup] = []
    if ref.author:
        out.append(escape(_sentence(_authors(ref.author))))
    out.append(escape(_sentence(ref.title)))
    if ref.type in ("article-journal", "article-magazine", "article"):
        if ref.container_title:
            out.append(Markup("<i>{}</i>.").format(ref.container_title.rstrip(".")))
        details = ""
        if ref.issued:
            details = str(ref.issued.year) if ref.type == "article-journal" else (
                _date_words(ref.issued))
        if ref.volume:
            details += f";{ref.volume}"
            if ref.issue:
                details += f"({ref.issue})"
        if ref.page:
            details += f":{ref.page}"
        if details:
            out.append(escape(details + "."))
        if ref.type == "article-journal" and ref.issued and len(ref.issued.date_parts[0]) == 3:
            out.append(escape(f"Published {_date_words(ref.issued)}."))
        if ref.publisher and ref.publisher != _literal_author(ref):
            out.append(escape(_sentence(ref.publisher)))
    else:
        if ref.container_title:
            out.append(Markup("<i>{}</i>.").format(ref.container_title.rstrip(".")))
        publisher = ": ".join(p for p in (ref.publisher_place, ref.publisher) if p)
        year = str(ref.issued.year) if ref.issued else ""
        if publisher and year:
            out.append(escape(f"{publisher}; {year}."))
        elif publisher or year:
            out.append(escape(_sentence(publisher or year)))
        numbered = " ".join(p for p in (ref.genre, ref.number) if p)
        if numbered:
            out.append(escape(_sentence(numbered)))
    if ref.accessed:
        out.append(escape(f"Accessed {_date_words(ref.accessed)}."))
    if ref.DOI:
        out.append(Markup('<a href="https://doi.org/{0}">doi:{0}</a>').format(ref.DOI))
    if ref.PMID:
        out.append(Markup('PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/{0}/">{0}</a>')
                   .format(ref.PMID))
    if ref.URL:
        out.append(Markup('<a href="{0}">{0}</a>').format(ref.URL))
    return Markup(one_line(str(Markup(" ").join(out))))  # a title never starts a page line


def _literal_author(ref: Reference) -> str | None:
    return ref.author[0].literal if len(ref.author) == 1 else None
