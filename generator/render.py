"""Render: validated data → Markdown pages, as a pure function of the data.

``render_page(loaded, kb)`` returns one monograph's ``(page path, markdown)`` and
``render_pages(kb)`` all of them; the MkDocs plugin only adds those pages to the build. All
computing (citation numbers, dose strings) happens here in Python; the Jinja templates only lay
out what they are given.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import calculator, doses, inline, model, units, vocabulary
from .citations import CitationMarker, number_citations
from .loader import KnowledgeBase, LoadedMonograph
from .model import ABSENT_WHEN_SILENT, DrugClass, Monograph, Regimen, Review, refuse_listing
from .references import Reference, format_ama

TEMPLATES = Path(__file__).parent / "templates"
MONOGRAPH_DIR = "monographs"
_INDEX_MARKERS = re.compile(r"<!-- kb:monograph-index(?::([A-Z#])|:class=([a-z0-9_-]+))? -->")
"""Where a monograph list goes: ``<!-- kb:monograph-index -->`` in a hand-written page (all
monographs, or in a large formulary the A–Z and drug-class links), ``<!-- kb:monograph-index:K
-->`` in an A–Z page, ``<!-- kb:monograph-index:class=ID -->`` in a drug-class page."""
LETTER_DIR = "az"
CLASS_DIR = "classes"
CLASS_INDEX = f"{CLASS_DIR}/index.md"
_CLASS_INDEX_MARKER = "<!-- kb:class-index -->"


def review_details(review: Review) -> str:
    """What follows the review status: ``; last reviewed …; next review due …; by …``."""
    parts = []
    if review.last_reviewed:
        parts.append(f"last reviewed {review.last_reviewed.isoformat()}")
    if review.next_review:
        parts.append(f"next review due {review.next_review.isoformat()}")
    if review.reviewed_by:
        parts.append(f"by {review.reviewed_by}")
    return "".join(f"; {p}" for p in parts)


def markdown_escape(text: str) -> Markup:
    """Plain words placed in Markdown (a heading): HTML-escaped, and every character Markdown or
    attr_list would act on backslash-escaped, so that a name can never become a link or an
    attribute. Quotes stay as they are: text needs no escape for them, and MkDocs would escape
    the '&' of ``&#39;`` again in the page title the theme shows in its header ("Hartmann&#39;s
    solution")."""
    escaped = html.escape(inline.one_line(text), quote=False)
    return Markup(re.sub(r"([\\`*_{}\[\]()#+\-.!|<>])", r"\\\1", escaped))


def _one_line_data(value: Any) -> Any:
    """Jinja's finalize: a data string (not markup the generator made) is put on one line before
    it is escaped, so that no value can start a line of the page."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return inline.one_line(value)
    return value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_one_line_data,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        vocabulary=vocabulary,
        NOT_STATED=vocabulary.NOT_STATED,
        format_route=doses.format_route,
        format_strength=doses.format_strength,
        format_qualifier=doses.format_qualifier,
        review_details=review_details,
        join_words=doses.join_words,
    )
    env.filters["labels"] = lambda codes, table: [
        getattr(table[c], "label", table[c]) if c in table else c for c in codes]
    env.filters["md_escape"] = markdown_escape
    return env


_ENV = _environment()


def render(template: str, **context: Any) -> str:
    """Render one template with an explicit context."""
    return _ENV.get_template(template).render(**context)


def tidy_markdown(text: str) -> str:
    """Left-align every line (an indented HTML line would be a code block in Markdown), drop
    blank lines inside HTML, and keep a blank line around each Markdown heading."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if out and out[-1]:  # one blank line between two headings, not two
                out.append("")
            out.extend([line, ""])
        else:
            out.append(line)
    return "\n".join(out).strip() + "\n"


_PLACEHOLDER = "KBHTMLBLOCK{:05d}"
_PLACEHOLDER_IN_HTML = re.compile(r"<p>KBHTMLBLOCK(\d{5})</p>")


