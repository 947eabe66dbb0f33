"""The search index as the build writes it: what each page contributes, how words are folded,
which names look alike, and that the files are the same for the same data."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from generator import doses
from generator.loader import load_knowledge_base
from generator.model import SearchTerms
from generator.render import monograph_path, render_pages
from generator.search import (
    FIELD_BODY,
    FIELD_HEADING,
    FIELD_NAME,
    SearchDoc,
    SearchIndex,
    Speller,
    look_alike_pairs,
    looks_alike,
    monograph_doc,
    osa_distance,
    read_varints,
    varint,
)
from generator.yamlsource import read_yaml

from .conftest import ROOT
from .searchindex import main_index, words_by_page
from .synthetic import write_formulary

TERMS = SearchTerms.model_validate(read_yaml(ROOT / "data" / "search-terms.yaml").data)
SPELLER = Speller(TERMS)


@pytest.mark.parametrize(("british", "american"), [
    ("anaesthetic", "anesthetic"), ("oedema", "edema"), ("haemorrhage", "hemorrhage"),
    ("paediatric", "pediatric"), ("organisation", "organization"), ("sulphate", "sulfate"),
    ("diarrhoea", "diarrhea"), ("oesophagitis", "esophagitis"), ("hypoglycaemia",
                                                                  "hypoglycemia"),
    ("colour", "color"), ("behaviour", "behavior"), ("analyse", "analyze"),
    ("sensitised", "sensitized"), ("litres", "liters"), ("anaemia", "anemia"),
])
def test_either_spelling_folds_to_one_word(british: str, american: str) -> None:
    assert SPELLER.words(british) == SPELLER.words(american) == SPELLER.words(american.upper())


def test_words_keep_doses_and_drop_stop_words() -> None:
    assert SPELLER.words("0.15–0.3 mg/kg/hour, as needed for the pain") == [
        "0.15", "0.3", "mg", "kg", "hour", "needed", "pain"]
    assert SPELLER.words("Ménière's") == ["meniere", "s"]


def test_numbers_round_trip_through_the_posting_code() -> None:
    rng = random.Random(7)
    numbers = [0, 1, 31, 32, 33, 1023, 1024, 2**20, 2**31 - 1] + [rng.randrange(2**24)
                                                                   for _ in range(500)]
    assert read_varints("".join(varint(n) for n in numbers)) == numbers


@pytest.mark.parametrize(("a", "b", "alike"), [
    ("prednisone", "prednisolone", True), ("hydroxyzine", "hydralazine", True),
    ("hydromorphone", "hydrocodone", True), ("ondansetron", "ondasnetron", True),
    ("ketamine", "methadone", False), ("morphine", "codeine", False),
    ("diazepam", "lorazepam", False), ("abc", "abd", False),
])
def test_look_alike_names(a: str, b: str, alike: bool) -> None:
    assert looks_alike(a, b) is alike
    assert looks_alike(b, a) is alike


def test_distance_counts_a_swap_as_one_edit() -> None:
    assert osa_distance("ketamine", "ketmaine", 2) == 1
    assert osa_distance("ketamine", "ketamine", 2) == 0
    assert osa_distance("ketamine", "xxxxxxxx", 2) == 3  # over the limit: limit + 1


def test_look_alike_pairs_find_spelling_neighbours_and_the_known_list() -> None:
    names = [("prednisone", 0), ("prednisolone", 1), ("ketamine", 2), ("hydroxyzine", 3),
             ("hydralazine", 4), ("clonidine", 5), ("klonopin", 6), ("predonix", 0)]
    pairs = look_alike_pairs(names, [("clonidine", "klonopin")])
    assert pairs == {(0, 1), (3, 4), (5, 6)}


def test_every_regimen_is_indexed_as_the_dose_formatter_words_it() -> None:
    """Over every monograph in data/: each regimen's words, as shown, are in the index."""
    kb = load_knowledge_base(ROOT / "data")
    pages = render_pages(kb, include_drafts=True)
    for loaded in kb.monographs:
        m = loaded.monograph
        doc = monograph_doc(pages[monograph_path(m)], title=m.title,
                            names=[], drug_names=[m.generic_name], classes=[], class_words=[])
        body = set(SPELLER.words(" ".join(t for f, _, _, t in doc.texts if f == FIELD_BODY)))
        for regimen in m.dosing.regimens if m.dosing else []:
            shown = doses.format_regimen(regimen)
            missing = set(SPELLER.words(shown)) - body
            assert not missing, (m.generic_name, shown, missing)
        assert set(SPELLER.words(m.generic_name)) <= {
            w for f, _, _, t in doc.texts if f == FIELD_NAME for w in SPELLER.words(t)}


def test_the_glance_box_and_calculator_are_not_indexed_twice() -> None:
    kb = load_knowledge_base(ROOT / "data")
    page = render_pages(kb, include_drafts=True)["monographs/ketamine.md"]
    doc = monograph_doc(page, title="Ketamine for pain", names=[],
                        drug_names=["ketamine"], classes=[], class_words=[])
    text = " ".join(t for _, _, _, t in doc.texts)
    assert "At a glance" not in text
    assert "from 0.5 to 300 kg" not in text, "the calculator's form is not indexed"
    assert "<" not in text, "no markup reaches the index"
    headings = [h for f, _, h, _ in doc.texts if f == FIELD_HEADING]
    assert "Adverse effects" in headings and "Gastrointestinal" in headings


