"""Synthetic formularies for the search tests and the benchmarks: varied monographs, never
published.

Every monograph here is invented: invented or borrowed drug names with invented content, written
only to exercise the generator. ``write_formulary`` writes a ``data/`` folder (monographs,
references, drug classes, and the real ``search-terms.yaml`` so search behaves as on the site).

Each monograph differs in its vocabulary (adverse effects, interactions with other drugs of the
formulary, conditions, excipients and trial names), in its number of regimens (1 to 5), its
sections and its references (3 to 24), and is at least as large as the ketamine monograph.
``SEARCH_ANCHORS`` are hand-written monographs with known words, for the search tests; the rest
are generated from a seed, so the same N always gives the same formulary.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SYLLABLES = ["ba", "ce", "di", "fo", "ga", "he", "ki", "lo", "ma", "ne", "pi", "ro", "sa", "te",
             "vi", "zo", "ly", "qua", "xe", "ju", "wi", "yo", "bru", "cla", "dre", "fla", "gor",
             "tri", "sto", "plu", "mer", "van", "dox", "zan", "rel", "tam", "cor", "nil"]
SUFFIXES = ["mine", "pril", "zole", "statin", "cillin", "done", "pam", "tide", "sartan", "olol",
            "mab", "vir", "azepam", "profen", "floxacin", "dipine", "tropin", "setron", "parin"]

EFFECTS = [
    "hallucinations", "delirium", "dizziness", "drowsiness", "sedation", "headache", "insomnia",
    "agitation", "confusion", "tremor", "seizures", "ataxia", "nystagmus", "paraesthesia",
    "tachycardia", "bradycardia", "palpitations", "hypotension", "hypertension",
    "QT prolongation", "peripheral oedema", "syncope", "nausea", "vomiting", "constipation",
    "diarrhoea", "dyspepsia", "abdominal pain", "dry mouth", "anorexia", "pancreatitis",
    "hepatotoxicity", "jaundice", "raised liver enzymes", "rash", "pruritus", "urticaria",
    "photosensitivity", "alopecia", "Stevens-Johnson syndrome", "neutropenia",
    "thrombocytopenia", "agranulocytosis", "anaemia", "haemorrhage", "bruising",
    "hyperkalaemia", "hyponatraemia", "hypoglycaemia", "hyperglycaemia", "weight gain",
    "urinary retention", "acute kidney injury", "interstitial nephritis", "bronchospasm",
    "respiratory depression", "cough", "dyspnoea", "myalgia", "arthralgia", "tendon rupture",
    "osteoporosis", "adrenal suppression", "gynaecomastia", "extrapyramidal symptoms",
    "tardive dyskinesia", "neuroleptic malignant syndrome", "serotonin syndrome",
    "anaphylaxis", "angioedema", "blurred vision", "tinnitus", "ototoxicity", "fatigue",
    "hiccups", "sweating", "flushing", "injection-site reactions", "lactic acidosis",
]
CONDITIONS = [
    "neuropathic pain", "cancer pain", "breathlessness", "terminal agitation", "delirium",
    "nausea and vomiting", "bowel obstruction", "hypercalcaemia", "spinal cord compression",
    "raised intracranial pressure", "seizures", "anxiety", "depression", "insomnia",
    "pruritus", "hiccups", "death rattle", "constipation", "diarrhoea", "mucositis",
    "oral candidiasis", "urinary tract infection", "community-acquired pneumonia",
    "cellulitis", "deep vein thrombosis", "atrial fibrillation", "heart failure",
    "hypertension", "angina", "type 2 diabetes", "hypothyroidism", "gout", "osteoarthritis",
    "rheumatoid arthritis", "asthma", "chronic obstructive pulmonary disease", "epilepsy",
    "Parkinson disease", "multiple sclerosis", "migraine", "gastro-oesophageal reflux",
    "peptic ulcer", "anaemia", "iron deficiency", "hyperkalaemia", "oedema",
]
MONITORING = ["Blood pressure", "Heart rate", "Respiratory rate", "ECG", "Renal function",
              "Liver function tests", "Full blood count", "Serum potassium", "Serum sodium",
              "Blood glucose", "INR", "Level of sedation", "Pain score", "Bowel function",
              "Weight", "Temperature", "Oxygen saturation", "Plasma concentration"]
EXCIPIENTS = ["lactose", "gelatin", "sorbitol", "sucrose", "soya", "peanut oil", "ethanol",
              "benzyl alcohol", "propylene glycol", "aspartame", "sodium metabisulfite"]
CLASS_LABELS = [
    "Opioid analgesic", "Benzodiazepine", "Antipsychotic", "Antiemetic", "Corticosteroid",
    "Anticonvulsant", "Antidepressant", "Proton pump inhibitor", "Loop diuretic",
    "Thiazide diuretic", "Beta blocker", "Calcium channel blocker", "ACE inhibitor",
    "Angiotensin receptor blocker", "Statin", "Low molecular weight heparin",
    "Direct oral anticoagulant", "Penicillin", "Cephalosporin", "Macrolide",
    "Fluoroquinolone", "Antifungal", "Antiviral", "Laxative", "Antimuscarinic",
    "Antihistamine", "Bisphosphonate", "Insulin", "Sulfonylurea", "Biguanide",
    "Bronchodilator", "Inhaled corticosteroid", "Nonsteroidal anti-inflammatory drug",
    "Vasodilator", "Antiarrhythmic", "Alpha blocker", "Dopamine agonist", "Antispasmodic",
    "Local anaesthetic", "General anaesthetic",
]
SURNAMES = ["Smith", "Jones", "Patel", "Nguyen", "Garcia", "Okafor", "Kowalski", "Rossi",
            "Schmidt", "Tanaka", "Haddad", "Larsen", "Dubois", "Silva", "Murphy", "Kim", "Ahmed",
            "Novak", "Costa", "Fischer", "Moreau", "Ivanova", "Papadopoulos", "Andersen"]
JOURNALS = ["Journal of Pain and Symptom Management", "Palliative Medicine",
            "British Journal of Clinical Pharmacology", "Drugs", "Annals of Pharmacotherapy",
            "BMJ Supportive and Palliative Care", "Clinical Pharmacokinetics", "Lancet"]
INTERACTION_EFFECTS = ["sedation", "plasma concentration", "QT prolongation", "bleeding risk",
                      "hypotension"]
TAKE_WITH = ["food", "water", "milk", "grape juice"]
FREQUENCIES = [("every_4_hours", "mg"), ("every_6_hours", "mg"), ("every_8_hours", "mg"),
               ("every_12_hours", "mg"), ("once_a_day", "mg"), ("twice_a_day", "mg"),
               ("three_times_a_day", "mg"), ("four_times_a_day", "mg"), ("at_night", "mg"),
               ("every_12_hours", "mg/kg"), ("every_8_hours", "mcg/kg")]
ROUTES = ["oral", "intravenous", "subcutaneous", "intramuscular", "rectal", "sublingual",
          "transdermal", "intranasal"]
FORM_FOR_ROUTE = {"oral": "tablet", "intravenous": "solution_for_injection",
                  "subcutaneous": "solution_for_injection",
                  "intramuscular": "solution_for_injection", "rectal": "suppository",
                  "sublingual": "tablet", "transdermal": "transdermal_patch",
                  "intranasal": "nasal_spray"}


@dataclass
class Anchor:
    """A hand-written monograph whose words the search tests rely on."""

    name: str
    cls: str
    synonyms: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


SEARCH_ANCHORS = [
    Anchor("prednisolone", "Corticosteroid", brands=["Predsolan"],
           effects=["hyperglycaemia", "adrenal suppression", "peptic ulceration"],
           text=["Give in the morning with food to reduce dyspepsia.",
                 "Peripheral oedema and fluid retention are common at high doses."]),
    Anchor("prednisone", "Corticosteroid", brands=["Predonix"],
           effects=["moon face", "osteoporosis", "cataracts"],
           text=["Prednisone is converted to its active form in the liver.",
                 "Oestrogen-containing contraceptives raise prednisone levels."]),
    Anchor("hydroxyzine", "Antihistamine", brands=["Hydroxal"],
           effects=["drowsiness", "dry mouth"],
           text=["Used for pruritus and anxiety; anticholinergic effects add up in older "
                 "adults.", "The syrup may change colour when exposed to light."]),
    Anchor("hydralazine", "Vasodilator", brands=["Hydralex"],
           effects=["reflex tachycardia", "lupus-like syndrome", "fluid retention"],
           text=["Check the blood pressure before each dose."]),
    Anchor("haloperidol", "Antipsychotic", synonyms=["haloperidol decanoate"],
           brands=["Halonix"], effects=["extrapyramidal symptoms", "QT prolongation"],
           text=["Used for terminal agitation and delirium; given by continuous subcutaneous "
                 "infusion in a syringe driver.",
                 "A paediatric dose is not stated in the source."]),
    Anchor("levomepromazine", "Antipsychotic", synonyms=["methotrimeprazine"],
           brands=["Nozinex"], effects=["postural hypotension", "sedation"],
           text=["Broad-spectrum antiemetic for nausea and vomiting in palliative care."]),
    Anchor("metoclopramide", "Antiemetic", brands=["Maxolonix"],
           effects=["acute dystonic reactions", "tardive dyskinesia"],
           text=["Prokinetic; avoid in complete bowel obstruction.",
                 "Given as needed for nausea, by mouth or by subcutaneous injection."]),
    Anchor("ondansetron", "Antiemetic", brands=["Zofranil"],
           effects=["constipation", "headache"],
           text=["A 5-HT3 antagonist for postoperative nausea and vomiting."]),
    Anchor("glycopyrronium", "Antimuscarinic", synonyms=["glycopyrrolate"],
           brands=["Robinex"], effects=["dry mouth", "urinary retention"],
           text=["For death rattle (noisy respiratory secretions) at the end of life.",
                 "Also given before caesarean section to dry secretions."]),
    Anchor("morphine", "Opioid analgesic", synonyms=["morphine sulfate"], brands=["Oramorphine"],
           effects=["respiratory depression", "constipation", "pruritus"],
           text=["Monitor the respiratory rate and the level of sedation.",
                 "Accumulates in renal impairment: reduce the dose when the eGFR is low.",
                 "Removed by haemodialysis; give a dose after each session."]),
    Anchor("magnesium", "Laxative", synonyms=["magnesium sulfate"], brands=["Epsalon"],
           effects=["diarrhoea", "hypermagnesaemia"],
           text=["Intravenous use for hypomagnesaemia; oral use as an osmotic laxative.",
                 "Magnesium sulfate protects against eclamptic fits."]),
    Anchor("codeine", "Opioid analgesic", synonyms=["codeine phosphate"], brands=["Codalgin"],
           effects=["constipation", "drowsiness"],
           text=["Ultra-rapid metabolisers form more morphine.",
                 "Breastfed infants may show changes in behaviour."]),
    Anchor("furosemide", "Loop diuretic", synonyms=["frusemide"], brands=["Lasinox"],
           effects=["hypokalaemia", "ototoxicity", "dehydration"],
           text=["Weigh daily; check the serum potassium and renal function.",
                 "Given for oedema in heart failure."]),
    Anchor("enoxaparin", "Low molecular weight heparin", brands=["Clexanol"],
           effects=["bleeding", "heparin-induced thrombocytopenia"],
           text=["Measure the anti-Xa level in severe renal impairment.",
                 "Check the haematocrit and platelet count before starting.",
                 "Given by subcutaneous injection into the abdomen."]),
    Anchor("lidocaine", "Local anaesthetic", synonyms=["lignocaine"], brands=["Xylonix"],
           effects=["perioral numbness", "arrhythmias"],
           text=["Topical plasters for localised neuropathic pain.",
                 "Anaesthetic effect lasts about 12 hours."]),
    Anchor("ketorolac", "Nonsteroidal anti-inflammatory drug", brands=["Toradix"],
           effects=["gastrointestinal bleeding", "acute kidney injury"],
           text=["Maximum 5 days of treatment.",
                 "Stop if oesophagitis or melaena develops."]),
]
"""Hand-written monographs with known words, for the search tests (look-alike pairs:
prednisolone and prednisone, hydroxyzine and hydralazine, morphine and hydromorphone's
neighbours)."""


def synthetic_names(n: int, seed: int, taken: set[str]) -> list[str]:
    """``n`` distinct drug-like names spread over the alphabet (the same for the same seed)."""
    rng = random.Random(seed)
    names: list[str] = []
    while len(names) < n:
        first = chr(ord("a") + len(names) % 26)
        name = first + "".join(rng.choice(SYLLABLES) for _ in range(rng.choice([1, 2, 2, 3])))
        name += rng.choice(SUFFIXES)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def pseudo_word(rng: random.Random, length: int = 3) -> str:
    """An invented word (a trial, an excipient brand, a place): vocabulary a real formulary
    grows with its size."""
    return "".join(rng.choice(SYLLABLES) for _ in range(length))


TEMPLATES = [
    "In a {word} cohort of {n} patients with {cond}, {name} reduced {effect} compared with "
    "{partner}.",
    "Patients with {cond} may need closer monitoring of {monitor}.",
    "{Effect} was reported in {k} of 100 patients in the {Trial} study.",
    "Avoid abrupt withdrawal after long-term use; reduce the dose gradually over {k} days.",
    "Co-administration with {partner} increases the risk of {effect}.",
    "The {maker} product contains {excipient}; check for allergy before the first dose.",
    "{Cond} responded in {k} of 100 cases in an open {word} series.",
    "Older adults are more sensitive to {effect} and {effect2}.",
    "Stop treatment and seek advice if {effect} or {effect2} develops.",
    "There is limited evidence for use in {cond}; the {Trial} registry is still recruiting.",
    "{Partner} and {name} share a {word} metabolic pathway, so plasma levels may rise.",
    "Counsel the patient about {effect} before starting, and review after {k} days.",
]


def prose(rng: random.Random, name: str, others: list[str], count: int, *, maker: str,
          trial: str) -> list[str]:
    """``count`` sentences of varied vocabulary about ``name``."""
    out = []
    for _ in range(count):
        partner = rng.choice(others)
        cond = rng.choice(CONDITIONS)
        effect, effect2 = rng.sample(EFFECTS, 2)
        out.append(rng.choice(TEMPLATES).format(
            word=pseudo_word(rng, 2), n=rng.randint(20, 900), cond=cond,
            Cond=cond[:1].upper() + cond[1:], name=name, effect=effect,
            Effect=effect[:1].upper() + effect[1:], effect2=effect2, partner=partner,
            Partner=partner.capitalize(), monitor=rng.choice(MONITORING).lower(),
            k=rng.randint(2, 40), Trial=trial, maker=maker, excipient=rng.choice(EXCIPIENTS)))
    return out


def _class_id(label: str) -> str:
    return label.lower().replace(" ", "_").replace("-", "_")


def _yaml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON is YAML


def _regimens(rng: random.Random, ref: str, count: int) -> list[dict[str, object]]:
    out = []
    for i in range(count):
        route = ROUTES[(i + rng.randrange(len(ROUTES))) % len(ROUTES)]
        frequency, unit = rng.choice(FREQUENCIES)
        value = rng.choice([0.5, 1, 2, 2.5, 5, 10, 12.5, 20, 25, 40, 50, 100, 200, 250, 500])
        if unit != "mg":
            value = rng.choice([0.1, 0.15, 0.25, 0.5, 1, 2])
        steps: list[dict[str, object]] = [{"kind": "scheduled",
                                           "dose": {"value": value, "unit": unit},
                                           "frequency": frequency}]
        if rng.random() < 0.4:
            steps.append({"kind": "as_needed", "dose": {"value": value, "unit": unit},
                          "as_needed": {"reason": rng.choice(["pain", "nausea", "agitation",
                                                              "breathlessness"]),
                                        "min_interval": {"value": rng.choice([1, 2, 4]),
                                                         "unit": "hours"}}})
        out.append({"id": f"{route}-{i + 1}", "route": route,
                    "indication": rng.choice(CONDITIONS),
                    "qualifier": rng.choice(["product_label", "local_protocol",
                                             "literature_suggests", "guideline_recommends"]),
                    "population": {"groups": [rng.choice(["adult", "older_adult", "child"])]},
                    "citations": [ref], "steps": steps})
    return out


def monograph_yaml(name: str, cls: str, others: list[str], rng: random.Random, *,
                   refs: list[str], anchor: Anchor | None = None) -> str:
    """One monograph's YAML, citing ``refs``. A formulary of one compares it with usual care."""
    others = others or ["usual care"]
    n_refs = len(refs)
    effects = list(anchor.effects if anchor else []) + rng.sample(EFFECTS, rng.randint(6, 14))
    conditions = rng.sample(CONDITIONS, 3)
    partners = rng.sample(others, min(len(others), rng.randint(3, 8)))
    trial = pseudo_word(rng).capitalize()
    maker = pseudo_word(rng, 2).capitalize() + " Pharma"
    organ = rng.choice(["brainstem", "spinal cord", "gut", "kidney", "liver"])
    based_on = f"A synthetic summary by {maker}. [@{refs[0]}]"
    lines = [
        "# Synthetic monograph for tests and benchmarks (tests/synthetic.py); never published.",
        f"title: {_yaml(name.capitalize() + ' for ' + conditions[0])}",
        f"generic_name: {name}",
        f"drug_classes: [{_class_id(cls)}]",
    ]
    if anchor and anchor.synonyms:
        lines.append(f"synonyms: {_yaml(anchor.synonyms)}")
    brands = anchor.brands if anchor else [pseudo_word(rng, 2).capitalize()]
    lines += [f"brand_names: {_yaml(brands)}", f"indication: {_yaml(conditions[0])}",
              "provenance:", f"  based_on: {_yaml(based_on)}",
              "review:", "  status: not_reviewed_locally"]
    sections = {
        "introduction": [f"{name.capitalize()} is a synthetic {cls.lower()} used for "
                         f"{', '.join(conditions)}. [@{refs[0]}]",
                         *(anchor.text if anchor else []),
                         f"The {trial} trial compared it with {partners[0]} in "
                         f"{rng.randint(40, 900)} patients. [@{refs[min(1, n_refs - 1)]}]",
                         " ".join(prose(rng, name, others, 8, maker=maker, trial=trial))],
        "warnings_and_precautions": [" ".join(prose(rng, name, others, 5, maker=maker,
                                                    trial=trial))
                                     for _ in range(rng.randint(14, 20))],
        "mechanism_of_action": [f"It acts on {pseudo_word(rng)} receptors in the {organ}; "
                                f"the {pseudo_word(rng, 2)} pathway is also involved."],
        "contraindications": [f"Known hypersensitivity to {name} or to "
                              f"{rng.choice(EXCIPIENTS)}.",
                              f"{rng.choice(CONDITIONS).capitalize()} that is not controlled."],
        "cautions": [f"{rng.choice(CONDITIONS).capitalize()}; older adults; "
                     f"{rng.choice(['renal', 'hepatic', 'cardiac'])} impairment."],
        "interactions": [f"{p.capitalize()}: {rng.choice(['increased', 'reduced'])} "
                         f"{rng.choice(INTERACTION_EFFECTS)}." for p in partners],
        "renal_impairment": [f"Reduce the dose in {rng.choice(['mild', 'moderate', 'severe'])} "
                             "renal impairment; avoid in dialysis."],
        "pregnancy_and_breastfeeding": ["Avoid unless the benefit outweighs the risk."],
        "compatibility": [" ".join(prose(rng, name, others, 3, maker=maker, trial=trial))],
        "storage_and_stability": [f"Store below {rng.choice([25, 30])} °C; protect from light."],
        "overdose": [f"Features include {rng.choice(EFFECTS)} and {rng.choice(EFFECTS)}; give "
                     "supportive care."],
    }
    for key, paragraphs in sections.items():
        lines.append(f"{key}:")
        lines.append("  paragraphs:" if key != "interactions" else "  items:")
        lines += [f"    - {_yaml(p)}" for p in paragraphs]
    lines += ["adverse_effects:", "  groups:"]
    systems = ["psychiatric", "cardiovascular", "gastrointestinal", "neurological",
               "dermatological", "other"]
    for i in range(0, len(effects), 4):
        lines += [f"    - system: {systems[(i // 4) % len(systems)]}",
                  f"      effects: {_yaml(effects[i:i + 4])}"]
    regimens = _regimens(rng, refs[0], rng.randint(1, 5))
    routes = sorted({str(r["route"]) for r in regimens})
    lines += ["dosing:", f"  citations: [{', '.join(refs)}]", "  considerations:",
              f"    - {_yaml('Take with ' + rng.choice(TAKE_WITH) + '.')}",
              *(f"    - {_yaml(p)}" for p in prose(rng, name, others, 5, maker=maker,
                                                     trial=trial)),
              f"  regimens: {_yaml(regimens)}", "dosage_forms:", "  forms:"]
    for route in routes:
        kind = FORM_FOR_ROUTE[route]
        strength = ({"amount": rng.choice([5, 10, 25, 50]), "unit": "mg", "per": 1,
                     "per_unit": "mL"} if kind == "solution_for_injection"
                    else {"amount": rng.choice([1, 2.5, 5, 10, 20, 50, 100]), "unit": "mg"})
        lines += [f"    - id: {route}-form", f"      kind: {kind}", f"      routes: [{route}]",
                  "      availability: commercial", f"      strengths: [{_yaml(strength)}]",
                  f"      notes: [{_yaml('Contains ' + rng.choice(EXCIPIENTS) + '.')}]"]
    lines += ["monitoring:", "  parameters:"]
    lines += [f"    - parameter: {_yaml(p)}" for p in rng.sample(MONITORING, 4)]
    enzyme = rng.choice(["3A4", "2D6", "2C9", "1A2"])
    half_life = f"Half-life {rng.randint(2, 40)} hours; metabolised by CYP{enzyme}."
    lines += ["pharmacokinetics:", "  paragraphs:",
              f"    - {_yaml(half_life)}",
              "summary:", f"  place_in_therapy: {_yaml(f'Second-line for {conditions[1]}.')}"]
    return "\n".join(lines) + "\n"