def stash_html_blocks(markdown: str) -> tuple[str, list[str]]:
    """Take the HTML blocks out of a generated page, leaving a placeholder paragraph for each.

    The generator writes finished HTML between its Markdown headings; Python-Markdown would parse
    all of it again to find where each block ends (most of a 500-page build). Headings stay
    Markdown, so the table of contents and the search sections are unchanged."""
    out: list[str] = []
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            out.append(_PLACEHOLDER.format(len(blocks)))
            blocks.append("\n".join(current))
            current.clear()

    for line in markdown.splitlines():
        if line.startswith("#") or not line.strip():
            flush()
            out.append(line)
        else:
            current.append(line)
    flush()
    return "\n".join(out) + "\n", blocks


def restore_html_blocks(html: str, blocks: list[str]) -> str:
    """Put the stashed blocks back into the converted page."""
    return _PLACEHOLDER_IN_HTML.sub(lambda m: blocks[int(m.group(1))], html)


class InlineRenderer:
    """Turns a text field into safe HTML: escaped words, citations, links, doses, strengths."""

    def __init__(self, monograph: Monograph, cite: CitationMarker) -> None:
        self.monograph = monograph
        self.cite = cite

    def __call__(self, text: str | None) -> Markup:
        """Safe HTML for one text field (already validated by the schema)."""
        if text is None:
            return Markup("")
        tokens = inline.tokens(text)
        if len(tokens) == 1 and tokens[0].kind == "text":  # most text: words alone
            return Markup(inline.one_line(str(escape(tokens[0].text))))
        out: list[Markup] = []
        for token in tokens:
            if token.kind == "text":
                out.append(escape(token.text))
            elif token.kind == "cite":
                out.append(self.cite(token.keys))
            elif token.kind == "strong":
                out.append(Markup(f"<strong>{escape(token.text)}</strong>"))
            elif token.kind == "em":
                out.append(Markup(f"<em>{escape(token.text)}</em>"))
            elif token.kind == "link":
                target = token.target
                if target.startswith("monograph:"):
                    target = f"../{target.removeprefix('monograph:')}/"
                out.append(Markup(f'<a href="{escape(target)}">{escape(token.text)}</a>'))
            elif token.kind == "dose":
                quantity = inline.parse_quantity(token.text)
                out.append(Markup('<span class="kb-dose">'
                                  f'{escape(doses.format_amount(quantity.value, quantity.unit))}'
                                  '</span>'))
            elif token.kind == "strength":
                form = self.monograph.dosage_form(token.target)
                assert form is not None  # the loader checked every {strength: id}
                out.append(Markup('<span class="kb-dose">'
                                  f'{escape(doses.format_strengths(form.strengths))}</span>'))
        # a citation after a space sits against the word it supports, as in print
        html = inline.one_line(str(Markup("").join(out)))
        if '<sup class="kb-cite"' in html:
            html = re.sub(r"\s+(<sup class=\"kb-cite\")", r"\1", html)
        return Markup(html)


def dose_rows(regimen: Regimen) -> list[dict[str, Any]]:
    """The dose table's rows of one regimen: each cell's words from the one dose formatter."""
    rows = []
    for step in regimen.steps:
        dose = doses.format_dose(step.dose)
        given = doses.format_administration(step)
        rows.append({
            "kind": vocabulary.DOSE_KINDS[step.kind].capitalize(),
            "dose": f"{dose} {given}" if given else dose,
            "limits": doses.step_limits(step),
            "titration": doses.format_titration(step.titration),
            "timing": doses.format_frequency(step, regimen),
            "notes": step.notes,
        })
    return rows


