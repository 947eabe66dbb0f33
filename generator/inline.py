"""The small inline language of text fields: a Markdown subset plus citations and doses.

Allowed in any text field:

- ``*emphasis*`` and ``**strong**``;
- ``[words](https://example.org/page)`` links to http(s) addresses, and
  ``[words](monograph:ketamine)`` links to another monograph;
- ``[@key]`` or ``[@key1; @key2]`` citations of ``data/references.yaml`` (pandoc's syntax);
- ``{dose: 1 mg/kg}`` a dose written as data, checked against the unit allow-list and shown by the
  dose formatter;
- ``{strength: form-id}`` the strengths of a dosage form of the same monograph.

Raw HTML, other link schemes, doses typed as plain text and error-prone abbreviations are rejected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from . import units

_TOKEN = re.compile(
    r"(?=[\[*{])(?:"  # every form starts with one of these: the scan passes other characters fast
    r"(?P<cite>\[(?P<cite_body>@[^\[\]]*)\])"
    r"|(?P<link>\[(?P<link_text>[^\[\]]+)\]\((?P<link_target>[^()\s]*)\))"
    r"|(?P<strong>\*\*(?P<strong_text>[^*]+)\*\*)"
    r"|(?P<em>\*(?P<em_text>[^*]+)\*)"
    r"|(?P<field>\{(?P<field_kind>[a-z_]+):(?P<field_value>[^{}]*)\}))"
)
_CITE_KEY = re.compile(r"@([A-Za-z0-9_][A-Za-z0-9_:.\-]*)")
CITATION_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_:.\-]*")
_HTML = re.compile(r"<\s*[A-Za-z!/?]")
_FREE_DOSE_FORM = (  # the look-behind follows the first digit, so the scan jumps to digits
    r"{D}(?<![\w.]{D})[{C},]*(\.{D}+)?\s*(mg|mcg|g|mL|ml|L|units?|µg|μg|ug|cc|IU|mmol|%)(?![\w])")
"""A number then a unit, typed as plain text: {D} is a digit, {C} a digit in a set."""
_FREE_DOSE = re.compile(_FREE_DOSE_FORM.replace("{D}", r"\d").replace("{C}", r"\d"),
                        re.IGNORECASE)
_FREE_DOSE_ASCII = re.compile(_FREE_DOSE_FORM.replace("{D}", "[0-9]").replace("{C}", "0-9"),
                              re.IGNORECASE)
"""The same for ASCII text, where a digit is 0-9: a set is scanned faster than ``\\d``."""
_JAVASCRIPT = re.compile(r"javascript:", re.IGNORECASE)
_UNCLOSED = re.compile(r"\[@|\[[^\[\]]*\]\(")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with a unit from the allow-list, as written inside ``{dose: …}``."""

    value: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Token:
    """One piece of a text field: plain text, or one of the inline forms."""

    kind: str  # text | cite | link | strong | em | dose | strength
    text: str = ""
    target: str = ""
    keys: tuple[str, ...] = ()


class InlineError(ValueError):
    """A text field breaks the inline rules; the message says how to write it instead."""


def comma_message(written: str) -> str:
    """Why ``6,25`` is refused: a comma could be a decimal point or a thousands separator.
    With more than one comma (``1,000,000``) or a point as well (``1,000.5``), only the second
    reading is left, and the message names that one."""
    as_point = written.replace(",", ".", 1) if written.count(",") == 1 and "." not in written \
        else None
    as_thousands = written.replace(",", "")
    if as_point is None:
        many = written.count(",") > 1
        return (f"'{written}' has {'commas' if many else 'a comma'}; a number is written "
                f"without {'them' if many else 'one'}: write {as_thousands} (if "
                f"{'they separate' if many else 'it separates'} thousands), as the source "
                "means it")
    return (f"'{written}' has a comma, which could be read two ways: write {as_point} (if the "
            f"comma is a decimal point) or {as_thousands} (if it separates thousands), as the "
            "source means it")


