"""``kb diff REV``: the dose changes between a git revision and the working tree, for the committee
that signs changes off. Regimens and dosage-form strengths added, removed or changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pydantic import ValidationError

from . import doses
from .editorfiles import is_editor_file
from .errors import KbError
from .model import Monograph, Regimen
from .yamlsource import YamlReadError, parse_yaml


def _git_show(root: Path, rev: str, path: str) -> str | None:
    result = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=root, capture_output=True,
                            text=True, check=False)
    return result.stdout if result.returncode == 0 else None


def _load_text(text: str, name: str) -> Monograph | None:
    try:
        return Monograph.model_validate(parse_yaml(text, name).data)
    except (YamlReadError, ValidationError):
        return None


def _regimen(regimen: Regimen) -> str:
    """A regimen in the one dose formatter's words, with its qualifier: a change to any construct
    (dose, cap, interval, rate, duration, titration, population, qualifier) changes this line."""
    words = doses.format_regimen(regimen)
    notes = [n for s in regimen.steps for n in s.notes] + list(regimen.notes)
    if regimen.indication:
        words += f"; for {regimen.indication}"
    if notes:
        words += f"; notes: {' / '.join(notes)}"
    return f"({doses.format_qualifier(regimen.qualifier)}) {words}"


def _conversions(monograph: Monograph | None) -> set[str]:
    if monograph is None or monograph.dosing is None:
        return set()
    return {doses.format_conversion(c) for c in monograph.dosing.conversions}


def _strengths(monograph: Monograph | None) -> dict[str, set[str]]:
    if monograph is None or monograph.dosage_forms is None:
        return {}
    return {f.id: {doses.format_strength(s) + (" (example)" if s.example else "")
                   for s in f.strengths} for f in monograph.dosage_forms.forms}


def dose_changes(old: Monograph | None, new: Monograph | None) -> list[str]:
    """Lines describing every regimen and strength difference between two monographs."""
    lines = []
    before = {r.id: r for r in (old.dosing.regimens if old and old.dosing else [])}
    after = {r.id: r for r in (new.dosing.regimens if new and new.dosing else [])}
    for rid in sorted(before.keys() - after.keys()):
        lines.append(f"regimen {rid} removed (was {_regimen(before[rid])})")
    for rid in sorted(after.keys() - before.keys()):
        lines.append(f"regimen {rid} added: {_regimen(after[rid])}")
    for rid in sorted(before.keys() & after.keys()):
        was, now = _regimen(before[rid]), _regimen(after[rid])
        if was != now:
            lines.append(f"regimen {rid} changed: {was} → {now}")
    old_forms, new_forms = _strengths(old), _strengths(new)
    for fid in sorted(old_forms.keys() | new_forms.keys()):
        gone = sorted(old_forms.get(fid, set()) - new_forms.get(fid, set()))
        came = sorted(new_forms.get(fid, set()) - old_forms.get(fid, set()))
        if fid not in new_forms:
            lines.append(f"dosage form {fid} removed")
        elif fid not in old_forms:
            lines.append(f"dosage form {fid} added")
        lines += [f"dosage form {fid}: strength {s} removed" for s in gone]
        lines += [f"dosage form {fid}: strength {s} added" for s in came]
    old_conversions, new_conversions = _conversions(old), _conversions(new)
    lines += [f"conversion {c} removed" for c in sorted(old_conversions - new_conversions)]
    lines += [f"conversion {c} added" for c in sorted(new_conversions - old_conversions)]
    return lines


def diff_report(root: Path, rev: str, data_dir: str = "data") -> list[str]:
    """The report ``kb diff`` prints."""
    check = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=root,
                           capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise KbError(f"'{rev}' is not a git revision here")
    listed = subprocess.run(["git", "ls-tree", "--name-only", f"{rev}", f"{data_dir}/monographs/"],
                            cwd=root, capture_output=True, text=True, check=False).stdout.split()
    names = {Path(p).name for p in listed if p.endswith(".yaml")}
    names |= {p.name for p in (root / data_dir / "monographs").glob("*.yaml")
              if not is_editor_file(p)}
    report = []
    for name in sorted(names):
        rel = f"{data_dir}/monographs/{name}"
        old_text = _git_show(root, rev, rel)
        new_path = root / rel
        old = _load_text(old_text, name) if old_text is not None else None
        new = _load_text(new_path.read_text(encoding="utf-8"), name) if new_path.exists() \
            else None
        if old_text is not None and old is None:
            report.append(f"{rel}: could not be read at {rev}; compare by hand")
        if new_path.exists() and new is None:
            report.append(f"{rel}: has errors now; run kb validate")
        changes = dose_changes(old, new)
        report += [f"{rel}: {line}" for line in changes]
    return report or [f"No dose changes since {rev}."]