def test_the_built_index_covers_every_page_and_links_real_sections(built_site: Path) -> None:
    _, main = main_index(built_site)
    urls = [doc[0] for doc in main["docs"]]
    assert "monographs/ketamine/" in urls and "editing/" in urls and "./" in urls
    words = words_by_page(built_site)
    page = (built_site / "monographs" / "ketamine" / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'\bid="([^"]+)"', page))
    sections = {heading for _, heading in words["monographs/ketamine/"].values()}
    by_heading = {label: anchor for anchor, label in main["sections"]}
    for heading in sections:
        if heading:
            assert by_heading[heading] in anchors, heading
    assert "disclaimer" not in words["monographs/ketamine/"], "the theme's frame is not indexed"


def test_the_same_data_writes_the_same_files(tmp_path: Path) -> None:
    """Index files are named by their content: the same data gives the same names, so a
    browser's cached copy stays valid until something changes."""
    write_formulary(tmp_path / "data", 20, seed=3)
    kb = load_knowledge_base(tmp_path / "data")
    pages = render_pages(kb, include_drafts=True)

    def build() -> tuple[str, dict[str, str]]:
        index = SearchIndex(kb.search_terms)
        for loaded in kb.published(include_drafts=True):
            m = loaded.monograph
            path = monograph_path(m)
            index.add(monograph_doc(pages[path], title=m.title, names=m.brand_names,
                                    drug_names=[m.generic_name, *m.brand_names], classes=[],
                                    class_words=[]), path.replace(".md", "/"))
        return index.files()

    first, second = build(), build()
    assert first == second
    main, files = first
    assert re.fullmatch(r"index\.[0-9a-f]{12}\.js", main)
    assert all(re.fullmatch(r"(index|shard-\d+)\.[0-9a-f]{12}\.js", name) for name in files)


@pytest.mark.parametrize("same_sections", [True, False])
def test_a_merged_part_keeps_long_gaps_and_many_sections(same_sections: bool) -> None:
    """Merging rewrites a part's postings as written, not decoded: gaps of one, two and three
    digits, and field codes of sections numbered 0 to 60, come out as adding each page here
    would write them, whether the part numbered its sections as the index does or not."""
    rng = random.Random(13)
    sections = [(f"section-{n}", f"Section {n}") for n in range(60)]
    rare = [f"rareword{n}" for n in range(40)]
    docs = []
    for number in range(1_300):
        texts = []
        for field in (FIELD_NAME, FIELD_HEADING, FIELD_BODY):
            anchor, heading = rng.choice(sections)
            words = ["common", rng.choice(rare)] if rng.random() < 0.03 else ["common"]
            texts.append((field, anchor, heading, " ".join(words)))
        docs.append(SearchDoc(f"Page {number}", "page", texts=texts))
    split = 650
    if same_sections:  # both halves meet the sections in the same order
        for doc in (docs[0], docs[split]):
            doc.texts = [(FIELD_BODY, anchor, heading, "common") for anchor, heading in sections]
    urls = [f"pages/{n}/" for n in range(len(docs))]
    whole = SearchIndex(SearchTerms())
    for doc, url in zip(docs, urls, strict=True):
        whole.add(doc, url)
    merged, part = SearchIndex(SearchTerms()), SearchIndex(SearchTerms())
    for doc, url in zip(docs[:split], urls[:split], strict=True):
        merged.add(doc, url)
    for doc in docs[split:]:
        part.add(doc, "")
    renumbered = [merged.sections.get(key) for key in part.sections]
    assert (renumbered == list(range(len(renumbered)))) is same_sections
    merged.merge(part.part(), urls[split:])
    gaps = {n for word in whole.postings for n in read_varints(
        whole.postings[word].decode("ascii"))[::2]}
    assert max(gaps) >= 1024 and any(32 <= n < 1024 for n in gaps) and min(gaps) < 32
    assert len(whole.sections) > 32
    assert merged.files() == whole.files()


@pytest.mark.parametrize("split", [1, 7, 19])
def test_an_index_merged_from_parts_is_the_index_built_page_by_page(tmp_path: Path,
                                                                     split: int) -> None:
    """A large build analyses each half of the monographs in its own process and merges the
    parts: the files staff download are the ones one process adds page by page makes."""
    write_formulary(tmp_path / "data", 24, seed=11)
    kb = load_knowledge_base(tmp_path / "data")
    pages = render_pages(kb, include_drafts=True)
    docs = []
    for loaded in kb.published(include_drafts=True):
        m = loaded.monograph
        docs.append(monograph_doc(pages[monograph_path(m)], title=m.title,
                                  names=[*m.synonyms, *m.brand_names],
                                  drug_names=[m.generic_name, *m.brand_names],
                                  classes=list(m.drug_classes), class_words=[]))
    urls = [f"monographs/{i}/" for i in range(len(docs))]
    whole = SearchIndex(kb.search_terms)
    for doc, url in zip(docs, urls, strict=True):
        whole.add(doc, url)
    merged = SearchIndex(kb.search_terms)
    merged.add(docs[0], urls[0])  # a part merged after pages already indexed, then another
    for part_docs, part_urls in ((docs[1:split], urls[1:split]), (docs[split:], urls[split:])):
        part = SearchIndex(kb.search_terms)
        for doc in part_docs:
            part.add(doc, "")
        merged.merge(part.part(), part_urls)
    first = SearchIndex(kb.search_terms)  # the first part into an empty index: taken whole
    part = SearchIndex(kb.search_terms)
    for doc in docs:
        part.add(doc, "")
    first.merge(part.part(), urls)
    assert len({w for w, _ in whole.postings.items()}) > 100
    assert merged.files() == whole.files()
    assert first.files() == whole.files()
