"""Reads a user's free text into the four eligibility facts (and a travel purpose).

Each parser returns a small result object: the normalised value, or a `problem` code saying what was wrong,
so that the dialogue can re-ask precisely. Nothing here decides eligibility: see kvisa.assessment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from rapidfuzz import fuzz, process

from kvisa.datafiles import data, policy
from kvisa.phrases import PhraseIndex
from kvisa.text import clip, normalise

SKIPPED = "skipped"  # slot value for a question the user chose to skip

# ----------------------------------------------------------------------------------------------- age

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_TENS["fourty"] = 40  # a common misspelling
_AGE_CUES = re.compile(
    r"(?:\bage[d]?\s*(?:is|of)?\s*[:=]?\s*(?P<a>-?\d+(?:\.\d+)?))"
    r"|(?:(?P<b>-?\d+(?:\.\d+)?)\s*(?:years?|yrs?|yo|y/o|y\.o\.?|year-old|years-old|-year-old|ans|años|anos|jahre|岁)(?:\b|$))"
    r"|(?:\bi\s*(?:'m|am|m)\s+(?:(?:now|only|just|actually|really|currently|already)\s+)?(?P<c>-?\d+(?:\.\d+)?)\b(?!\s*(?:%|cm|kg|k\b|usd|rmb|\$)))",
    re.IGNORECASE,
)
_COMMA_AGE = re.compile(r"(?:^|,)\s*(?P<d>1[6-9]|[2-7]\d)\s*(?:,|\.|;|$)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]*\d)")


@dataclass(frozen=True)
class AgeResult:
    value: Optional[int]
    problem: Optional[str] = None  # no_number | ambiguous | out_of_range
    raw_number: Optional[float] = None


def _words_to_number(text: str) -> Optional[int]:
    """'twenty-nine' -> 29, 'thirty one' -> 31, 'forty' -> 40; None when no number words are present."""
    words = re.findall(r"[a-z]+", text.lower())
    total, seen = None, False
    for word in words:
        if word in _TENS:
            total = (total or 0) + _TENS[word]
            seen = True
        elif word in _UNITS:
            total = (total or 0) + _UNITS[word]
            seen = True
        elif word == "hundred" and seen:
            total = (total or 1) * 100
        elif seen and word not in {"and", "years", "year", "old", "yo"}:
            break
    return total if seen else None


def parse_age(text: str) -> AgeResult:
    if text is None:
        return AgeResult(None, "no_number")
    text = clip(str(text))
    cue = _AGE_CUES.search(text) or _COMMA_AGE.search(text)
    if cue:
        number = float(next(g for g in cue.groups() if g is not None))
    else:
        numbers = [float(n) for n in _NUMBER.findall(text)]
        # four-digit numbers are years ("graduated in 2019"), not ages
        numbers = [n for n in numbers if abs(n) < 1000]
        # "23, 24 in March", "37 or 38": an age and the next birthday's are one answer, the age now
        if len(set(numbers)) > 1 and (max(numbers) - min(numbers) > 1 or min(numbers) < 10):
            return AgeResult(None, "ambiguous")
        if numbers:
            number = min(numbers)
        else:
            worded = _words_to_number(text)
            if worded is None:
                return AgeResult(None, "no_number")
            number = float(worded)
    rule = policy()["rules"]["age"]
    if not rule["sane_min"] <= number <= rule["sane_max"]:
        return AgeResult(None, "out_of_range", raw_number=number)
    return AgeResult(int(number), raw_number=number)


# -------------------------------------------------------------------------------------------- degree

@dataclass(frozen=True)
class DegreeResult:
    level: Optional[str]  # a level id of degrees.yml
    matched: Optional[str] = None
    problem: Optional[str] = None  # unknown


@lru_cache(maxsize=None)
def degree_levels() -> list[dict]:
    return data("degrees")["levels"]


def level_rank(level_id: str) -> int:
    return [level["id"] for level in degree_levels()].index(level_id)


def level_label(level_id: str) -> str:
    return next(level["label"] for level in degree_levels() if level["id"] == level_id)


@lru_cache(maxsize=None)
def _degree_index() -> tuple[PhraseIndex, PhraseIndex]:
    spec = data("degrees")
    pairs = [(alias, level) for level, aliases in spec["aliases"].items() for alias in aliases]
    pairs += [(level["id"], level["id"]) for level in spec["levels"]]
    pairs += [(level["id"].replace("_", " "), level["id"]) for level in spec["levels"]]
    exact_case = [(alias, level) for alias, level in (spec.get("case_sensitive_aliases") or {}).items()]
    return PhraseIndex(pairs), PhraseIndex(exact_case, case_sensitive=True)


def parse_degree(text: str) -> DegreeResult:
    if not text:
        return DegreeResult(None, problem="unknown")
    text = clip(str(text))
    loose, exact = _degree_index()
    found = loose.find_all(text) + exact.find_all(text)
    if not found:
        return DegreeResult(None, problem="unknown")
    # "a bachelor's and a master's" -> the highest level counts
    best = max(found, key=lambda m: (level_rank(m.value), len(m.phrase)))
    return DegreeResult(best.value, matched=best.phrase)


# --------------------------------------------------------------------------------------------- field

@dataclass(frozen=True)
class FieldResult:
    name: Optional[str]
    code: Optional[str] = None
    status: Optional[str] = None  # stem | borderline | not_stem
    matched: Optional[str] = None
    fuzzy: bool = False
    problem: Optional[str] = None  # unknown
    note: Optional[str] = None


# Short keywords that are also everyday English words only count when written in capitals ("IT", "ME").
_CAPITALS_ONLY = {"it", "me", "is", "as", "am", "be", "an", "or", "in", "on", "at", "us", "we", "so", "do",
                  "go", "no", "ma", "ms", "pe"}


@lru_cache(maxsize=None)
def _field_entries() -> list[dict]:
    return data("fields")["fields"]


@lru_cache(maxsize=None)
def _field_index() -> tuple[PhraseIndex, PhraseIndex]:
    loose, capitals = [], []
    by_name = {entry["name"]: entry for entry in _field_entries()}
    for keyword, name in (data("fields").get("case_sensitive_keywords") or {}).items():
        capitals.append((keyword, by_name[name]))
    for entry in _field_entries():
        loose.append((entry["name"], entry))
        for keyword in (entry.get("keywords") or []) + (entry.get("answer_keywords") or []):
            if keyword.lower() in _CAPITALS_ONLY:
                capitals.append((keyword.upper(), entry))
            else:
                loose.append((keyword, entry))
    return PhraseIndex(loose), PhraseIndex(capitals, case_sensitive=True)


def _field_result(entry: dict, matched: str, fuzzy: bool = False) -> FieldResult:
    return FieldResult(entry["name"], str(entry["code"]), entry["status"], matched, fuzzy, note=entry.get("note"))


def _fuzzy_field(text: str) -> Optional[FieldResult]:
    """Typos in a short answer: compare each run of one to three words with every keyword ('phisics' -> physics)."""
    loose, _ = _field_index()
    degree_words, _ = _degree_index()
    # Degree words are not misspelt fields: "diploma" must not become "diplomacy".
    words = [w for w in normalise(text).split()[:40] if w not in degree_words]
    if len(words) > 4:  # a sentence, not an answer: too many chunks to guess from safely
        return None
    choices = [p for p in loose.phrases() if len(p) >= 5]
    best = None
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            chunk = " ".join(words[i:i + size])
            if len(chunk) < 5:
                continue
            # A keyword that only adds a prefix to the chunk is another word, not a typo of it:
            # "engineering" is not "bioengineering", "Ingenieurwesen" is not "Bauingenieurwesen".
            hits = [h for h in process.extract(chunk, choices, scorer=fuzz.ratio, score_cutoff=84, limit=5)
                    if not h[0].endswith(chunk)]
            hit = hits[0] if hits else None
            if hit and (best is None or hit[1] > best[1]):
                best = hit
    if best is None:
        return None
    return _field_result(loose.get(best[0]), best[0], fuzzy=True)


_FIELD_SHORT_WORDS = [(re.compile(r"\beng(?:g|ineerin)?\b\.?", re.IGNORECASE), "engineering"),
                      (re.compile(r"\bsci\b\.?", re.IGNORECASE), "science")]


def _exact_field(text: str) -> Optional[FieldResult]:
    loose, capitals = _field_index()
    found = loose.find_all(text) + capitals.find_all(text)
    if not found:
        return None
    best = max(found, key=lambda m: (len(m.phrase), -m.start))
    return _field_result(best.value, best.phrase)


def parse_field(text: str) -> FieldResult:
    if not text:
        return FieldResult(None, problem="unknown")
    text = clip(str(text))
    expanded = text
    for short, long in _FIELD_SHORT_WORDS:  # "civil eng" -> "civil engineering"
        expanded = short.sub(long, expanded)
    found = _exact_field(text) or _exact_field(expanded) or _fuzzy_field(expanded)
    if found:
        return found
    normalised = normalise(expanded)
    for rule in data("fields").get("fallback_words") or []:
        if re.search(r"\b" + re.escape(rule["word"]) + r"\w*", normalised):
            return FieldResult(text.strip()[:80], str(rule["code"]), rule["status"], rule["word"],
                               note="classified from the general word '%s'" % rule["word"])
    return FieldResult(None, problem="unknown")


def broad_field_name(code: str) -> str:
    return data("fields")["broad_fields"].get(str(code)[:2], "")


# --------------------------------------------------------------------------------------- institution

@dataclass(frozen=True)
class InstitutionResult:
    name: Optional[str]  # canonical name when listed, the user's text when unlisted
    listed: bool = False
    country: Optional[str] = None
    kind: Optional[str] = None
    matched: Optional[str] = None
    fuzzy: bool = False
    problem: Optional[str] = None  # not_an_institution


_INSTITUTION_WORDS = re.compile(
    r"universit|college|institut|school|academ|polytechn|politecn|hochschule|ecole|école|escuela|"
    r"faculty|laborator|\blab\b|centre|center|\btech\b|conservatoire|seminary|大学|学院|研究所|研究院",
    re.IGNORECASE,
)
# Words around a name that are not part of it: "I studied at", "graduated from the", ...
_FILLER = re.compile(
    r"^(?:(?:i|we)\s+)?(?:(?:have\s+)?(?:studied|study|graduated|graduate|got\s+my\s+\w+|did\s+my\s+\w+|was|am|went|"
    r"finished|completed|it\s+was|it's|its|my\s+(?:university|uni|school|college)\s+(?:is|was))\s+)?"
    r"(?:(?:at|from|in)\s+)?(?:the\s+)?",
    re.IGNORECASE,
)


@lru_cache(maxsize=None)
def _institution_entries() -> list[dict]:
    return data("institutions")["institutions"]


@lru_cache(maxsize=None)
def _institution_index() -> PhraseIndex:
    pairs = []
    for entry in _institution_entries():
        pairs.append((entry["name"], entry))
        pairs += [(alias, entry) for alias in entry.get("aliases") or []]
    return PhraseIndex(pairs)


# "univ of tokyo", "uni of melbourne", "inst. of technology"
_SHORT_WORDS_LONG = {"univ": "University", "uni": "University", "inst": "Institute"}
# "univ of tokyo", and "dhaka uni", "tomsk state univ": the word University
_SHORT_WORDS = re.compile(r"\b(?:univ|uni|inst)\b\.?(?=\s+of\b)|(?<=\w )(?:univ|uni)\b\.?", re.IGNORECASE)

# A listed name followed by one of these is the start of a longer, other name:
# "Zhejiang University of Technology" is not "Zhejiang University".
_NAME_CONTINUES = re.compile(r"^ (?:of|university|institute|college|school|academy|polytechnic|brookes)\b")


def _longest_whole_name(index: PhraseIndex, text: str):
    normalised = normalise(text)
    found = [m for m in index.find_all(text)
             if not _NAME_CONTINUES.match(normalised[m.start + len(m.phrase):])
             and not _spells_the_words_before(normalised, m.start, m.phrase)]
    return max(found, key=lambda m: (len(m.phrase), -m.start)) if found else None


_LINKING_WORDS = {"in", "of", "and", "the", "for", "&"}


def _spells_the_words_before(normalised: str, start: int, phrase: str) -> bool:
    """'Master in Information Technology (MIT)': an abbreviation of the words just before it, not MIT."""
    if " " in phrase or not 2 <= len(phrase) <= 6:
        return False
    words = [w for w in re.findall(r"[^\W\d_]+", normalised[max(0, start - 80):start])
             if w not in _LINKING_WORDS][-len(phrase):]
    return len(words) == len(phrase) and "".join(w[0] for w in words) == phrase.lower()


_GENERIC_WORDS = {"university", "of", "the", "institute", "technology", "college", "school", "national", "state",
                  "science", "sciences", "and", "research", "academy", "polytechnic", "technical", "normal", "uni"}


def _distinctive_words_present(candidate: str, query: str) -> bool:
    """A typo match must keep the words that tell institutions apart: 'Standford' is Stanford, but
    'Zhejiang University of Technology' is not 'Beijing University of Technology'."""
    words = query.split()
    for word in candidate.split():
        if word not in _GENERIC_WORDS and max((fuzz.ratio(word, w) for w in words), default=0) < 80:
            return False
    return True


def _listed(entry: dict, matched: str, fuzzy: bool = False) -> InstitutionResult:
    return InstitutionResult(entry["name"], True, entry.get("country"), entry.get("kind"), matched, fuzzy)


def match_institution(text: str) -> InstitutionResult:
    if not text or not str(text).strip():
        return InstitutionResult(None, problem="not_an_institution")
    text = clip(str(text))
    index = _institution_index()
    text = _SHORT_WORDS.sub(lambda m: _SHORT_WORDS_LONG[m.group(0).lower().rstrip(".")], text)
    best = _longest_whole_name(index, text)
    if best:
        return _listed(best.value, best.phrase)
    stripped = _FILLER.sub("", text.strip()).strip(" .!")
    query = normalise(stripped)
    if len(query) >= 5:
        for phrase, _score, _ in process.extract(query, index.phrases(), scorer=fuzz.ratio, score_cutoff=88, limit=5):
            if _distinctive_words_present(phrase, query):
                return _listed(index.get(phrase), phrase, fuzzy=True)
    if _INSTITUTION_WORDS.search(stripped) and 3 <= len(stripped) <= 120:
        return InstitutionResult(stripped, listed=False)
    return InstitutionResult(None, problem="not_an_institution")


# ------------------------------------------------------------------------------------------- purpose

@dataclass(frozen=True)
class PurposeResult:
    purpose: Optional[str]  # a purpose id of purposes.yml
    matched: Optional[str] = None
    problem: Optional[str] = None  # unknown


@lru_cache(maxsize=None)
def purposes() -> list[dict]:
    return data("purposes")["purposes"]


@lru_cache(maxsize=None)
def _purpose_index() -> PhraseIndex:
    pairs = []
    for entry in purposes():
        pairs.append((entry["id"], entry["id"]))
        pairs += [(keyword, entry["id"]) for keyword in entry["keywords"]]
    return PhraseIndex(pairs)


_NEGATION = re.compile(r"\b(?:no|not|without|unpaid|non|never)\W+(?:\w+\W+)?$")


def parse_purpose(text: str) -> PurposeResult:
    if not text:
        return PurposeResult(None, problem="unknown")
    text = clip(str(text))
    prepared = normalise(text)
    # "no salary", "not employed": a negated job word does not make it a job
    found = [m for m in _purpose_index().find_all(text)
             if not (m.value == "job" and _NEGATION.search(prepared[:m.start]))]
    if not found:
        return PurposeResult(None, problem="unknown")
    # A salaried job decides the route even when research or exchanges are mentioned too.
    ids = {m.value for m in found}
    if "job" in ids:
        chosen = next(m for m in found if m.value == "job")
    else:
        chosen = max(found, key=lambda m: len(m.phrase))
    return PurposeResult(chosen.value, chosen.phrase)
