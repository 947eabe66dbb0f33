"""Build the real data into a temporary site and check what a reader of the pages sees."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.model import SearchTerms
from generator.plugin import _Export
from generator.search import FIELD_NAME, Speller
from generator.site import compact_html

from .conftest import ROOT
from .htmltext import element, visible_text
from .searchindex import words_by_page

SOURCE = ROOT / "data" / "sources" / "ketamine-for-pain.txt"


@pytest.fixture(scope="module")
def page(built_site: Path) -> str:
    return (built_site / "monographs" / "ketamine" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text(page: str) -> str:
    return visible_text(page)


def test_sections_in_the_sources_order(page: str) -> None:
    ids = ["at-a-glance", "introduction", "mechanism-of-action", "adverse-effects", "dosing",
           "regimens", "dosage-forms", "monitoring", "summary", "not-covered",
           "further-information", "references", "about"]
    positions = [page.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)


def test_heading_citations_stay_out_of_the_table_of_contents(page: str) -> None:
    toc = page.split('class="md-nav md-nav--secondary"')[1]
    toc = toc.split('class="md-content"', maxsplit=1)[0]
    labels = visible_text("<nav " + toc)
    assert labels.startswith("Table of contents Introduction Mechanism of action Adverse effects "
                             "Psychiatric Cardiovascular Other Gastrointestinal Dosing and "
                             "administration considerations Regimens Dose calculator Dosage "
                             "forms")
    assert "^" not in labels
    heading = re.search(r'<h2 id="introduction"[^>]*>(.*?)</h2>', page, re.DOTALL)
    assert heading is not None
    assert '<a href="#ref-marchetti2015" aria-label="Reference 1">1</a>–' in heading.group(1)


def table_rows(page: str, css_class: str) -> list[str]:
    """The visible text of each row of the table with this class."""
    table = re.search(rf'<table class="{css_class}">.*?</table>', page, re.DOTALL)
    assert table is not None, css_class
    return [visible_text(r) for r in re.findall(r"<tr.*?</tr>", table.group(0), re.DOTALL)]


def test_every_regimen_row(page: str) -> None:
    assert table_rows(page, "kb-doses") == [
        "Route Kind Dose How often Qualifier For Population Refs",
        "IV Bolus 0.15–0.3 mg/kg not stated in source Literature suggests pain not stated in "
        "source ^18",
        "Continuous infusion 0.15–0.3 mg/kg/hour continuous; duration not stated in source",
        "oral Scheduled dose 0.5 mg/kg every 12 hours Literature suggests pain not stated in "
        "source ^18",
    ]


def test_dosage_forms_table(page: str) -> None:
    assert table_rows(page, "kb-forms") == [
        "Form Strengths Can be administered Availability",
        "Solution for injection 50 mg/mL 100 mg/mL orally or parenterally Commercially available",
        "Oral solution 20 mg/mL (example strength) orally Compounded by a pharmacy",
    ]


def test_at_a_glance_box(page: str) -> None:
    box = visible_text(element(page, "at-a-glance", "h2") + page.split('id="at-a-glance"')[1]
                       .split("</section>", maxsplit=1)[0])
    assert "Best reserved as a third- or fourth-line choice" in box
    assert ("Literature suggests: IV: bolus 0.15–0.3 mg/kg and continuous infusion 0.15–0.3 "
            "mg/kg/hour^18") in box
    assert "Literature suggests: oral: scheduled dose 0.5 mg/kg every 12 hours^18" in box
    assert "Review status Not yet reviewed locally." in box


def test_facts_of_the_source_are_on_the_page(text: str) -> None:
    for fact in [
        "doses above 1 mg/kg", "more likely to occur with IV or subcut ketamine than with oral",
        "lorazepam or haloperidol may be administered concurrently",
        "glycopyrrolate or atropine as needed, may be helpful",
        "preferably grape juice", "compound an oral solution (e.g., 20 mg/mL)",
        "usually administered orally, subcutaneously or intravenously for the management of pain",
        "Other less common routes of administration: rectal, intranasal and topical",
        "in combination with amitriptyline", "(i.e., a few days to a few weeks)",
        "Vital signs (e.g., blood pressure, heart rate, respiratory rate, ECG)",
        "psychomimetic effects (e.g., agitation, insomnia, fear, hallucinations)",
        "Pain assessment", "third- or fourth-line choice",
        "Safely Prescribing Ketamine for Pain.pdf (enclarapharmacia.com). Address not stated in "
        "source.",
        "Ketamine for the Treatment of Refractory Pain (Enclara Pharmacia). Address not stated "
        "in source.",
        "Contraindications, interactions and pharmacokinetics: not stated in source. Consult "
        "another reference.",
    ]:
        assert fact in text, fact


def test_every_word_of_the_source_body_is_on_the_page(text: str) -> None:
    """A completeness check: each word of four letters or more in the source's body appears."""
    source = SOURCE.read_text(encoding="utf-8").split("\nReferences\n")[0]
    page_words = set(re.findall(r"[a-z]+", text.lower()))
    source_words = set(re.findall(r"[a-z]{4,}", source.lower()))
    assert sorted(source_words - page_words) == []


