"""Citations: numbered by first appearance, ranges compressed, linked both ways."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.citations import CitationMarker, compress, compressed_label, number_citations
from generator.loader import load_knowledge_base
from generator.model import Monograph
from generator.yamlsource import read_yaml

from .conftest import add_fixture_formulary

ROOT = Path(__file__).resolve().parent.parent


def test_runs_of_three_or_more_are_compressed() -> None:
    assert compress([3, 1, 2, 5, 6]) == [(1, 3), (5, 5), (6, 6)]
    assert compressed_label([4, 5]) == "4,5"
    assert compressed_label([6, 7, 8, 9, 10, 11]) == "6–11"
    assert compressed_label([8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19]) == "8,9,11–19"


def test_ketamine_is_numbered_by_first_appearance_in_the_body() -> None:
    kb = load_knowledge_base(ROOT / "data")
    ketamine = next(m.monograph for m in kb.monographs if m.monograph.generic_name == "ketamine")
    numbers = number_citations(ketamine)
    order = sorted(numbers, key=numbers.__getitem__)
    assert order[:5] == ["marchetti2015", "schwenk2018", "enclara2023", "carlton1999", "ma2023"]
    assert numbers["riccardi2023"] == 18
    assert numbers["craven2007"] == 20
    assert len(numbers) == 20  # 22 in the source, two of them entered twice there


def test_marker_links_each_number_and_records_back_links() -> None:
    mark = CitationMarker({"a": 1, "b": 2, "c": 3})
    html = str(mark(["a", "b", "c"]))
    assert html == ('<sup class="kb-cite" id="cite-1"><a href="#ref-a" aria-label="Reference 1">1'
                    '</a>–<a href="#ref-c" aria-label="Reference 3">3</a></sup>')
    mark(["b"])
    assert mark.backlinks == {"a": ["cite-1"], "b": ["cite-1", "cite-2"], "c": ["cite-1"]}


def test_the_numbers_kept_at_loading_are_the_numbers_of_a_fresh_walk(tmp_path: Path) -> None:
    """The loader numbers each monograph's citations from the walk it makes anyway; the page
    and the exports use those numbers, which must be what a walk of its own would give."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    add_fixture_formulary(data)
    for loaded in load_knowledge_base(data).monographs:
        fresh = Monograph.model_validate(read_yaml(loaded.source).data)
        assert fresh._citation_numbers is None
        assert number_citations(loaded.monograph) == number_citations(fresh), loaded.source
        assert list(number_citations(fresh).values()) == list(range(1, len(
            number_citations(fresh)) + 1))