def calculator_view(monograph: Monograph, cite: CitationMarker) -> dict[str, Any]:
    """The calculator's spec and the words of its results, computed here; the page's script
    lays the results out. Regimens it cannot calculate are listed with the reason."""
    spec = calculator.calculator_spec(monograph)
    by_id = {r.id: r for r in monograph.dosing.regimens} if monograph.dosing else {}
    regimens = []
    for entry in spec["regimens"]:
        regimen = by_id[entry["id"]]
        steps = []
        for step_spec in entry["steps"]:
            step = regimen.steps[step_spec["index"]]
            unit = step.dose.typed_unit
            amount = step_spec["amount_unit"]
            labels = {key: calculator.strength_label(form, i) for key, form, i, _ in
                      calculator.strengths_for(monograph, regimen,
                                               units.UNITS[unit.amount_code])}
            rate = unit.is_rate or "over_minutes" in step_spec
            timing = doses.format_timing(step)
            steps.append(calculator.compact({
                "key": f"{regimen.id}.{step_spec['index']}",
                "kind": vocabulary.DOSE_KINDS[step.kind].capitalize(),
                "per_kg": doses.format_dose(step.dose),
                "timing": " ".join(w for w in (doses.format_administration(step), timing)
                                   if w and w != vocabulary.NOT_STATED),
                "divided": (f"in {step.divided_into} divided doses" if step.divided_into
                            else ""),
                "concentration": (f"Concentration of the prepared infusion, {amount}/mL"
                                  if rate else ""),
                "concentration_help": ("The source names no concentration: enter the one "
                                       "your local protocol uses." if rate else ""),
                "rate_label": ("Rate" if unit.is_rate else
                               f"Rate to give it over {doses.format_duration(step.over)}"
                               if step.over else ""),
                "volumes": [{"key": s["key"], "label": labels[s["key"]]}
                            for s in step_spec.get("strengths", [])],
                "stock_note": ("Volume of stock solution; dilute and give by local protocol."
                               if step_spec.get("strengths") and regimen.route in
                               calculator.PARENTERAL else ""),
            }))
        regimens.append({
            "title": doses.format_regimen(regimen),
            "qualifier": doses.format_qualifier(regimen.qualifier),
            "cite_html": str(cite(regimen.citations, backlink=False)),
            "indication": regimen.indication or vocabulary.NOT_STATED,
            "population": (doses.format_population(regimen.population) if regimen.population
                           else vocabulary.NOT_STATED),
            "steps": steps,
        })
    skipped = []
    all_steps = [(r, s) for r in (monograph.dosing.regimens if monograph.dosing else [])
                 for s in r.steps]
    for regimen, step in all_steps:
        reason = calculator.not_calculated(step)
        if reason and step.dose.typed_unit.per_body is not None:
            skipped.append(f"{doses.format_route(regimen.route)} "
                           f"{vocabulary.DOSE_KINDS[step.kind]} "
                           f"{doses.format_dose(step.dose)}: {reason}.")
    if all_steps and not regimens and not skipped:
        skipped.append("none of these doses is per kg of body weight, so there is nothing to "
                       "calculate.")
    return {"regimens": regimens, "not_calculated": skipped,
            "spec_json": calculator.script_json(spec),
            "view_json": calculator.script_json({"regimens": regimens,
                                               "rounding": calculator.ROUNDING_NOTE})}


SECTION_TITLES = {
    "boxed_warning": "Boxed warning",
    "introduction": "Introduction",
    "mechanism_of_action": "Mechanism of action",
    "contraindications": "Contraindications",
    "cautions": "Cautions",
    "warnings_and_precautions": "Warnings and precautions",
    "interactions": "Interactions",
    "adverse_effects": "Adverse effects",
    "dosing": "Dosing and administration considerations",
    "renal_impairment": "Renal impairment",
    "hepatic_impairment": "Hepatic impairment",
    "pregnancy_and_breastfeeding": "Pregnancy and breastfeeding",
    "dosage_forms": "Dosage forms",
    "storage_and_stability": "Storage and stability",
    "compatibility": "Compatibility",
    "monitoring": "Monitoring",
    "pharmacokinetics": "Pharmacokinetics",
    "overdose": "Overdose",
    "summary": "Summary",
}
"""Each section's heading (its anchor is its field name with hyphens)."""


