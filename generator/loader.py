"""Load and validate everything in ``data/`` before anything is written.

All files are read, every schema error collected with its file, line and column, then the
cross-checks run (citations resolve, works are not entered twice, files are named after their
drug). Problems are raised together as one :class:`~generator.errors.DataError`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import types
import typing
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import inline, vocabulary
from .citations import iter_cited_keys, number_citations
from .editorfiles import is_editor_file
from .errors import DataError, Problem, display_path
from .model import (
    BODY_SECTIONS,
    SKELETON_SOURCE,
    DrugClass,
    Monograph,
    SearchTerms,
    is_empty,
    iter_strings,
    listing,
)
from .parallel import apart, in_halves, in_shares, splits
from .references import Reference, duplicate_identity
from .yamlsource import (
    LIBRARY_SCALE,
    Path_,
    YamlDocument,
    YamlReadError,
    format_path,
    read_yaml,
)

REFERENCES_FILE = "references.yaml"
CLASSES_FILE = "drug-classes.yaml"
SEARCH_TERMS_FILE = "search-terms.yaml"
MONOGRAPHS_DIR = "monographs"


@dataclass
class LoadedMonograph:
    """A validated monograph and the file it came from."""

    monograph: Monograph
    source: Path
    cited: frozenset[str] = frozenset()
    """The reference keys it cites (for the uncited-reference warning)."""


@dataclass
class KnowledgeBase:
    """Everything in ``data/``, validated."""

    monographs: list[LoadedMonograph]
    references: dict[str, Reference]
    warnings: list[Problem] = field(default_factory=list)
    classes: dict[str, DrugClass] = field(default_factory=dict)
    search_terms: SearchTerms = field(default_factory=SearchTerms)

    def published(self, *, include_drafts: bool) -> list[LoadedMonograph]:
        """The monographs a build shows, in title order."""
        chosen = [m for m in self.monographs
                  if include_drafts or m.monograph.status != "draft"]
        return sorted(chosen, key=lambda m: m.monograph.title.lower())


def load_knowledge_base(data_dir: Path, *, today: dt.date | None = None,
                        only: list[Path] | None = None) -> KnowledgeBase:
    """Read and check all of ``data_dir``; raise :class:`DataError` listing every problem."""
    return _load_all(data_dir, today=today, only=only, keep=True)[0]


@dataclass
class CheckReport:
    """What ``kb validate`` reports when nothing is wrong."""

    monographs: int
    references: int
    warnings: list[Problem]


def check_knowledge_base(data_dir: Path, *, today: dt.date | None = None,
                         only: list[Path] | None = None) -> CheckReport:
    """Check all of ``data_dir`` as :func:`load_knowledge_base` does, and raise the same
    :class:`DataError`, without keeping the records: the second process then sends back its
    findings, not a thousand monographs to unpickle."""
    kb, checked = _load_all(data_dir, today=today, only=only, keep=False)
    return CheckReport(checked, len(kb.references), kb.warnings)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while reading: it would scan every record already read
    again and again (a fifth of the time at 2,000 monographs; half the reading of a library of
    3,000 references), and reading makes no cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class IdPlaces:
    """Where each work's id stands in the reference library, for the warning that names a work
    no monograph cites: kept instead of the file's node tree and data, which held 42 MiB for
    3,050 works while every monograph was read (and, forked, in both processes)."""

    file: str
    places: dict[str, tuple[Path_, int, int]]
    """Each id: its path in the file, line and column."""


class Shared(typing.NamedTuple):
    """What every monograph is checked and rendered against."""

    references: dict[str, tuple[Reference, Path_]]
    """The reference library: each work with where it stands."""
    id_places: IdPlaces | None
    """Where the library's ids stand."""
    classes: dict[str, DrugClass]
    """The drug classes."""
    search_terms: SearchTerms
    """The search's spellings, abbreviations and look-alike names."""
    reference_ids: dict[str, None] | None
    """The id of every work the library's file holds, in file order, those with a problem of
    their own too: a monograph citing one is not also told the work is missing (adding it
    again, as that would suggest, would write it twice). None when the file could not be read:
    its problem is then the one to mend, and no citation is checked."""
    class_ids: dict[str, None] | None
    """The same, for the drug classes (empty when there is no file: no classes yet)."""


