"""The site search index, built from the data at build time (not from the finished HTML).

Each page is a document with weighted fields: a monograph's names (generic name, synonyms, brand
names), its drug classes and indication, its headings, and its body text as the renderer wrote it
(dose text comes from the one dose formatter, so "0.5 mg/kg every 12 hours" is found as shown).
Hand-written pages in ``content/`` are added from their HTML, which MkDocs has already made.

Words are folded (case, accents), spelled the American way by the rules in
``data/search-terms.yaml`` and stop words dropped; ``content/javascripts/search.js`` folds what a
reader types in exactly the same way. The index is written as JavaScript files, because a page
opened from ``file://`` can load a script but cannot fetch a file:

- ``search/index.<hash>.js``: documents, section headings, the sorted vocabulary, the spelling
  rules, abbreviations and look-alike names;
- ``search/shard-<n>.<hash>.js``: the postings of the words that hash to shard *n*. A query loads
  only the shards of its words; names carry their content hash, so a browser keeps them.

A posting is the document (as a gap from the previous one) and, for the field where the word
weighs most, ``section * 4 + field``; both as base-32 variable-length numbers in ASCII.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .model import SearchTerms

FIELD_BODY, FIELD_HEADING, FIELD_CLASS, FIELD_NAME = 0, 1, 2, 3
"""Field codes; search.js weighs them 1, 3, 5 and 10."""

STOPWORDS = ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it",
             "of", "on", "or", "the", "this", "that", "to", "with")
"""Words too common to find anything; dropped from the index and from queries alike."""

FINAL = "0123456789abcdefghijklmnopqrstuv"
"""Digits of the last (most significant) 5-bit group of a number."""
CONT = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_"
"""Digits of the other 5-bit groups (a number continues after them)."""

SHARD_BYTES = 48_000
"""About this many bytes of postings per shard, before compression."""

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_MARKS = re.compile("[\u0300-\u036f]")
_STOP = frozenset(STOPWORDS)


def fold(text: str) -> str:
    """Lower case without accents (search.js: ``normalize("NFKD")``, the same marks dropped)."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).lower()


def fnv1a(word: str) -> int:
    """32-bit FNV-1a of a word's characters (search.js computes the same to find a shard)."""
    h = 2166136261
    for ch in word:
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return h


def varint(n: int) -> str:
    """``n`` (0 or more) as base-32 groups, least significant first."""
    out = []
    while n >= 32:
        out.append(CONT[n & 31])
        n >>= 5
    out.append(FINAL[n])
    return "".join(out)


_SMALL = 4096
_ENCODED = [varint(n).encode("ascii") for n in range(_SMALL)]
"""The codes of small numbers, computed once: most gaps and field codes are small."""


def _encoded(n: int) -> bytes:
    return _ENCODED[n] if n < _SMALL else varint(n).encode("ascii")


def decode_postings(text: str) -> list[tuple[int, int, int]]:
    """A word's postings as (document, field, section), the way search.js reads them."""
    numbers, doc, out = read_varints(text), -1, []
    for gap, code in zip(numbers[::2], numbers[1::2], strict=True):
        doc += gap
        out.append((doc, code & 3, code >> 2))
    return out


_POSTING = re.compile(rb"([A-Zw-z_-]*[0-9a-v])([A-Zw-z_-]*[0-9a-v])")
"""One posting as written: its gap, then its field code, each a number in ``varint``'s digits."""

_FINAL_DIGITS = {ch: i for i, ch in enumerate(FINAL)}
_CONT_DIGITS = {ch: i for i, ch in enumerate(CONT)}


def read_varints(text: str) -> list[int]:
    """The numbers written by :func:`varint`, in order (``decode_postings``, ``merge``, tests
    and the benchmark)."""
    out, value, shift = [], 0, 0
    final, cont = _FINAL_DIGITS, _CONT_DIGITS
    for ch in text:
        digit = final.get(ch)
        if digit is None:
            value |= cont[ch] << shift
            shift += 5
        else:
            out.append(value | digit << shift)
            value, shift = 0, 0
    return out


