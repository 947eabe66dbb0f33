"""The fixture formulary (synthetic, never published) built beside the real data: every new
construct is shown as the source states it, and adding monographs changes nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import FIXTURES
from .htmltext import visible_text
from .test_build import table_rows


def page(site: Path, name: str) -> str:
    return (site / "monographs" / name / "index.html").read_text(encoding="utf-8")


def glance(html: str) -> str:
    return visible_text(html.split('id="at-a-glance"')[1].split("</section>", maxsplit=1)[0])


def test_as_needed_interval_and_a_regimen_cap_reach_table_and_glance(formulary_site: Path
                                                                     ) -> None:
    html = page(formulary_site, "nauseazine")
    rows = table_rows(html, "kb-doses")
    assert rows[2] == "As-needed dose 6.25 mg every 2 hours as needed for nausea or vomiting"
    assert rows[3] == "Whole regimen: max 25 mg in 24 hours (all its doses together)."
    assert rows[4].startswith("subcut Continuous infusion 5–25 mg per 24 hours over 24 hours by "
                              "syringe driver")
    assert "older adults; creatinine clearance below 30 mL/minute" in rows[4]
    assert rows[5].startswith("oral Scheduled dose 3–6 mg twice a day; for 5 days")
    box = glance(html)
    assert ("Local protocol: subcut: scheduled dose 6.25 mg at night and as-needed dose 6.25 mg "
            "every 2 hours as needed for nausea or vomiting; max 25 mg in 24 hours (all its doses "
            "together); for adults") in box
    text = visible_text(html)
    assert "Also known as: levonauseazine. Brand names: Nauzene." in text
    assert "oral to subcut: 2:1" in text
    assert "none of these doses is per kg of body weight" in text
    assert "Protect ampoules from light." in text
    # a report exported by Zotero keeps its genre and number
    assert "Synthetic local protocol for subcutaneous antiemetics. Synthetic Hospice; 2025. " \
           "Local protocol SP-12." in text


def test_a_loading_infusion_over_ten_minutes_is_not_a_bolus(formulary_site: Path) -> None:
    html = page(formulary_site, "sedatomidine")
    rows = table_rows(html, "kb-doses")
    assert rows[1].startswith("IV Loading dose 1 mcg/kg over 10 minutes not stated in source "
                              "Product label")
    assert rows[2] == ("Maintenance dose 0.2–0.7 mcg/kg/hour max 1.5 mcg/kg/hour adjust by 0.1 "
                       "mcg/kg/hour every 30 minutes, up to 1.5 mcg/kg/hour, to the target "
                       "sedation score continuous; not to exceed 24 hours")
    assert "duration not stated" not in " ".join(rows[:4])
    assert "Alpha-2 adrenergic agonist" in glance(html)
    # the boxed warning stands above the at-a-glance box
    assert html.index('id="boxed-warning"') < html.index('id="at-a-glance"')


def test_per_day_divided_doses_populations_and_uncalculated_doses(formulary_site: Path) -> None:
    html = page(formulary_site, "paedicillin")
    rows = table_rows(html, "kb-doses")
    assert rows[1].startswith("oral Scheduled dose 30–60 mg/kg per 24 hours max 0.5 g per dose "
                              "max 1.5 g in 24 hours in 3 divided doses, three times a day "
                              "Guideline recommends infection children; aged at least 1 and "
                              "below 12 years; weighing below 40 kg")
    assert "eGFR 10–30 mL/minute/1.73 m²" in rows[2]
    assert rows[3].startswith("IV Scheduled dose 100 mg/m² every 24 hours Off-label use")
    assert ("IV scheduled dose 100 mg/m²: dosed per m² of body surface area: the calculator "
            "does not estimate body surface area.") in visible_text(html)


def test_sections_follow_the_file_and_empty_sections_are_not_content(formulary_site: Path
                                                                     ) -> None:
    html = page(formulary_site, "nauseazine")
    order = ["introduction", "cautions", "warnings-and-precautions", "adverse-effects", "dosing",
             "dosage-forms", "compatibility", "storage-and-stability",
             "pregnancy-and-breastfeeding", "monitoring"]
    positions = [html.index(f'id="{anchor}"') for anchor in order]
    assert positions == sorted(positions)
    anchors = re.findall(r'\bid="([^"]+)"', html)
    assert len(anchors) == len(set(anchors)), "anchors are unique"
    assert 'id="adverse-effects-neurological-2"' in html
    empty = visible_text(page(formulary_site, "heparinoid"))
    assert "Adverse effects, contraindications, monitoring, interactions and pharmacokinetics: " \
           "not stated in source." in empty
    assert '<h2 id="adverse-effects"' not in page(formulary_site, "heparinoid")


def test_adding_monographs_changes_nothing_on_the_existing_page(built_site: Path,
                                                                formulary_site: Path) -> None:
    def article(site: Path) -> str:
        html = page(site, "ketamine")
        text = visible_text(html.split('<article', 1)[1].split("</article>", 1)[0])
        return re.sub(r"version [^.]*(\.\d[^.]*)*\.", "version.", text)  # the copy is not in git
    assert article(built_site) == article(formulary_site)
    home = visible_text((formulary_site / "index.html").read_text(encoding="utf-8"))
    names = sorted(p.stem for p in (FIXTURES / "formulary" / "monographs").glob("*.yaml"))
    for name in names:
        assert (formulary_site / "monographs" / name / "index.html").is_file()
    assert "Ketamine for pain" in home and "Sedatomidine for sedation" in home


@pytest.mark.parametrize("name", ["nauseazine", "sedatomidine", "paedicillin", "heparinoid",
                                  "vasopressamine"])
def test_every_fixture_page_uses_safe_notation(formulary_site: Path, name: str) -> None:
    text = visible_text(page(formulary_site, name))
    assert not re.search(r"\b(SC|SQ|QD|QOD|IU|cc|q\d+h|bd|tds|qds)\b", text)
    assert not re.search(r"(?<![\d\w^])\.\d", text), "naked decimal point"
    assert "µg" not in text and "/hr" not in text