def _shared(data_dir: Path, problems: list[Problem]) -> Shared:
    reference_ids: dict[str, None] = {}
    class_ids: dict[str, None] = {}
    references, id_places = _load_references(data_dir / REFERENCES_FILE, problems,
                                             reference_ids)
    classes = _load_classes(data_dir / CLASSES_FILE, problems, class_ids)
    search_terms = _load_search_terms(data_dir / SEARCH_TERMS_FILE, problems)
    return Shared(references, id_places, classes or {}, search_terms,
                  reference_ids if id_places is not None else None,
                  class_ids if classes is not None else None)


def _shared_apart(data_dir: Path, problems: list[Problem]) -> Shared:
    """:func:`_shared`, read in a process of its own when the monographs are shared with a
    second process: reading the reference library (2.5 MB of YAML for 3,050 works) took
    40 MiB that this process kept, and that the second process, forked after it, counted
    again; what is kept of it is a fifth of that."""
    def read() -> tuple[Shared, list[Problem]]:
        found: list[Problem] = []
        return _shared(data_dir, found), found

    shared, found = apart(read)
    problems += found
    return shared


def _monograph_paths(data_dir: Path, only: list[Path] | None, problems: list[Problem]
                     ) -> list[Path]:
    monograph_dir = data_dir / MONOGRAPHS_DIR
    problems += account_for_files(data_dir)
    paths = _yaml_files(monograph_dir, data_dir.resolve()) if monograph_dir.is_dir() else []
    if only:
        wanted = {p.resolve() for p in only}
        known = {p.resolve() for p in paths}
        problems += [Problem(display_path(p), 1, 1, "", f"not a monograph in {monograph_dir}/; "
                                                        "monographs are the .yaml files there")
                     for p in only if p.resolve() not in known]
        paths = [p for p in paths if p.resolve() in wanted]
    return paths


@collector_paused()
def _load_all(data_dir: Path, *, today: dt.date | None, only: list[Path] | None,
              keep: bool) -> tuple[KnowledgeBase, int]:
    """Everything in ``data_dir`` (its monographs only when ``keep``) and how many monographs
    were checked."""
    problems: list[Problem] = []
    shared = _shared(data_dir, problems)
    paths = _monograph_paths(data_dir, only, problems)
    loaded = _load_monographs(paths, references=shared.reference_ids, classes=shared.class_ids,
                              today=today or dt.date.today(), keep=keep)
    return _finished(problems, loaded, shared, whole=not only), len(loaded[1])


def _finished(problems: list[Problem], loaded: Loaded, shared: Shared, *,
              whole: bool) -> KnowledgeBase:
    """The knowledge base read, or the :class:`DataError` of every problem found (those of the
    shared files and of the folder first, then each monograph's, in file order); when
    ``whole`` (every monograph was read), with a warning for each reference none cites."""
    monographs, cited, found, warnings = loaded
    references, id_places, classes, search_terms, _, _ = shared
    if whole and id_places is not None:
        warnings = warnings + _uncited(cited, id_places)
    if problems or found:
        raise DataError(problems + found)
    return KnowledgeBase(monographs, {r.id: r for r, _ in references.values()}, warnings,
                         classes, search_terms)


Rendered = TypeVar("Rendered")


def load_and_render(data_dir: Path,
                    render: Callable[[KnowledgeBase, Iterable[LoadedMonograph]], Rendered], *,
                    today: dt.date | None = None) -> tuple[KnowledgeBase, list[Rendered]]:
    """For a build: read and check all of ``data_dir`` as :func:`load_knowledge_base` does, and
    raise the same :class:`DataError`; but hand each monograph, as soon as it is read and
    checked, to ``render`` in the process that read it (half of them in a second process, from
    200), and keep of it only its :class:`~generator.model.Listing`. No process ever holds every
    record (2,000 held 150 MiB, and a second process forked to render them counted them again),
    and none is sent from one process to the other.

    ``render(kb, monographs)`` is called once for each half with the knowledge base as far as
    it is known (references, drug classes, search terms; no monographs yet) and that half's
    monographs, to iterate once; its results come back in order, one for each half. A
    monograph is handed on only while its half has found no problem: once any file has one,
    nothing will be published, and the rest are only checked."""
    problems: list[Problem] = []
    paths_problems: list[Problem] = []
    paths = _monograph_paths(data_dir, None, paths_problems)
    shared = (_shared_apart if splits(len(paths)) else _shared)(data_dir, problems)
    problems += paths_problems
    references, _, classes, search_terms, reference_ids, class_ids = shared
    known = KnowledgeBase([], {r.id: r for r, _ in references.values()}, [], classes,
                          search_terms)
    day = today or dt.date.today()

    def half(chunk: Sequence[Path]) -> tuple[Loaded, Rendered]:
        found: list[Problem] = []
        warnings: list[Problem] = []
        listed: list[LoadedMonograph] = []

        def checked() -> Iterator[LoadedMonograph]:
            for path in chunk:
                loaded = _load_monograph(path, references=reference_ids, classes=class_ids,
                                         problems=found, warnings=warnings, today=day)
                if loaded is None:
                    continue
                listed.append(dataclasses.replace(loaded, monograph=listing(loaded.monograph)))
                if not found and not problems:
                    yield loaded

        monographs = checked()
        rendered = render(known, monographs)
        for _ in monographs:  # whatever render left: every file is checked
            pass
        return (listed, [m.cited for m in listed], found, warnings), rendered

    halves = in_halves(paths, half)
    kb = _finished(problems, _joined([loaded for loaded, _ in halves]), shared, whole=True)
    return kb, [rendered for _, rendered in halves]