def reference_yaml(ref_id: str, rng: random.Random) -> str:
    """One synthetic journal article."""
    authors = rng.sample(SURNAMES, rng.randint(1, 3))
    author_lines = "".join(f"\n    - {{family: {a}, given: {chr(65 + rng.randrange(26))}}}"
                           for a in authors)
    year = rng.randint(1995, 2025)
    title = f"A synthetic study of {pseudo_word(rng)} and {rng.choice(EFFECTS)} ({ref_id})"
    return (f"- id: {ref_id}\n  type: article-journal\n  author:{author_lines}\n"
            f"  title: {_yaml(title)}\n"
            f"  container-title: {_yaml(rng.choice(JOURNALS))}\n"
            f"  volume: \"{rng.randint(1, 80)}\"\n  issue: \"{rng.randint(1, 12)}\"\n"
            f"  page: \"{rng.randint(1, 400)}-{rng.randint(401, 900)}\"\n  issued: {year}\n")


def write_formulary(data: Path, n: int, *, seed: int = 1, anchors: bool = True) -> list[str]:
    """Write a ``data/`` folder with ``n`` synthetic monographs (the search anchors first when
    ``anchors``); returns the generic names."""
    rng = random.Random(seed)
    (data / "monographs").mkdir(parents=True, exist_ok=True)
    chosen = SEARCH_ANCHORS[:n] if anchors else []
    taken = {a.name for a in chosen}
    names = [a.name for a in chosen] + synthetic_names(n - len(chosen), seed, taken)
    classes = {label for label in CLASS_LABELS}
    with (data / "drug-classes.yaml").open("w", encoding="utf-8") as out:
        out.write("# Synthetic drug classes (tests/synthetic.py); never published.\n")
        for label in sorted(classes):
            out.write(f"- id: {_class_id(label)}\n  label: {_yaml(label)}\n")
    # References are shared, as in a real formulary (about nine monographs cite each): a pool
    # of 1.5 N + 50 works, handed out in turn so that every one is cited.
    pool = [f"ref-{i + 1:05d}" for i in range(n * 3 // 2 + 50)]
    start = 0
    for i, name in enumerate(names):
        anchor = chosen[i] if i < len(chosen) else None
        cls = anchor.cls if anchor else CLASS_LABELS[rng.randrange(len(CLASS_LABELS))]
        others = [o for o in names if o != name]
        count = rng.randint(3, 24)
        refs = [pool[(start + k) % len(pool)] for k in range(count)]
        start += count
        text = monograph_yaml(name, cls, others, rng, refs=refs, anchor=anchor)
        (data / "monographs" / f"{name}.yaml").write_text(text, encoding="utf-8")
    with (data / "references.yaml").open("w", encoding="utf-8") as refs_out:
        refs_out.write("# Synthetic references (tests/synthetic.py); never published.\n")
        for ref in pool:
            refs_out.write(reference_yaml(ref, rng))
    shutil.copy(ROOT / "data" / "search-terms.yaml", data / "search-terms.yaml")
    return names


def retitle_last(data: Path, title: str = "Aa first by title") -> str:
    """Give the last monograph file of ``data`` a title that sorts first, as a formulary's titles
    need not follow its file names ("Paracetamol for fever" in acetaminophen.yaml); returns its
    generic name. Its A–Z letter changes with it."""
    last = sorted((data / "monographs").glob("*.yaml"))[-1]
    lines = last.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("title: "))
    lines[at] = f"title: {_yaml(title)}\n"
    last.write_text("".join(lines), encoding="utf-8")
    return last.stem
