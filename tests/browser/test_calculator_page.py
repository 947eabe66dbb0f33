"""The page's calculator shows exactly what the Python specification computes, figure by figure."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import Browser, Page, expect

from generator.calculator import calculate, calculator_spec
from generator.loader import load_knowledge_base

from ..conftest import ROOT, copy_project, run_mkdocs_build

pytestmark = pytest.mark.browser

PER_KG = [Decimal("0.15"), Decimal("0.3"), Decimal("0.5")]
STRENGTHS = [Decimal(50), Decimal(100), Decimal(20)]


def boundary_weights() -> list[str]:
    """Weights whose figures land exactly on, or next to, a rounding boundary."""
    found: set[Decimal] = set()
    for per_kg in PER_KG:
        for k in range(0, 1000, 7):  # mg = k/10 + 0.05: the half-up boundary of 0.1 mg
            weight = (Decimal(k) / 10 + Decimal("0.05")) / per_kg
            found.add(weight)
        for strength in STRENGTHS:
            for k in range(0, 100, 3):  # mL = k/100 + 0.005: the boundary of 0.01 mL
                found.add((Decimal(k) / 100 + Decimal("0.005")) * strength / per_kg)
            found.add(strength / per_kg)  # exactly 1 mL
    near = {w + d for w in found for d in (Decimal(0), Decimal("0.001"), Decimal("-0.001"))}
    usable = sorted(w for w in near if Decimal("0.5") <= w <= 300 and w == w.quantize(
        Decimal("0.001")))
    return [str(w.normalize()) if w != w.to_integral() else str(int(w)) for w in usable]


def cases(seed: int, randoms: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    fixed = ["70", "0.5", "300", "1", "2.5", "10", "33.3", "100", "199.9", "200", "200.1",
             "150", "66.667", "40", "299.99", "0.51", "20", "62.5", "93.75", "41.7"]
    invalid = ["", " ", "abc", "0", "-5", "0.4", "300.1", "70kg", "1e2", "7,5", "..5", "5."]
    draws = [f"{rng.uniform(0.5, 300):.{rng.choice([0, 1, 2])}f}" for _ in range(randoms)]
    weights = fixed + boundary_weights() + draws
    concentrations = ["1", "0.5", "2", "10", "", "abc", "0", "100", "0.01", "4", "40", "1000"]
    out = [(w, concentrations[i % len(concentrations)]) for i, w in enumerate(weights)]
    out += [(w, "1") for w in invalid]
    return out


KETAMINE_CASES = cases(20261126, 60)
FIXTURE_CASES = cases(20261127, 40)
FIXTURES_CALCULATED = ["sedatomidine", "paedicillin", "heparinoid", "vasopressamine"]


def test_enough_cases() -> None:
    assert len(KETAMINE_CASES) >= 200
    assert len(boundary_weights()) >= 100
    # the new constructs (mcg, units, per minute, per 24 hours, caps, loading over N minutes)
    assert len(FIXTURE_CASES) * len(FIXTURES_CALCULATED) >= 2000


def shown_figures(page: Page, inputs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """What the page shows for each (weight, concentration) typed in, every concentration field
    given the same text."""
    return cast(list[dict[str, Any]], page.evaluate(
        """(inputs) => inputs.map(([w, c]) => {
            const set = (el, v) => { el.value = v;
                el.dispatchEvent(new Event("input", {bubbles: true})); };
            set(document.querySelector("#kb-weight"), w);
            document.querySelectorAll("[data-kb-concentration]").forEach(el => set(el, c));
            const out = {};
            document.querySelectorAll("[data-kb-figure]").forEach(el => {
                const key = el.getAttribute("data-kb-figure");
                out[key] = out[key] === undefined || out[key] === el.textContent
                    ? el.textContent : "DIFFERENT TEXTS FOR ONE KEY";
            });
            out.__hidden = document.querySelector("[data-kb-results]").hidden;
            return out;
        })""", inputs))


def compare(page: Page, spec: dict[str, Any], inputs: list[tuple[str, str]]) -> list[Any]:
    """Every difference between the page and the Python specification, for these inputs."""
    rate_keys = [f"{r['id']}.{s['index']}" for r in spec["regimens"] for s in r["steps"]]
    mismatches: list[Any] = []
    for (weight, concentration), shown in zip(inputs, shown_figures(page, inputs), strict=True):
        expected = calculate(spec, weight, dict.fromkeys(rate_keys, concentration))
        hidden = shown.pop("__hidden")
        if hidden != ("weight" not in expected):
            mismatches.append((weight, concentration, "results shown", not hidden))
        for key, text in shown.items():
            if text != expected.get(key, ""):
                mismatches.append((weight, concentration, key, text, expected.get(key)))
        missing = set(expected) - set(shown)
        if missing:
            mismatches.append((weight, concentration, "not on the page", sorted(missing)))
    return mismatches


def spec_of(data: Path, name: str) -> dict[str, Any]:
    kb = load_knowledge_base(data)
    return calculator_spec(next(m.monograph for m in kb.monographs
                                if m.monograph.generic_name == name))


def test_every_figure_matches_the_specification(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/")
    assert compare(page, spec_of(ROOT / "data", "ketamine"), KETAMINE_CASES) == []


@pytest.mark.parametrize("name", FIXTURES_CALCULATED)
def test_every_figure_of_the_new_constructs_matches(name: str, page: Page, formulary_url: str,
                                                    formulary_site: Path) -> None:
    """mcg/kg loading over 10 minutes and mcg/kg/hour (sedatomidine), mg/kg per 24 hours in
    divided doses with caps in g (paedicillin), units/kg with caps in units and a 24-hour cap on
    a rate (heparinoid), mcg/kg/minute and a % w/v strength (vasopressamine)."""
    page.goto(formulary_url + f"monographs/{name}/")
    spec = spec_of(formulary_site.parent / "data", name)
    assert spec["regimens"]
    assert compare(page, spec, FIXTURE_CASES) == []


def test_seventy_kg_on_the_page(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/")
    page.locator("#kb-weight").press_sequentially("70")
    results = page.locator("[data-kb-results]")
    expect(results).to_contain_text("10.5–21 mg")
    expect(results).to_contain_text("0.21–0.42 mL")
    expect(results).to_contain_text("0.11–0.21 mL")
    expect(results).to_contain_text("35 mg every 12 hours")
    expect(results).to_contain_text("Volume of 20 mg/mL compounded oral solution (example "
                                    "strength)")
    page.locator("#kb-conc-iv-bolus-and-infusion-1").press_sequentially("1")
    expect(results).to_contain_text("10.5–21 mL/hour")
    expect(page.locator("[data-kb-calculator] [aria-live]").first).to_be_attached()
    assert "supports and does not replace clinical judgement" in page.locator(
        "[data-kb-calculator]").inner_text()


def test_without_javascript_the_tables_remain(browser_no_js: Page, site_url: str) -> None:
    browser_no_js.goto(site_url + "monographs/ketamine/")
    expect(browser_no_js.locator("table.kb-doses")).to_contain_text("0.15–0.3 mg/kg/hour")
    expect(browser_no_js.locator("[data-kb-calc-form]")).to_be_hidden()
    expect(browser_no_js.locator("#kb-calculator")).to_contain_text(
        "The dose calculator needs JavaScript")


def test_calculator_script_is_small_and_local(built_site: Path) -> None:
    script = built_site / "javascripts" / "calculator.js"
    assert script.stat().st_size < 16_000
    assert "http" not in script.read_text(encoding="utf-8")


def test_calculator_shows_data_as_text_only(browser: Browser, tmp_path: Path) -> None:
    """The calculator lays out its results from data in the page: markup in that data stays
    text."""
    project = copy_project(tmp_path)
    path = project / "data" / "monographs" / "ketamine.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "      route: intravenous\n      indication: pain\n",
        "      route: intravenous\n      indication: \"pain\\\" onmouseover=\\\"alert(1)\"\n"
        "      population: {description: 'adults & \\u003cimg src=x onerror=alert(1)\\u003e'}\n"),
        encoding="utf-8")
    result = run_mkdocs_build(project / "mkdocs.yml", project / "site")
    assert result.returncode == 0, result.stderr
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((project / "site" / "monographs" / "ketamine" / "index.html").as_uri())
    page.locator("#kb-weight").press_sequentially("70")
    context_line = page.locator(".kb-calc-context").first
    expect(context_line).to_contain_text('For: pain" onmouseover="alert(1)')
    expect(context_line).to_contain_text("Population: adults & \\u003cimg")
    assert page.locator("[data-kb-results] img").count() == 0
    assert page.locator("[data-kb-results] [onmouseover]").count() == 0
    assert dialogs == []
    context.close()