Loaded = tuple[list[LoadedMonograph], list[frozenset[str]], list[Problem], list[Problem]]
"""Monographs read and checked (none when not kept), the keys each one read cites, and the
problems and warnings found, in file order."""


def _load_monographs(paths: list[Path], *, references: Collection[str] | None,
                     classes: Collection[str] | None, today: dt.date, keep: bool) -> Loaded:
    """Read and check monographs, shared with a second process when there are many: the
    same results, in the same order, as reading them all here."""
    def load(chunk: Sequence[Path]) -> Loaded:
        problems: list[Problem] = []
        warnings: list[Problem] = []
        monographs = [m for p in chunk
                      if (m := _load_monograph(p, references=references, classes=classes,
                                               problems=problems, warnings=warnings,
                                               today=today))]
        return (monographs if keep else [], [m.cited for m in monographs], problems, warnings)

    return _joined(in_shares(paths, load))


def _joined(shares: Sequence[Loaded]) -> Loaded:
    """What the shares of the monographs found, in their order."""
    return ([m for h in shares for m in h[0]], [c for h in shares for c in h[1]],
            [p for h in shares for p in h[2]], [w for h in shares for w in h[3]])


def load_monograph(path: Path, kb: KnowledgeBase, *, today: dt.date | None = None
                   ) -> tuple[LoadedMonograph, list[Problem]]:
    """Read and check one monograph against the rest of an already loaded ``kb`` (its
    references and drug classes), as :func:`load_knowledge_base` would: a preview re-reads
    only the file that changed. Returns it with its warnings; raises :class:`DataError`."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    loaded = _load_monograph(path, references=kb.references, classes=kb.classes,
                             problems=problems, warnings=warnings,
                             today=today or dt.date.today())
    if problems or loaded is None:
        raise DataError(problems or [Problem(display_path(path), 1, 1, "", "file not found")])
    return loaded, warnings


KNOWN_FOLDERS = {MONOGRAPHS_DIR: "monographs", "schema": "exported JSON Schema",
                 "sources": "source documents"}
"""The folders of data/ and what each holds; everything else in data/ is an error."""


def _yaml_files(folder: Path, root: Path) -> list[Path]:
    """The ``.yaml`` files in ``folder`` that are files in the folder ``root`` (already
    resolved), links followed, but not editors' working files; sorted. Only a link is resolved
    on its own: any other file is where its folder is (resolving each of 2,000 took 0.05 s)."""
    folder_inside = _inside(folder, root)
    with os.scandir(folder) as entries:
        found = [folder / entry.name for entry in entries
                 if entry.name.endswith(".yaml") and not is_editor_file(entry.name)
                 and entry.is_file()
                 and (_inside(Path(entry.path), root) if entry.is_symlink() else folder_inside)]
    return sorted(found)


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links followed, is in the folder ``root`` (already resolved)."""
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def account_for_files(data_dir: Path, paths: Iterable[Path] | None = None) -> list[Problem]:
    """Every file in ``data/`` (or each of ``paths`` in it) is one the build reads or one it
    knows to leave alone; anything else (a monograph saved as .yml, a subfolder, a link to a
    file outside) is an error rather than silently skipped."""
    out = []

    shown = display_path(data_dir)

    def problem(path: Path, message: str) -> None:  # named as found, not where a link leads
        out.append(Problem(f"{shown}/{path.relative_to(data_dir).as_posix()}", 1, 1, "",
                           message))

    if not data_dir.is_dir():
        return out
    for path in sorted(data_dir.rglob("*") if paths is None else paths):
        relative = path.relative_to(data_dir)
        if is_editor_file(path):
            continue  # Vim's swap file of a monograph open in it, say: not the editor's work
        if path.is_symlink() and not _inside(path, data_dir.resolve()):
            problem(path, "is a link to a file outside data/; copy the file in instead")
            continue
        top = relative.parts[0]
        if len(relative.parts) == 1:
            if path.is_dir() and top in KNOWN_FOLDERS:
                continue
            if path.name in (REFERENCES_FILE, CLASSES_FILE, SEARCH_TERMS_FILE):
                continue
            problem(path, f"is not a file the build reads: data/ holds {REFERENCES_FILE}, "
                          f"{CLASSES_FILE}, {SEARCH_TERMS_FILE} and the folders "
                          f"{', '.join(KNOWN_FOLDERS)}; move it out of data/")
        elif top == MONOGRAPHS_DIR:
            if path.is_dir():
                problem(path, "monographs are not read from subfolders; move its files up into "
                              "data/monographs/")
            elif len(relative.parts) > 2:
                continue  # reported with its folder
            elif path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml":
                problem(path, f"a monograph file ends in .yaml; rename it "
                              f"{path.stem}.yaml")
            elif path.suffix != ".yaml":
                problem(path, "only monographs (.yaml files) belong in data/monographs/; move it "
                              "out")
        elif top == "schema" and path.suffix != ".json":
            problem(path, "data/schema/ holds only the JSON Schema that kb schema writes; move "
                          "it out")
    return out