class Speller:
    """Folds text into index words: tokens, American spellings, no stop words."""

    def __init__(self, terms: SearchTerms) -> None:
        self.rules = [(r.british, r.american, r.where) for r in terms.spellings]
        self._cache: dict[str, str] = {}

    def word(self, token: str) -> str:
        """One folded token in its American spelling."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        word = token
        for british, american, where in self.rules:
            if where == "anywhere":
                word = word.replace(british, american)
            elif where == "start" and word.startswith(british):
                word = american + word[len(british):]
            elif where == "end" and word.endswith(british):
                word = word[:len(word) - len(british)] + american
        if len(self._cache) < 200_000:
            self._cache[token] = word
        return word

    def words(self, text: str) -> list[str]:
        """Index words of a text, in order, stop words dropped."""
        return [self.word(t) for t in _TOKEN.findall(fold(text)) if t not in _STOP]

    def distinct_words(self, text: str) -> list[str]:
        """The index words of a text, each once, in first-seen order (what the index needs; a
        long text repeats most of its words)."""
        tokens = dict.fromkeys(_TOKEN.findall(fold(text)))
        return [self.word(t) for t in tokens if t not in _STOP]

    def phrase(self, text: str) -> str:
        """A name as one comparable string ("Nauzene" → "nauzene")."""
        return " ".join(self.words(text))


@dataclass
class SearchDoc:
    """One page of the site as search sees it."""

    title: str
    kind: str
    """"monograph" or "page"."""
    names: list[str] = field(default_factory=list)
    """Other names shown in a result (synonyms, brand names)."""
    classes: list[str] = field(default_factory=list)
    texts: list[tuple[int, str, str, str]] = field(default_factory=list)
    """(field, section anchor, section heading, text), in page order."""
    drug_names: list[str] = field(default_factory=list)
    """Drug names typed exactly rank this page first (generic name, synonyms, brand names)."""


# --- documents from the renderer's output ----------------------------------------------------

KEY_LISTS = ('<ul class="kb-effects">',)
"""Lists whose items weigh like headings."""
_EXCLUDED = re.compile(r"<(\w+)\b[^>]*\bdata-search-exclude\b[^>]*>")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_CITE = re.compile(r'<sup class="kb-cite".*?</sup>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_MD_HEADING = re.compile(r"^(#{1,3}) (.*?)(?: \{: #([\w-]+)[^}]*\})?$")
_HTML_HEADING = re.compile(r'<h([1-3])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)


def drop_excluded(markup: str) -> str:
    """``markup`` without script blocks and without the elements marked data-search-exclude
    (the at-a-glance box repeats the page; the calculator is a form)."""
    markup = _SCRIPT.sub(" ", markup)
    out, pos = [], 0
    while (start := _EXCLUDED.search(markup, pos)) is not None:
        out.append(markup[pos:start.start()])
        tag = start.group(1)
        opening = re.compile(rf"<{tag}\b|</{tag}\s*>")
        depth, end = 1, len(markup)
        for match in opening.finditer(markup, start.end()):
            depth += -1 if match.group(0).startswith("</") else 1
            if depth == 0:
                end = match.end()
                break
        pos = end
    out.append(markup[pos:])
    return "".join(out)


def plain(markup: str) -> str:
    """The words of a piece of generated markup, as a reader sees them."""
    return html.unescape(_TAG.sub(" ", _CITE.sub("", markup)))


def monograph_doc(markdown: str, *, title: str, names: list[str],
                  drug_names: list[str], classes: list[str], class_words: list[str]
                  ) -> SearchDoc:
    """A monograph's search document, from the page Markdown the renderer wrote."""
    doc = SearchDoc(title, "monograph", names=names, classes=classes,
                    drug_names=drug_names)
    doc.texts.append((FIELD_NAME, "", "", " ".join([title, *drug_names])))
    if class_words:
        doc.texts.append((FIELD_CLASS, "", "", " ".join(class_words)))
    anchor, heading, in_list = "", "", False
    body: list[str] = []

    def flush() -> None:
        if body:
            doc.texts.append((FIELD_BODY, anchor, heading, plain(" ".join(body))))
            body.clear()

    for line in drop_excluded(markdown).splitlines():
        if line.startswith(KEY_LISTS):
            in_list = True
            continue
        if in_list:  # an adverse effect weighs like a heading: it is what staff look up
            if line.startswith("</ul>"):
                in_list = False
            else:
                doc.texts.append((FIELD_HEADING, anchor, heading, plain(line)))
            continue
        md = _MD_HEADING.match(line)
        if md and len(md.group(1)) > 1 and md.group(3):
            flush()
            anchor, heading = md.group(3), plain(md.group(2)).strip()
            doc.texts.append((FIELD_HEADING, anchor, heading, heading))
            continue
        tag = _HTML_HEADING.search(line)
        if tag and tag.group(1) != "1":
            flush()
            anchor, heading = tag.group(2), plain(tag.group(3)).strip()
            doc.texts.append((FIELD_HEADING, anchor, heading, heading))
            body.append(line[tag.end():])
            continue
        if not (md and len(md.group(1)) == 1):
            body.append(line)
    flush()
    return doc