def parse_quantity(written: str) -> Quantity:
    """Read ``1 mg/kg`` into a :class:`Quantity`, or explain what is wrong."""
    parts = written.split()
    if len(parts) != 2:
        raise InlineError(f"'{{dose: {written}}}' should be a number and a unit, like "
                          "'{dose: 1 mg/kg}'")
    number, unit = parts
    if re.fullmatch(r"\d+(,\d+)+(\.\d+)?", number):
        raise InlineError(f"in '{{dose: {written}}}': {comma_message(number)}")
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise InlineError(f"'{number}' in '{{dose: {written}}}' is not a number; write it like "
                          "0.5") from None
    if not value.is_finite() or value <= 0:
        raise InlineError(f"'{number}' in '{{dose: {written}}}' must be a number above zero")
    if not -12 <= value.adjusted() <= 12 or len(value.as_tuple().digits) > 12:
        raise InlineError(f"'{number}' in '{{dose: {written}}}' is not a number a monograph "
                          "holds; write it in plain digits (at most 12)")
    if unit not in units.DOSE_UNITS:
        raise InlineError(f"'{unit}' in '{{dose: {written}}}' is not a known unit"
                          f"{units.explain_unit(unit, units.DOSE_UNITS)}")
    return Quantity(value, unit)


TEXTS_KEPT = 4096
"""How many texts the checks and the tokens keep, most recently used first: some 90
monographs' worth. A build checks, searches and renders each monograph's texts one after the
other, and a formulary's sentences that recur, recur often; 65,536, all of 1,400 monographs'
texts, held 25 MiB in each process and saved no CPU that could be measured."""

PREVIEW_TEXTS_KEPT = 65536
"""How many a preview keeps (``keep_texts``): its process lives on, checking and rendering each
saved monograph again. At 2,000 monographs, saves showed in 0.76–0.82 s with this many kept
against 0.70–1.56 s with ``TEXTS_KEPT`` (``bench/scale.py --edit-only --sizes 2000``, runs
alternating)."""


@lru_cache(maxsize=TEXTS_KEPT)
def tokens(text: str) -> tuple[Token, ...]:
    """Split a text field into tokens; raises :class:`InlineError` on the first broken rule.

    Cached: each text is checked by the schema, searched for citations and rendered, and a
    formulary repeats many sentences."""
    return tuple(_tokens(text))


def _tokens(text: str) -> Iterator[Token]:
    position = 0
    marked = "[" in text or "*" in text or "{" in text
    for match in _TOKEN.finditer(text) if marked else ():
        if match.start() > position:
            yield _plain(text[position:match.start()])
        position = match.end()
        if match["cite"]:
            body = match["cite_body"]
            keys = tuple(k.strip() for k in body.split(";"))
            bad = [k for k in keys if not _CITE_KEY.fullmatch(k)]
            if bad:
                raise InlineError(f"citation '[{body}]' is not written as [@key] or "
                                  "[@key1; @key2]")
            yield Token("cite", keys=tuple(k[1:] for k in keys))
        elif match["link"]:
            target = match["link_target"]
            if not (target.startswith(("https://", "http://")) or
                    re.fullmatch(r"monograph:[a-z0-9-]+", target)):
                raise InlineError(f"link target '{target}' is not allowed; links go to https:// "
                                  "addresses or to another monograph as monograph:name")
            yield Token("link", text=_plain(match["link_text"]).text, target=target)
        elif match["strong"]:
            yield Token("strong", text=_plain(match["strong_text"]).text)
        elif match["em"]:
            yield Token("em", text=_plain(match["em_text"]).text)
        else:
            kind, value = match["field_kind"], match["field_value"].strip()
            if kind == "dose":
                parse_quantity(value)
                yield Token("dose", text=value)
            elif kind == "strength":
                yield Token("strength", target=value)
            else:
                raise InlineError(f"'{{{kind}: …}}' is not a known inline field; use "
                                  "{dose: 1 mg/kg} or {strength: form-id}")
    if position < len(text):
        yield _plain(text[position:])