def _read(path: Path, problems: list[Problem], *, scale: int = 1) -> YamlDocument | None:
    if not path.is_file():
        problems.append(Problem(display_path(path), 1, 1, "", "file not found"))
        return None
    try:
        return read_yaml(path, scale=scale)
    except YamlReadError as e:
        problems.append(e.problem)
        return None


Record = TypeVar("Record", Reference, DrugClass)


def _load_list(doc: YamlDocument, model: type[Record], noun: str, problems: list[Problem],
               ids: dict[str, None]) -> dict[str, tuple[Record, Path_]]:
    """A YAML list of records (``- id: …``), each validated, each id once: id → (record, where).
    ``ids`` gets the id of every item that has one, in order, whether it is valid or not."""
    if not isinstance(doc.data, list):
        problems.append(doc.problem((), f"the {noun}s are a list, each item starting with "
                                        "'- id: name'"))
        return {}
    out: dict[str, tuple[Record, Path_]] = {}
    for i, item in enumerate(doc.data):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            ids[item["id"]] = None
        try:
            record = model.model_validate(item)
        except ValidationError as e:
            problems.extend(problems_from_validation(doc, e, model, (i,)))
            continue
        if record.id in out:
            line = doc.position((out[record.id][1][0], "id"))[0]
            problems.append(doc.problem((i, "id"), f"{noun} id '{record.id}' is used twice "
                                                   f"(first at line {line}); give each its own "
                                                   "id"))
            continue
        out[record.id] = (record, (i,))
    return out


def _load_references(path: Path, problems: list[Problem], ids: dict[str, None]
                     ) -> tuple[dict[str, tuple[Reference, Path_]], IdPlaces | None]:
    doc = _read(path, problems, scale=LIBRARY_SCALE)
    if doc is None:
        return {}, None
    out = _load_list(doc, Reference, "reference", problems, ids)
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for ref, (i,) in out.values():
        for kind, identity in duplicate_identity(ref):
            if (kind, identity) in seen:
                first_id, first_line = seen[(kind, identity)]
                problems.append(doc.problem(
                    (i,), f"'{ref.id}' is the same work as '{first_id}' (line {first_line}): "
                          f"same {kind}; keep one entry and cite it by one key"))
                break
        else:
            for kind, identity in duplicate_identity(ref):
                seen[(kind, identity)] = (ref.id, doc.position((i,))[0])
    return out, IdPlaces(doc.file, {key: ((*where, "id"), *doc.position((*where, "id")))
                                    for key, (_, where) in out.items()})