def render_monograph(monograph: Monograph, references: dict[str, Reference], *,
                     source: str, classes: dict[str, DrugClass] | None = None,
                     formatted: dict[str, Markup] | None = None) -> str:
    """The Markdown page of one monograph. ``formatted`` keeps each reference's AMA text for
    the build, since monographs share their references."""
    refuse_listing(monograph, source)
    formatted = {} if formatted is None else formatted

    def format_reference(ref: Reference) -> Markup:
        if ref.id not in formatted:
            formatted[ref.id] = format_ama(ref)
        return formatted[ref.id]

    numbers = number_citations(monograph)
    cite = CitationMarker(numbers)
    md = InlineRenderer(monograph, cite)
    cited = sorted(numbers, key=numbers.__getitem__)
    classes = classes or {}
    sections = [(name, SECTION_TITLES[name], name.replace("_", "-"))
                for name in monograph.section_order if monograph.section(name) is not None]
    seen: dict[str, int] = {}
    group_anchors = []
    for group in monograph.adverse_effects.groups if monograph.adverse_effects else []:
        anchor = f"adverse-effects-{group.system}"
        seen[anchor] = seen.get(anchor, 0) + 1
        group_anchors.append(anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}")
    page = render(
        "monograph.md.j2",
        calculator=calculator_view(monograph, cite),
        m=monograph,
        md=md,
        cite=cite,
        source=source,
        sections=sections,
        group_anchors=group_anchors,
        class_labels=[classes[c].label if c in classes else c for c in monograph.drug_classes],
        format_regimen=doses.format_regimen,
        dose_rows=dose_rows,
        format_population=doses.format_population,
        format_conversion=doses.format_conversion,
        regimen_limits=doses.regimen_limits,
        absent=[(name, SECTION_TITLES[name]) for name in ABSENT_WHEN_SILENT
                if monograph.section(name) is None],
        references=[(numbers[k], references[k]) for k in cited],
        format_reference=format_reference,
    )
    return tidy_markdown(page)


def monograph_path(monograph: Monograph) -> str:
    """Where a monograph's page lives in the site."""
    return f"{MONOGRAPH_DIR}/{monograph.slug}.md"


def letter_of(monograph: Monograph) -> str:
    """The A–Z letter a monograph is listed under."""
    first = monograph.title[:1].upper()
    return first if "A" <= first <= "Z" else "#"


def letter_path(letter: str) -> str:
    """The page that lists the monographs of one letter."""
    return f"{LETTER_DIR}/{'other' if letter == '#' else letter.lower()}.md"


def render_letter_pages(kb: KnowledgeBase, *, include_drafts: bool) -> dict[str, str]:
    """One A–Z page per letter, each holding the marker its list replaces."""
    letters = sorted({letter_of(m.monograph) for m in kb.published(include_drafts=include_drafts)})
    return {letter_path(letter): f"# Monographs: {letter}\n\n<!-- kb:monograph-index:{letter} -->\n"
            for letter in letters}


def class_path(class_id: str) -> str:
    """The page that lists the monographs of one drug class."""
    return f"{CLASS_DIR}/{class_id.replace('_', '-')}.md"


def classes_in_use(kb: KnowledgeBase, *, include_drafts: bool) -> list[tuple[DrugClass, int]]:
    """The drug classes that published monographs name, by label, with how many name each."""
    counts: dict[str, int] = {}
    for m in kb.published(include_drafts=include_drafts):
        for c in m.monograph.drug_classes:
            if c in kb.classes:
                counts[c] = counts.get(c, 0) + 1
    return sorted(((kb.classes[c], n) for c, n in counts.items()),
                  key=lambda pair: pair[0].label.lower())


def render_class_pages(kb: KnowledgeBase, *, include_drafts: bool) -> dict[str, str]:
    """A page per drug class in use (from data/drug-classes.yaml), and the list of classes."""
    pages = {class_path(c.id): f"# {markdown_escape(c.label)}\n\nMonographs of the drug class "
                               f"{markdown_escape(c.label)}"
                               f"{f' (ATC {c.atc})' if c.atc else ''}.\n\n"
                               f"<!-- kb:monograph-index:class={c.id} -->\n"
             for c, _ in classes_in_use(kb, include_drafts=include_drafts)}
    if pages:
        pages[CLASS_INDEX] = f"# Drug classes\n\n{_CLASS_INDEX_MARKER}\n"
    return pages


def render_index(kb: KnowledgeBase, *, include_drafts: bool, url_for: Callable[[str], str],
                 letter: str | None = None, class_id: str | None = None) -> str:
    """The table of monographs (of one letter, of one class, or all) for the page it is shown
    on. ``url_for`` turns a page path into the link from the page the list is shown on."""
    entries = [(url_for(monograph_path(m.monograph)), m.monograph)
               for m in kb.published(include_drafts=include_drafts)
               if (letter is None or letter_of(m.monograph) == letter)
               and (class_id is None or class_id in m.monograph.drug_classes)]
    return tidy_markdown(render("index.md.j2", entries=entries, classes=kb.classes))


