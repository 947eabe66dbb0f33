"""Navigation and the final HTML clean-up."""

from __future__ import annotations

from pathlib import Path

from generator.loader import KnowledgeBase, LoadedMonograph, load_knowledge_base
from generator.site import compact_html, site_nav

from .conftest import ROOT


def test_compact_html_keeps_preformatted_text_and_scripts() -> None:
    html = ("<div>\n    <p>a\n      b</p>\n\n\n<pre>  keep\n    this</pre>\n"
            "  <script>\n  var x = 1;\n</script>\n")
    assert compact_html(html) == ("<div>\n<p>a\nb</p>\n<pre>  keep\n    this</pre>\n"
                                  "<script>\n  var x = 1;\n</script>\n")


def test_navigation_lists_few_monographs_flat() -> None:
    kb = load_knowledge_base(ROOT / "data")
    assert site_nav(ROOT / "content", kb, include_drafts=True) == [
        {"Home": "index.md"},
        {"Monographs": [{"Ketamine for pain": "monographs/ketamine.md"}]},
        "editing.md",
    ]


def test_navigation_groups_many_monographs_by_letter(tmp_path: Path) -> None:
    real = load_knowledge_base(ROOT / "data").monographs[0]
    clones = []
    for i in range(30):
        name = f"{'abc'[i % 3]}drug{i}"
        clone = real.monograph.model_copy(update={"title": f"{name.capitalize()} for pain",
                                                  "generic_name": name})
        clones.append(LoadedMonograph(clone, tmp_path / f"{name}.yaml"))
    nav = site_nav(ROOT / "content", KnowledgeBase(clones, {}), include_drafts=True)
    monographs = nav[1]["Monographs"]
    assert [next(iter(group)) for group in monographs] == ["A", "B", "C"]
    assert len(monographs[0]["A"]) == 10
    assert monographs[0]["A"][0] == {"Adrug0 for pain": "monographs/adrug0.md"}