def _load_classes(path: Path, problems: list[Problem], ids: dict[str, None]
                  ) -> dict[str, DrugClass] | None:
    """The drug classes editors define; a missing file means no classes yet, and a file that
    cannot be read gives None."""
    if not path.exists():
        return {}
    doc = _read(path, problems)
    if doc is None:
        return None
    loaded = _load_list(doc, DrugClass, "drug class", problems, ids)
    labels: dict[str, tuple[str, int]] = {}
    for key, (record, (i, *_)) in loaded.items():
        shown = record.label.casefold()
        if shown in labels:
            first, line = labels[shown]
            problems.append(doc.problem((i, "label"), f"'{record.label}' is the label of "
                                                      f"'{first}' too (line {line}): the pages "
                                                      "would show two classes alike; give each "
                                                      "its own label"))
        else:
            labels[shown] = (key, doc.position((i, "label"))[0])
    return {key: record for key, (record, _) in loaded.items()}


def _load_search_terms(path: Path, problems: list[Problem]) -> SearchTerms:
    """The search's spellings, abbreviations and look-alike names; a missing file means none."""
    doc = _read(path, problems) if path.exists() else None
    if doc is None:
        return SearchTerms()
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), "search-terms.yaml holds the fields spellings, "
                                        "abbreviations and look_alike_names"))
        return SearchTerms()
    try:
        terms = SearchTerms.model_validate(doc.data)
    except ValidationError as e:
        problems.extend(problems_from_validation(doc, e, SearchTerms))
        return SearchTerms()
    first: dict[str, int] = {}
    for i, entry in enumerate(terms.abbreviations):
        key = entry.abbreviation.lower()
        if key in first:
            line = doc.position(("abbreviations", first[key]))[0]
            problems.append(doc.problem(
                ("abbreviations", i, "abbreviation"),
                f"abbreviation '{entry.abbreviation}' is listed twice (first at line {line}, "
                "whatever its case); give all its meanings in that one entry"))
        first.setdefault(key, i)
    rules: dict[tuple[str, str], int] = {}
    for i, rule in enumerate(terms.spellings):
        if (rule.british, rule.where) in rules:
            line = doc.position(("spellings", rules[(rule.british, rule.where)]))[0]
            problems.append(doc.problem(("spellings", i, "british"),
                                        f"the spelling '{rule.british}' is listed twice "
                                        f"(first at line {line}); keep one rule"))
        rules.setdefault((rule.british, rule.where), i)
    return terms


def _load_monograph(path: Path, *, references: Collection[str] | None,
                    classes: Collection[str] | None,
                    problems: list[Problem], warnings: list[Problem],
                    today: dt.date) -> LoadedMonograph | None:
    doc = _read(path, problems)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), "a monograph is a group of fields starting with "
                                        "'title:'; this file is empty or not one"))
        return None
    try:
        monograph = Monograph.model_validate(doc.data)
    except ValidationError as e:
        problems.extend(problems_from_validation(doc, e, Monograph))
        return None
    before = len(problems)
    expected = f"{monograph.slug}.yaml"
    if path.name != expected:
        problems.append(doc.problem(("generic_name",), f"the file for '{monograph.generic_name}' "
                                                       f"must be named {expected}; rename the "
                                                       "file or correct generic_name"))
    if monograph.status == "published" and monograph.provenance.based_on == SKELETON_SOURCE:
        problems.append(doc.problem(("provenance", "based_on"),
                                    f"still says '{SKELETON_SOURCE}'; name the source before "
                                    "publishing"))
    strings = list(iter_strings(monograph))  # one walk, for citations and strengths
    cited = list(iter_cited_keys(monograph, strings=strings))
    number_citations(monograph, cited)  # kept for the page and its exports
    # None: the shared file could not be read, and its own problem is the one to mend
    if references is not None:
        for where, key in cited:
            if key not in references:
                problems.append(doc.problem(where, f"cites '{key}', which is not in "
                                                   f"data/{REFERENCES_FILE}"
                                                   f"{vocabulary.suggest(key, references)}"))
    if classes is not None:
        for i, class_id in enumerate(monograph.drug_classes):
            if class_id not in classes:
                hint = vocabulary.suggest(class_id, classes)
                problems.append(doc.problem(("drug_classes", i),
                                            f"'{class_id}' is not a drug class in "
                                            f"data/{CLASSES_FILE}; add it there or correct "
                                            f"it{hint}"))
    for where, text in strings:
        for form_id in inline.strength_refs(text) if "{strength:" in text else ():
            if monograph.dosage_form(form_id) is None:
                ids = [f.id for f in monograph.dosage_forms.forms] if monograph.dosage_forms else []
                problems.append(doc.problem(where, f"{{strength: {form_id}}} names no dosage form "
                                                   f"of this monograph"
                                                   f"{vocabulary.suggest(form_id, ids)}"))
    problems += _future_dates(doc, monograph, today)
    if len(problems) > before:
        return None
    for name in ("boxed_warning", *BODY_SECTIONS):
        value = getattr(monograph, name)
        if value is not None and is_empty(value):
            warnings.append(doc.problem((name,), f"section {name} is empty; the page says "
                                                 f"'{vocabulary.NOT_STATED}' for it. Fill it or "
                                                 "remove it", severity="warning"))
    review = monograph.review
    if review.next_review and review.next_review < today:
        warnings.append(doc.problem(("review", "next_review"),
                                    f"review was due on {review.next_review}; review the "
                                    "monograph and update review dates", severity="warning"))
    return LoadedMonograph(monograph, path, frozenset(key for _, key in cited))