def test_every_reference_once_with_links(page: str, text: str) -> None:
    items = re.findall(r'<li id="ref-([^"]+)" value="(\d+)">', page)
    assert [int(n) for _, n in items] == list(range(1, 21))
    assert len({k for k, _ in items}) == 20
    source = SOURCE.read_text(encoding="utf-8").split("\nReferences\n")[1]
    for doi in re.findall(r"doi:(\S+?)\s*$", source, re.MULTILINE):
        assert f'href="https://doi.org/{doi}"' in page, doi
    for number, written in re.findall(r"^(\d+)\. (.+)$", source, re.MULTILINE):
        entry = re.sub(r" \(\d{4}\)\.", "", written)
        title = (re.search(r'"([^"]+?)\.?"', entry)
                 or re.search(r"\. ([^.]+(?::[^.]+)?)\.", entry))
        assert title is not None, number
        assert title.group(1).rstrip(".").lower() in text.lower(), (number, title.group(1))


def test_back_links_return_to_each_citation(page: str) -> None:
    entry = element(page, "ref-riccardi2023", "li")
    assert visible_text(entry).endswith("Back to text: ↩ 1 2 3 4 5")
    anchors = re.findall(r'<a href="#(cite-\d+)">\d</a>', entry)
    # at a glance twice, the dosing heading, the dose table twice (not the calculator's results,
    # which are hidden until a weight is entered)
    assert len(anchors) == 5
    for anchor in anchors:
        assert f'id="{anchor}"' in page


def test_no_unsafe_dose_forms(text: str) -> None:
    assert not re.search(r"\b(SC|SQ|QD|QOD|IU|cc|q\d+h)\b", text)
    assert not re.search(r"\d\.\d*0\s*(mg|mL|mcg|units)\b", text), "trailing zero"
    assert not re.search(r"(?<![\d\w^])\.\d", text), "naked decimal point"
    assert not re.search(r"\d(mg|mL|mcg)\b", text), "number without a space before its unit"
    assert "µg" not in text and "/hr" not in text


def test_every_page_carries_disclaimer_and_contact(built_site: Path) -> None:
    for html_file in ["index.html", "editing/index.html", "monographs/ketamine/index.html"]:
        html = (built_site / html_file).read_text(encoding="utf-8")
        shown = visible_text(html)
        assert "supports and does not replace clinical judgement" in shown
        assert "Report an error in this page to the pharmacy team" in shown
        assert "Uncontrolled when printed" in shown


def test_provenance_and_review_status(text: str) -> None:
    assert "Review status: Not yet reviewed locally." in text
    assert "its author, publisher and date are not stated in the source" in text
    assert "Source date Not stated in source" in text