def monograph_count(n: int) -> str:
    """``1 monograph``, ``12 monographs``."""
    return f"{n} monograph{'' if n == 1 else 's'}"


def render_browse(kb: KnowledgeBase, *, include_drafts: bool,
                  url_for: Callable[[str], str]) -> str:
    """The home page of a large formulary: links to the A–Z pages and the drug-class pages,
    each with how many monographs it lists, instead of a table of every monograph."""
    published = kb.published(include_drafts=include_drafts)
    letters: dict[str, int] = {}
    for m in published:
        letters[letter_of(m.monograph)] = letters.get(letter_of(m.monograph), 0) + 1
    return tidy_markdown(render(
        "browse.md.j2", total=len(published),
        letters=[(url_for(letter_path(k)), k,
                  f"{'Other' if k == '#' else k}: {monograph_count(n)}")
                 for k, n in sorted(letters.items())],
        classes=[(url_for(class_path(c.id)), c.label, n)
                 for c, n in classes_in_use(kb, include_drafts=include_drafts)]))


def fill_index_markers(markdown: str, kb: KnowledgeBase, *, include_drafts: bool,
                       url_for: Callable[[str], str], browse: bool = False,
                       stash: list[str] | None = None) -> str:
    """Replace each monograph-list marker (``content/index.md``, the A–Z and drug-class pages)
    with its table; with ``browse`` (a large formulary), the home page's marker with the A–Z and
    drug-class links rather than every monograph. With ``stash``, each list (finished HTML) is
    put there and a placeholder paragraph in its place, for ``restore_html_blocks`` to put it
    back once Python-Markdown has converted the page: parsing the HTML of the A–Z and
    drug-class pages' lists took that a second and a half at 2,000 monographs."""
    def put(html: str) -> str:
        if stash is None:
            return html
        stash.append(html)
        return f"\n\n{_PLACEHOLDER.format(len(stash) - 1)}\n\n"

    if _CLASS_INDEX_MARKER in markdown:
        markdown = markdown.replace(_CLASS_INDEX_MARKER, put(tidy_markdown(render(
            "classes.md.j2", classes=[
                (url_for(class_path(c.id)), c.label,
                 f"{f' (ATC {c.atc})' if c.atc else ''}: {monograph_count(n)}")
                for c, n in classes_in_use(kb, include_drafts=include_drafts)]))))

    def fill(marker: re.Match[str]) -> str:
        letter, class_id = marker.group(1), marker.group(2)
        if browse and not (letter or class_id):
            return put(render_browse(kb, include_drafts=include_drafts, url_for=url_for))
        return put(render_index(kb, include_drafts=include_drafts, url_for=url_for,
                                letter=letter, class_id=class_id))

    return _INDEX_MARKERS.sub(fill, markdown)


def render_new_monograph(generic_name: str, *, today: str) -> str:
    """The commented skeleton ``kb new`` writes, its comments taken from the schema."""
    def doc(record: str, field: str) -> str:
        description = getattr(model, record).model_fields[field].description or ""
        return " ".join(description.split())

    title = generic_name[:1].upper() + generic_name[1:]
    yaml_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                  undefined=jinja2.StrictUndefined, autoescape=False,
                                  keep_trailing_newline=True)
    return yaml_env.get_template("new_monograph.yaml.j2").render(
        generic_name=generic_name, title=title, doc=doc, vocab=vocabulary, today=today)


def render_pages(kb: KnowledgeBase, *, include_drafts: bool) -> dict[str, str]:
    """Every generated page: ``{path inside the site's docs: markdown}``."""
    formatted: dict[str, Markup] = {}
    return dict(render_page(m, kb, formatted=formatted)
                for m in kb.published(include_drafts=include_drafts))


def render_page(loaded: LoadedMonograph, kb: KnowledgeBase, *,
                formatted: dict[str, Markup] | None = None) -> tuple[str, str]:
    """One monograph's page: ``(path inside the site's docs, markdown)``; ``formatted`` keeps
    each reference's AMA text between pages."""
    m = loaded.monograph
    return monograph_path(m), render_monograph(m, kb.references, source=loaded.source.name,
                                               classes=kb.classes, formatted=formatted)