_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Text with every line break as a space. Data never starts a line of the generated page,
    so it can never open a Markdown heading, an attribute list or an HTML block."""
    if text.isprintable():  # no line break of any kind (each is unprintable): most text
        return text
    return _LINE_BREAKS.sub(" ", text)


def check_text(text: str) -> str:
    """Validate a text field (used by the schema); returns it unchanged when it is fine."""
    if not text.strip():
        raise InlineError("text is empty; write the text or remove the field")
    check_characters(text)
    check_notation(text)
    list(tokens(text))
    return text


_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_INVISIBLE = {"Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


@lru_cache(maxsize=TEXTS_KEPT)
def check_characters(text: str) -> None:
    """Refuse what a reader cannot see or what a browser would decode: invisible and format
    characters (zero-width spaces, direction marks, line separators) and HTML entities."""
    visible = text.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    for char in () if visible.isprintable() else text:  # isprintable: the fast, common case
        category = unicodedata.category(char)
        if category in _INVISIBLE or (category == "Cc" and char not in "\n\t\r"):
            name = unicodedata.name(char, "a control character")
            raise InlineError(f"the invisible character U+{ord(char):04X} ({name}) is not "
                              "allowed: it can hide what the text says; delete it")
    entity = _ENTITY.search(text) if "&" in text else None
    if entity:
        raise InlineError(f"'{entity.group(0)}' is an HTML entity; write the character itself "
                          "(entities are not allowed in data)")


CONFUSABLES = dict(zip(
    "АВЕКМНОРСТХУаеорсухіјѕІЈЅԁһԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοѴѵ",
    "ABEKMHOPCTXYaeopcyxijsIJSdhqwABEZHIKMNOPTYXoVv", strict=True))
"""Letters of other scripts that look like Latin ones (after UTS #39's confusables list): a word
written with them can hide an abbreviation from a check that reads Latin letters."""

_UNITS = r"(?:mg|mcg|micrograms?|milligrams?|g|grams?|mL|ml|units?|mmol|L)"
NOTATION: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?<![\w.])\.\d+\s*{_UNITS}(?!\w)"),
     "a decimal point needs a zero before it (0.5 mg, never .5 mg)"),
    (re.compile(rf"\b\d+\.\d*0\s*{_UNITS}(?!\w)"),
     "a dose has no trailing zero (1 mg, never 1.0 mg)"),
    (re.compile(r"\d\s*(?:U|IU)\b"), "write 'units' in full (never U or IU)"),
    (re.compile(r"\bIU\b"), "write 'units' in full (never U or IU)"),
    (re.compile(r"\d\s*(?:MG|Mg|ML|Ml|MCG|Mcg)\b"), "units are lower case: mg, mL, mcg"),
    (re.compile(r"(?<!\w)(?:q\.?d\.?|Q\.?D\.?)(?!\w)"), "write 'once a day' (never qd or QD)"),
    (re.compile(r"(?<!\w)(?:q\.?o\.?d\.?|Q\.?O\.?D\.?)(?!\w)"),
     "write 'every other day' (never qod or QOD)"),
    (re.compile(r"(?<!\w)(?:od|OD|o\.d\.)(?!\w)"),
     "write 'once a day' (od is read as 'right eye')"),
    (re.compile(r"\bMS\b|\bMSO4\b|\bMgSO4\b", re.IGNORECASE),
     "write the drug's name (morphine sulfate or magnesium sulfate), never MS, MSO4 or MgSO4"),
    (re.compile(r"\bS[CQ]\b|\bsub-?q\b", re.IGNORECASE), "write 'subcut'"),
    (re.compile(r"\bq\d+h\b", re.IGNORECASE), "write 'every N hours'"),
    (re.compile(r"\bcc\b"), "write 'mL' (never cc)"),
    (re.compile(r"[µμ]g\b|\bug\b"), "write 'mcg' (never µg or ug)"),
]
"""Error-prone notation (ISMP, Joint Commission "Do Not Use"), each with its safe form. "INR
2.0–3.0" stays allowed: a trailing zero is refused only after a dose unit."""


def normalised(text: str) -> str:
    """The copy of a text the notation checks read: NFKC (full-width and compatibility forms
    folded) with look-alike letters of other scripts read as Latin. The editor's own text is what
    is published."""
    return "".join(CONFUSABLES.get(c, c) for c in unicodedata.normalize("NFKC", text))


_LETTERS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=TEXTS_KEPT)
def check_notation(text: str) -> None:
    """Refuse error-prone notation, including when look-alike letters or compatibility forms
    hide it; refuse a word of two letters or more written in look-alike letters of another
    script (a single Greek letter such as α, β or μ stays allowed)."""
    if text.isascii():  # the common case: nothing to fold, no look-alike letters
        _check_patterns(text)
        return
    for word in _LETTERS.finditer(unicodedata.normalize("NFKC", text)):
        letters = word.group(0)
        foreign = [c for c in letters if not c.isascii()]
        if len(letters) >= 2 and foreign and all(c.isascii() or c in CONFUSABLES
                                                 for c in letters):
            raise InlineError(f"'{letters}' is written with letters of another script that "
                              f"look like Latin ones (it reads as '{normalised(letters)}'); "
                              "type it with Latin letters")
    _check_patterns(normalised(text))