def _future_dates(doc: YamlDocument, monograph: Monograph, today: dt.date) -> list[Problem]:
    """A review, a change or a source dated after today: a year or month typed wrong, which
    the page would show as governance that has not happened. A day's grace allows for an
    editor a time zone ahead of the build."""
    latest = today + dt.timedelta(days=1)
    dated: list[tuple[Path_, dt.date | None]] = [
        (("review", "last_reviewed"), monograph.review.last_reviewed),
        (("provenance", "source_date"), monograph.provenance.source_date),
        *((("changelog", i, "date"), entry.date) for i, entry in enumerate(monograph.changelog))]
    return [doc.problem(where, f"{day} is after today ({today}), and it dates what has "
                               "already happened: check the year and the month")
            for where, day in dated if day is not None and day > latest]


def _uncited(cited_by_each: list[frozenset[str]], ids: IdPlaces) -> list[Problem]:
    cited = set().union(*cited_by_each)
    return [Problem(ids.file, line, column, format_path(where),
                    f"reference '{key}' is not cited by any monograph", "warning")
            for key, (where, line, column) in ids.places.items() if key not in cited]


# --- pydantic errors → editor messages -------------------------------------------------------

_SIMPLE = {
    "string_type": "expected text{got}; put it in quotes",
    "decimal_parsing": "expected a number, like 0.5{got}",
    "decimal_type": "expected a number, like 0.5{got}",
    "int_type": "expected a whole number{got}",
    "int_parsing": "expected a whole number{got}",
    "bool_type": "expected true or false{got}",
    "date_from_datetime_parsing": "expected a date written YYYY-MM-DD, like 2024-01-05{got}",
    "date_parsing": "expected a date written YYYY-MM-DD, like 2024-01-05{got}",
    "date_type": "expected a date written YYYY-MM-DD, like 2024-01-05{got}",
    "date_from_datetime_inexact": "expected a date written YYYY-MM-DD, like 2024-01-05, with "
                                  "no time of day{got}",
    "int_from_float": "expected a whole number{got}",
    "int_parsing_size": "expected a whole number{got}",
    "bool_parsing": "expected true or false{got}",
    "float_type": "expected a number, like 0.5{got}",
    "float_parsing": "expected a number, like 0.5{got}",
    "decimal_max_places": "has too many digits{got}",
    "decimal_whole_digits": "has too many digits{got}",
    "list_type": "expected a list, one item per line starting with '- '{got}",
    "model_type": "expected a group of fields ('name: value' lines, indented below){got}",
    "model_attributes_type": "expected a group of fields ('name: value' lines, indented "
                             "below){got}",
    "dict_type": "expected a group of fields ('name: value' lines, indented below){got}",
    "greater_than": "must be above zero{got}",
    "finite_number": "must be a number{got}",
    "decimal_max_digits": "has too many digits{got}",
}
_PATTERNS: dict[str | tuple[str, str], str] = {
    "id": "use lowercase letters, digits and hyphens, like iv-bolus",
    "generic_name": "use the lowercase generic name (letters, digits, spaces and hyphens, "
                    "starting with a letter), like ketamine",
    "citations": "a citation key is letters, digits and _ : . -, like riccardi2023",
    "url": "an address starts with https://",
    "URL": "an address starts with https://",
    "DOI": "a DOI looks like 10.1002/ejp.624, without https://doi.org/",
    "british": "write lowercase letters only, like anaesth",
    "american": "write lowercase letters only, like anesth",
    "meanings": "write lowercase words separated by single spaces, like heart rate",
    "look_alike_names": "write a lowercase drug name, like prednisolone",
    "abbreviation": "start with a letter; then letters, digits, / or &, like N/V",
    "drug_classes": "a drug class is named by its id: lowercase words joined by _ or -, like "
                    "opioid_analgesic",
    "atc": "an ATC code is written in capitals as the WHO index gives it, like N01AX",
    "ratio": "write the two doses as numbers, from-dose first, in quotes, like \"2:1\"",
    ("DrugClass", "id"): "use lowercase words joined by _ or -, like opioid_analgesic",
    ("Reference", "id"): "a citation key is letters, digits and _ : . -, like riccardi2023",
}
"""What a value that breaks a field's pattern should look like, by field, or by record type
and field where one name means two things; never the pattern itself."""