def page_doc(title: str, page_html: str) -> SearchDoc:
    """A hand-written page's search document, from the HTML MkDocs made of it."""
    doc = SearchDoc(title, "page")
    doc.texts.append((FIELD_HEADING, "", "", title))
    markup = drop_excluded(page_html)
    anchor, heading, pos = "", "", 0
    for match in _HTML_HEADING.finditer(markup):
        doc.texts.append((FIELD_BODY, anchor, heading, plain(markup[pos:match.start()])))
        if match.group(1) != "1":
            anchor, heading = match.group(2), plain(match.group(3)).strip()
            doc.texts.append((FIELD_HEADING, anchor, heading, heading))
        pos = match.end()
    doc.texts.append((FIELD_BODY, anchor, heading, plain(markup[pos:])))
    return doc


# --- look-alike names ---------------------------------------------------------------------------

def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (an adjacent swap is one edit), or ``limit + 1`` when
    it is over ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


def looks_alike(a: str, b: str) -> bool:
    """Drug names a reader could take for each other: as near as the typos search forgives (one
    edit from five letters, two from nine: prednisone, prednisolone), or sharing their first four
    and last three letters (hydroxyzine, hydralazine)."""
    shorter = min(len(a), len(b))
    if a == b or shorter < 5:
        return False
    limit = 2 if shorter >= 9 else 1
    if osa_distance(a, b, limit) <= limit:
        return True
    prefix = len(a) >= 7 and len(b) >= 7 and a[:4] == b[:4] and a[-3:] == b[-3:]
    return prefix and abs(len(a) - len(b)) <= 3


def look_alike_pairs(names: list[tuple[str, int]], known: Iterable[tuple[str, str]]
                     ) -> set[tuple[int, int]]:
    """Pairs of documents whose drug names look alike. ``names`` holds (name, document);
    candidates are found by shared four-letter starts and one-letter deletions, so the work
    grows with the number of names, not its square."""
    buckets: dict[str, set[int]] = {}
    for i, (name, _) in enumerate(names):
        keys = {"^" + name[:4]} | {name[:k] + name[k + 1:] for k in range(len(name))} | {name}
        for key in keys:
            buckets.setdefault(key, set()).add(i)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        ordered = sorted(members)
        for x, i in enumerate(ordered):
            for j in ordered[x + 1:]:
                (a, doc_a), (b, doc_b) = names[i], names[j]
                if doc_a != doc_b and looks_alike(a, b):
                    pairs.add((min(doc_a, doc_b), max(doc_a, doc_b)))
    by_name: dict[str, set[int]] = {}
    for name, doc in names:
        by_name.setdefault(name, set()).add(doc)
    for a, b in known:
        for doc_a in by_name.get(a, ()):
            for doc_b in by_name.get(b, ()):
                if doc_a != doc_b:
                    pairs.add((min(doc_a, doc_b), max(doc_a, doc_b)))
    return pairs


# --- the index ------------------------------------------------------------------------------------