_NUMBER_THEN_UNIT = re.compile(r"[0-9]\s*[mguLUIM]")
"""What every pattern of NOTATION that reads a number (``_BY_NUMBER``) needs: a digit, maybe
spaces, then the first letter of a unit (mg, mcg, g, mL, units, L; U and IU; MG and ML). Only
ASCII text meets it, where ``\\d`` is ``[0-9]``: a set of characters is scanned a third
faster than the class of Unicode digits."""

_SHORT_FORM = re.compile(
    r"(?:q(?<!\w.)(?:d|o|od|\d+h)?|o(?<!\w.)d?|m(?<!\w.)(?:s|so4|gso4)|s(?<!\w.)(?:c|q|ub|ubq)"
    r"|c(?<!\w.)c|u(?<!\w.)g|i(?<!\w.)u)(?!\w)")
"""In lower-cased text, a word every other pattern of NOTATION (``_BY_WORD``) needs: q, qd,
qo, qod, q4h, o, od, ms, mso4, mgso4, sc, sq, sub, subq, cc, ug or iu, standing alone (q.d.,
o.d. and sub-q are words q, o and sub). Each starts with its letter, so the scan jumps from one
to the next; the look-behind after that letter says no letter or digit comes before it."""


_BY_NUMBER = [NOTATION[i] for i in (0, 1, 2, 4)]
"""The patterns of NOTATION that read a number (.5 mg, 1.0 mg, 5 U, 5 MG), in order."""
_BY_WORD = [rule for rule in NOTATION if rule not in _BY_NUMBER]
"""The others (qd, od, MS, SC, q4h, cc, ug, IU), in order."""


def _check_patterns(plain: str) -> None:
    """The notation checks. The patterns scan slowly and most text holds none of them, so ASCII
    text meets only those whose number before a unit letter or short word it holds (most text:
    none); text beyond ASCII, where case-insensitive matching folds more than lower-casing,
    meets every one. They run in NOTATION's order, so the first problem named is the same."""
    rules = NOTATION
    if plain.isascii():
        number = _NUMBER_THEN_UNIT.search(plain) is not None
        word = _SHORT_FORM.search(plain.lower()) is not None
        rules = (NOTATION if number and word else _BY_NUMBER if number else
                 _BY_WORD if word else [])
    for pattern, safe in rules:
        found = pattern.search(plain)
        if found:
            raise InlineError(f"'{found.group(0).strip()}' is error-prone notation: {safe}")


def cited_keys(text: str) -> list[str]:
    """The citation keys a text field cites, in order."""
    return [k for t in tokens(text) if t.kind == "cite" for k in t.keys]


def strength_refs(text: str) -> list[str]:
    """The dosage-form ids a text field refers to with ``{strength: …}``."""
    return [t.target for t in tokens(text) if t.kind == "strength"]


def _plain(segment: str) -> Token:
    if "<" in segment and _HTML.search(segment):
        raise InlineError("raw HTML is not allowed in text; write plain words "
                          "(emphasis is written *like this*)")
    if ":" in segment and _JAVASCRIPT.search(segment):
        raise InlineError("'javascript:' is not allowed in text")
    dose = (_FREE_DOSE_ASCII if segment.isascii() else _FREE_DOSE).search(segment)
    if dose:
        raise InlineError(f"a dose is typed as plain text ('{dose.group(0)}'); write it as "
                          "data, e.g. {dose: 1 mg/kg}, or refer to a dosage form with "
                          "{strength: form-id}, so that it is checked and shown safely")
    if "[" in segment and _UNCLOSED.search(segment):
        raise InlineError("a citation or link is not closed; write [@key] or [words](https://…)")
    return Token("text", text=segment)


def keep_texts(count: int) -> None:
    """From now on keep up to ``count`` texts checked and split (``TEXTS_KEPT`` until told),
    forgetting those kept so far."""
    global tokens, check_characters, check_notation  # noqa: PLW0603 - the module's own caches
    tokens = lru_cache(maxsize=count)(tokens.__wrapped__)
    check_characters = lru_cache(maxsize=count)(check_characters.__wrapped__)
    check_notation = lru_cache(maxsize=count)(check_notation.__wrapped__)