def problems_from_validation(doc: YamlDocument, error: ValidationError, root: type[BaseModel],
                             prefix: Path_ = ()) -> list[Problem]:
    """One editor-grade :class:`Problem` for each pydantic error."""
    out = []
    for item in error.errors(include_url=False):
        loc: Path_ = tuple(item["loc"])
        path = (*prefix, *loc)
        kind = item["type"]
        value = item.get("input")
        got = f", not {_shown(value)}" if not isinstance(value, dict | list) else ""
        if kind == "string_type" and isinstance(value, dict) and (
                {"dose", "strength"} & set(value)):
            out.append(doc.problem(path, "this text starts with '{', so YAML read it as a group "
                                         "of fields; put the whole text in quotes, like "
                                         "- \"{dose: 1 mg/kg} is the usual dose\""))
            continue
        if kind == "extra_forbidden":
            field_name = str(loc[-1])
            allowed = _fields_at(root, loc[:-1])
            message = f"unknown field '{field_name}'{vocabulary.suggest(field_name, allowed)}"
            out.append(doc.problem(path, message, key=True))
            continue
        if kind == "missing":
            out.append(_missing(doc, path))
            continue
        if kind == "literal_error":
            expected = item.get("ctx", {}).get("expected", "")
            message = f"{_shown(value)} is not allowed; use {expected}"
        elif kind == "string_pattern_mismatch":
            field_name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
            message = f"{_shown(value)} is not in the expected form; " + (
                _PATTERNS.get((root.__name__, field_name)) or _PATTERNS.get(
                    field_name, f"it must match {item.get('ctx', {}).get('pattern')}"))
        elif kind == "too_short":
            least = item.get("ctx", {}).get("min_length", 1)
            message = "needs at least one item" if least == 1 else \
                f"needs at least {least} items"
        elif kind in ("greater_than_equal", "less_than_equal", "less_than"):
            bound = next(iter(item.get("ctx", {}).values()), "")
            word = {"greater_than_equal": "or more", "less_than_equal": "or less",
                    "less_than": None}[kind]
            message = (f"must be {bound} {word}{got}" if word else
                       f"must be less than {bound}{got}")
        elif kind == "too_long":
            message = f"holds at most {item.get('ctx', {}).get('max_length')} items"
        elif kind == "string_too_short":
            least = item.get("ctx", {}).get("min_length", 1)
            message = f"{_shown(value)} is too short: write at least {least} characters"
        elif kind == "string_too_long":
            most = item.get("ctx", {}).get("max_length")
            message = f"{_shown(value)} is too long: write at most {most} characters"
        elif kind in _SIMPLE:
            message = _SIMPLE[kind].format(got=got)
        else:
            message = item["msg"]
        out.append(doc.problem(path, message))
    return out


def _missing(doc: YamlDocument, path: Path_) -> Problem:
    line, column = doc.position(path[:-1])
    return Problem(doc.file, line, column, format_path(path),
                   f"'{path[-1]}' is required; add it")


def _shown(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal | int):
        return f"the number {value}"
    text = str(value)
    return f"'{text[:60]}…' ({len(text):,} characters)" if len(text) > 80 else f"'{text}'"


def _fields_at(root: type[BaseModel], loc: Path_) -> list[str]:
    """The keys allowed at ``loc`` inside ``root`` (for "did you mean")."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None)
        if info is None:
            return []
        model = _model_in(info.annotation)
        if model is None:
            return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