def test_home_page_lists_the_monograph(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<table class="kb-index">.*?</table>', html, re.DOTALL)
    assert row is not None
    assert ("Ketamine for pain General anesthetic and NMDA-receptor antagonist Not yet reviewed "
            "locally") in visible_text(row.group(0))  # one row among any number
    assert 'href="monographs/ketamine/"' in row.group(0)


def test_no_resource_is_loaded_from_outside(built_site: Path) -> None:
    for html_file in built_site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        assert not re.search(r'<(script|img|iframe)[^>]+src="(https?:)?//', html), html_file
        assert not re.search(r'<link[^>]+href="(https?:)?//', html), html_file
    for css in built_site.rglob("*.css"):
        assert not re.search(r"url\((['\"]?)(https?:)?//", css.read_text(encoding="utf-8")), css


def test_search_index_holds_dose_tables_effects_and_references(built_site: Path) -> None:
    """What the page shows is what search finds: dose text as the formatter words it, effects,
    dosage forms and the authors of references, each under its section."""
    words = words_by_page(built_site)["monographs/ketamine/"]
    for text in ["hallucinations", "grape juice", "glycopyrrolate", "0.15–0.3 mg/kg/hour",
                 "50 mg/mL", "Riccardi", "every 12 hours"]:
        for word in Speller(SearchTerms()).words(text):
            assert word in words, (text, word)
    assert words["glycopyrrolate"][1] == "Gastrointestinal"
    assert words["riccardi"][1] == "References"
    assert words["ketamine"][0] == FIELD_NAME


def test_each_page_links_its_data_and_the_files_are_there(built_site: Path, page: str) -> None:
    about = visible_text(element(page, "about", "h2") + page.split('id="about"')[1])
    assert "This monograph as data JSON · FHIR" in about
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'href="formulary.json"' in home and 'href="formulary.fhir.json"' in home
    for href in re.findall(r'href="([^"#]+\.json)"', page):
        target = (built_site / "monographs" / "ketamine" / href).resolve()
        assert target.is_file(), href
        json.loads(target.read_text(encoding="utf-8"))
    assert (built_site / "schema" / "monograph.schema.json").is_file()


@pytest.mark.parametrize("linked", [True, False])
def test_exports_reach_the_site_whole_and_outlive_the_builds_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linked: bool) -> None:
    """The build links each export it wrote in its own folder into the site; where no link can
    be made (the site on another disk), it copies it. Either way the site's file is whole, and
    stays once the build removes its folder."""
    written = tmp_path / "kb-export" / "monographs" / "ketamine" / "ketamine.json"
    written.parent.mkdir(parents=True)
    written.write_text('{"title": "Ketamine for pain"}', encoding="utf-8")
    site = tmp_path / "site"
    target = site / "monographs" / "ketamine" / "ketamine.json"
    target.parent.mkdir(parents=True)
    target.write_text("left by the build before", encoding="utf-8")
    if not linked:
        def refuse(*args: object) -> None:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        monkeypatch.setattr(os, "link", refuse)
    export = _Export("monographs/ketamine/ketamine.json", src_dir=None, dest_dir=str(site),
                     use_directory_urls=True)
    export.abs_src_path = str(written)
    export.copy_file()
    assert os.path.samefile(written, target) is linked
    shutil.rmtree(tmp_path / "kb-export")
    assert json.loads(target.read_text(encoding="utf-8")) == {"title": "Ketamine for pain"}


def test_the_not_found_page_is_compacted_like_every_page(built_site: Path) -> None:
    for name in ("404.html", "index.html"):
        html = (built_site / name).read_text(encoding="utf-8")
        assert compact_html(html) == html, name
    not_found = visible_text((built_site / "404.html").read_text(encoding="utf-8"))
    assert "404 - Not found" in not_found