def _content_name(kind: str, text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"{kind}.{digest}.js"


@dataclass
class SearchPart:
    """Documents indexed in another process, to merge into the index in their place: their
    search documents without their texts, the sections in the order first met, each word's
    postings (documents numbered from 0, sections by this part's own numbers) and the drug
    names."""

    docs: list[SearchDoc]
    sections: list[tuple[str, str]]
    postings: dict[str, bytearray]
    last_doc: dict[str, int]
    names: list[tuple[str, int]]


@dataclass(frozen=True)
class Analysed:
    """A document's words, each with its strongest field, and its drug names as phrases."""

    words: tuple[tuple[str, tuple[int, str, str]], ...]
    sections: tuple[tuple[str, str], ...]
    names: tuple[str, ...]


class SearchIndex:
    """Collects documents and writes the index files."""

    def __init__(self, terms: SearchTerms) -> None:
        self.terms = terms
        self.speller = Speller(terms)
        self.docs: list[tuple[SearchDoc, str]] = []
        self.sections: dict[tuple[str, str], int] = {("", ""): 0}
        self.postings: dict[str, bytearray] = {}
        self.last_doc: dict[str, int] = {}
        self.names: list[tuple[str, int]] = []

    def analyse(self, doc: SearchDoc) -> Analysed:
        """Each word of ``doc`` with the strongest field it is in: the costly part of indexing,
        kept by a preview for the pages that did not change."""
        best: dict[str, tuple[int, str, str]] = {}
        sections: dict[tuple[str, str], None] = {}
        for kind, anchor, heading, text in doc.texts:
            sections[(anchor, heading)] = None
            for word in self.speller.distinct_words(text):
                old = best.get(word)
                if old is None or old[0] < kind:
                    best[word] = (kind, anchor, heading)
        names = [phrase for name in doc.drug_names if (phrase := self.speller.phrase(name))]
        return Analysed(tuple(sorted(best.items())), tuple(sections), tuple(names))

    def add(self, doc: SearchDoc, url: str, analysed: Analysed | None = None) -> None:
        """Index one document, linked at ``url`` (relative to the site's root)."""
        analysed = analysed or self.analyse(doc)
        number = len(self.docs)
        self.docs.append((doc, url))
        for key in analysed.sections:  # numbered in the order the pages are read
            self.sections.setdefault(key, len(self.sections))
        for word, (kind, anchor, heading) in analysed.words:
            section = self.sections[(anchor, heading)]
            gap = number - self.last_doc.get(word, -1)
            self.last_doc[word] = number
            self.postings.setdefault(word, bytearray()).extend(
                _encoded(gap) + _encoded(section * 4 + kind))
        self.names.extend((phrase, number) for phrase in analysed.names)

    def part(self) -> SearchPart:
        """What this index holds, to merge into another (``merge``); its documents keep no
        texts, which only ``add`` reads."""
        return SearchPart([dataclasses.replace(doc, texts=[]) for doc, _ in self.docs],
                          list(self.sections), self.postings, self.last_doc, self.names)

    def merge(self, part: SearchPart, urls: Sequence[str]) -> None:
        """Index the documents of ``part`` (linked at ``urls``) after those already here:
        the same index as adding them here one by one. Its section numbers are renumbered
        the way ``add`` numbers them, and each word's first gap counted from this index's
        last document with the word. The postings are rewritten in their written form, not
        decoded: the other gaps stand, each field code is decoded once, and when the part
        numbered its sections as this index does, all but the first posting are copied (at
        2,000 monographs, 0.04–0.08 s in the main process instead of 0.33–0.49 s)."""
        offset = len(self.docs)
        self.docs.extend(zip(part.docs, urls, strict=True))
        renumber = [self.sections.setdefault(key, len(self.sections)) for key in part.sections]
        kept = renumber == list(range(len(renumber)))
        codes: dict[bytes, bytes] = {}

        def recoded(code: bytes) -> bytes:  # a field code with its section renumbered
            new = codes.get(code)
            if new is None:
                (number,) = read_varints(code.decode("ascii"))
                new = codes[code] = _encoded(renumber[number >> 2] * 4 + (number & 3))
            return new

        self.names.extend((phrase, number + offset) for phrase, number in part.names)
        if kept and offset == 0:  # the first part, into an index with no documents: as it is
            self.postings.update(part.postings)
            self.last_doc.update(part.last_doc)
            return
        for word, postings in part.postings.items():
            # the part's gaps stand, but its first, counted from before its first document,
            # is counted here from this index's last document with the word
            first = _POSTING.match(postings)
            assert first is not None
            (gap,) = read_varints(first[1].decode("ascii"))
            out = self.postings.setdefault(word, bytearray())
            out += _encoded(gap - 1 + offset - self.last_doc.get(word, -1)) + recoded(first[2])
            rest = memoryview(postings)[first.end():]
            out += rest if kept else _POSTING.sub(lambda m: m[1] + recoded(m[2]), rest)
            self.last_doc[word] = part.last_doc[word] + offset

    def files(self) -> tuple[str, dict[str, str]]:
        """The main file's name and every file: ``{name: JavaScript}``, names by content."""
        vocabulary = sorted(self.postings)
        total = sum(len(p) + len(w) + 6 for w, p in self.postings.items())
        count = 1
        while count < 512 and total / count > SHARD_BYTES:
            count *= 2
        shards: list[dict[str, str]] = [{} for _ in range(count)]
        for word in vocabulary:
            shards[fnv1a(word) & (count - 1)][word] = self.postings[word].decode("ascii")
        out: dict[str, str] = {}
        shard_names = []
        for number, shard in enumerate(shards):
            text = "__kbSearchLoad(" + json.dumps({"shard": number, "postings": shard},
                                                  separators=(",", ":")) + ");\n"
            name = _content_name(f"shard-{number}", text)
            out[name] = text
            shard_names.append(name)
        alike: dict[int, list[int]] = {}
        for a, b in sorted(look_alike_pairs(self.names, (tuple(p) for p in  # type: ignore[misc]
                                                         self.terms.look_alike_names))):
            alike.setdefault(a, []).append(b)
            alike.setdefault(b, []).append(a)
        main = {
            "version": 1,
            "shards": shard_names,
            "docs": [[url, doc.title, doc.kind, doc.names, doc.classes]
                     for doc, url in self.docs],
            "sections": [list(key) for key in self.sections],
            "vocabulary": "\n".join(vocabulary),
            "stopwords": list(STOPWORDS),
            "spellings": [[r.british, r.american, r.where] for r in self.terms.spellings],
            "abbreviations": [[a.abbreviation.lower(), a.meanings]
                              for a in self.terms.abbreviations],
            "names": [[name, doc] for name, doc in sorted(self.names)],
            "alike": {str(k): sorted(v) for k, v in sorted(alike.items())},
        }
        text = "__kbSearchLoad(" + json.dumps(main, separators=(",", ":")) + ");\n"
        name = _content_name("index", text)
        out[name] = text
        return name, out
