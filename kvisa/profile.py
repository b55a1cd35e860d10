"""Reads a whole message into a profile of ids: the applicant's age, every degree with its field and
institution, whether it is finished or online, whether the applicant teaches or does research, and whether
the profile is someone else's ("my son is 23 ...").

    extract_profile("a 27-year-old developer, BSc in CS from Anna University, then an MSc in robotics at TUM")

Parse once, at the edge: the dialogue keeps the returned ids in slots and `kvisa.assess_profile()` judges
them; nothing downstream reads the user's text again. Every grammar here comes from kvisa/data
(degrees.yml, fields.yml, institutions.yml, people.yml) so that the word lists can be reviewed without code.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Optional

from kvisa.datafiles import data, policy
from kvisa.parsing import (
    _degree_index,
    _exact_field,
    _field_result,
    _fuzzy_field,
    _institution_index,
    _longest_whole_name,
    match_institution,
    parse_age,
    parse_field,
    level_rank,
)
from kvisa.text import normalise

UNLISTED = "unlisted"  # institution id for an institution that is not on our list, or described without a name
UNCLEAR = "unclear"    # degree level id for a degree whose equivalence is unclear
MAX_TEXT = 2000        # longer messages are refused by the channels; never parse more than this

# ------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Degree:
    level: str                       # a level id of degrees.yml, or UNCLEAR
    field: Optional[str] = None      # canonical field name of fields.yml
    institution: Optional[str] = None  # canonical institution name, or UNLISTED
    institution_text: Optional[str] = None  # as written, for an unlisted one
    in_progress: bool = False
    online: bool = False
    written: str = ""                # the degree as the user wrote it ("Dipl.-Ing.")


@dataclass(frozen=True)
class Profile:
    age: Optional[int] = None
    age_note: Optional[str] = None   # how the age was read, when not stated ("born in 1994")
    degrees: tuple = ()
    applicant: Optional[str] = None  # None: the user; otherwise who ("son", "wife", "student")
    teaching_or_research: bool = False
    online_hint: bool = False        # "online" said without a clear degree to attach it to
    skipped: tuple = ()              # the questions the user chose to skip ("age", "field", ...)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["degrees"] = [asdict(d) for d in self.degrees]
        return out

    @staticmethod
    def from_dict(value: Optional[dict]) -> "Profile":
        if not value:
            return Profile()
        known = {k: v for k, v in value.items() if k in Profile.__dataclass_fields__}
        known["skipped"] = tuple(value.get("skipped") or ())
        known["degrees"] = tuple(Degree(**{k: v for k, v in d.items() if k in Degree.__dataclass_fields__})
                                 for d in value.get("degrees") or [])
        return Profile(**known)

    def is_empty(self) -> bool:
        return self.age is None and not self.degrees and not self.teaching_or_research


@lru_cache(maxsize=None)
def _people() -> dict:
    return data("people")


def _words(key: str) -> str:
    """An alternation of the phrases listed under `key` in people.yml, longest first."""
    items = sorted({str(p).lower() for p in _people()[key]}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in items)


# ------------------------------------------------------------------------------------------- age

_NUM_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_WORDED = re.compile(r"\b(" + "|".join(_TENS) + r")(?:[\s-]+(" + "|".join(list(_NUM_WORDS)[1:10]) + r"))?\b"
                     r"|\b(" + "|".join(list(_NUM_WORDS)[13:]) + r")\b")


def _digits_for_words(text: str) -> str:
    """'twenty-nine' -> '29' so that one grammar reads both ('thirteen' and above only: 'one' is a pronoun)."""
    def sub(m: re.Match) -> str:
        if m.group(3):
            return str(_NUM_WORDS[m.group(3)])
        return str(_TENS[m.group(1)] + (_NUM_WORDS[m.group(2)] if m.group(2) else 0))
    return _WORDED.sub(sub, text)


@dataclass(frozen=True)
class AgeFinding:
    value: int
    note: Optional[str] = None
    owner: Optional[str] = None  # None: the user; else the person it belongs to ("son")
    start: int = 0


@lru_cache(maxsize=None)
def _age_grammar():
    n = r"(?P<n>\d{1,3})"
    not_duration = (r"(?!\s*(?:%|cm|kg|lakh|k\b|usd|\$|rmb|months?|weeks?|days?|hours?|times|kids|children|papers|"
                    r"publications|people|patents|countries|languages|semesters?|credits?|gpa|cgpa|percent))")
    after_years = r"(?!\s*(?:of|into|in\s+(?:the|a|my|industry|it|research|academia)|at|as|with|working|work|exp|experience|teaching|research|ago|back|since|later|now|abroad|full|part))"
    unit = r"(?:years?|yrs?|yr|y/o|y\.o\.?|yo|ans|anos|años|jahre|лет|岁|tuổi|tuoi|yaşında|yasinda)"
    other = _words("other_people")
    return {
        # "turning 30 next month", "I'll be 30 in March": the age today is one less
        "turning": re.compile(r"\b(?:turning|turn|i'?ll\s+be|i\s+will\s+be|going\s+to\s+be|gonna\s+be)\s+" + n + r"\b"
                              r"(?!\s*(?:years?\s+)?(?:of|in\s+(?:the|industry)))"),
        # "born in 1994", and in other languages: nací en, nasci em, né en, geboren, nato nel, lahir tahun
        "born": re.compile(r"\b(?:born|dob|date\s+of\s+birth|d\.o\.b\.?|nac[ií]|nasci|n[ée]e?(?=\s+en\b)|geboren|"
                           r"nat[oa]|lahir|sinh\s+năm|doğdum)\s*(?:is|:|-|in|on|en|em|el|nel|im|am|tahun|năm)?\s*"
                           r"(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s./-]+(?P<m>[a-z]+|\d{1,2})[\s,./-]+)?"
                           r"(?P<y>(?:19|20)\d\d)\b"),
        "stated": [
            # "a 27-year-old (software developer)", "27 years old", "27yo", "27 y/o", "27 yrs", "28 anos"
            re.compile(r"\b" + n + r"\s*-?\s*" + unit + r"\s*-?\s*old\b"),
            re.compile(r"\b" + n + r"\s*-?\s*(?:y/o|y\.o\.?|yo|yrs?\s+old|岁|tuổi|tuoi|yaşında|yasinda|na\s+ako\b)"),
            re.compile(r"(?:^|[\s,(])" + n + r"\s*(?:years?|yrs?|yr|ans|anos|años|jahre|лет)\b" + after_years
                       + r"(?=\s*(?:$|[,.;:!?)]|and|with|from|i\b|me\b|having|holding|,|y\b|et\b|e\b|und\b|и\b|dan\b|at\b))"),
            # "aged 31", "age: 33", "age-27", "my age is 29"
            re.compile(r"\b(?:age[d]?|my\s+age\s+is|age\s+is|edad|idade|âge|alter|yaş|yas|возраст|umur\s+saya|usia\s+saya|umur|usia|umurku|"
                       r"3omri|omri|عمري|tuổi|tuoi)\s*(?:is|of|:|=|-|now)?\s*"
                       + n + r"\b" + not_duration),
            # "26 here", "33 now", "34 years young"
            re.compile(r"\b(?P<n>1[6-9]|[2-6]\d)\s+(?:here|now)\b(?!\s+(?:years?|yrs?))"),
            re.compile(r"\b" + n + r"\s*(?:years?|yrs?)\s+young\b"),
            # a bare age as its own sentence or clause: "... University. 35. Lecturer ..." / ". 36, PhD ..."
            re.compile(r"(?:^|[.!?;]\s+)(?P<n>1[6-9]|[2-6]\d)\s*(?:[,;.](?!\d)|$|\()"),
            # "I'm 29", "i m 25", "I am now 31"
            re.compile(r"\b(?:i'?m|i\s+am|i\s+m|im)\s+(?:now\s+|only\s+|just\s+|actually\s+|currently\s+|already\s+|"
                       r"almost\s+|nearly\s+|about\s+|around\s+)?" + n + r"\b(?!\s*[-]?\s*(?:years?|yrs?)\s+(?:of|into|in|at))"
                       + not_duration),
            # "I have 28 years" (a literal translation), not "I have 4 years of experience"
            re.compile(r"\bi\s+(?:have|hav|got)\s+" + n + r"\s+(?:years|anos|años)\b" + after_years
                       + r"(?!\s+(?:old\s+)?(?:of|working|experience|in|at|as))"),
            # "just turned 30"
            re.compile(r"\bturned\s+" + n + r"\b"),
            # a hypothesis about the age: "if I were 47", "what if I was 50", "suppose I were 44"
            re.compile(r"\b(?:(?:if|suppose|supposing|say|imagine|assume|assuming)\s+i\s+(?:were|was|am|had\s+been)|i\s+were)\s+(?:only\s+|just\s+|already\s+)?" + n + r"\b"
                       r"(?!\s*[-]?\s*(?:years?|yrs?)\s+(?:of|into|in|at))" + not_duration),
            # "28, BSc history, Oxford" / "a biologist, 35, PhD from USP"
            re.compile(r"^\s*" + n + r"\s*[,/;]"),
            re.compile(r"[,:]\s*(?P<n>1[6-9]|[2-6]\d)\s*(?:,|;|\.(?!\d)|$)"),
            # "29m", "27/f"
            re.compile(r"\b(?P<n>[1-6]\d)\s*/?\s*(?:m|f)\b(?=\s*(?:$|[,.;]|from|with|here))"),
        ],
        # someone else's age: "my son is 23", "23-year-old daughter", "he's 38", "my wife (41)"
        "other": [
            re.compile(r"\b(?:my|our|his|her)\s+(?:\w+\s+)?(?P<who>" + other + r")\s*(?:,\s*)?(?:who\s+is\s+|is\s+|'s\s+|is\s+now\s+|"
                       r"aged?\s+|\(|,\s*)" + n + r"\b" + not_duration),
            re.compile(r"\b" + n + r"\s*-?\s*(?:years?|yrs?|yr)?\s*-?\s*old\s+(?P<who>" + other + r")\b"),
            re.compile(r"\b(?P<who>he|she)\s*(?:is|'s|s)\s+(?:now\s+|only\s+|just\s+)?" + n + r"\b"
                       r"(?!\s*(?:years?|yrs?)\s+(?:of|into|in|at))" + not_duration),
            re.compile(r"\b(?P<who>he|she)\s+(?:is|'s)\s+" + n + r"\s*(?:years?|yrs?)\s+old\b"),
            re.compile(r"\b(?P<who>" + other + r")\s*[,(]\s*" + n + r"\s*[,)]"),
        ],
    }


@lru_cache(maxsize=None)
def _undo_patterns() -> dict:
    return {name: re.compile(r"\b(?:" + _words(f"what_if_{name}") + r")\b")
            for name in ("finished", "no_research", "on_campus")}


def undone_facts(text: str) -> frozenset:
    """What a what-if takes back without naming a new fact: 'finished' (the degree in progress is done),
    'no_research' (no teaching or research work), 'on_campus' (not an online degree)."""
    low = " ".join(str(text or "").lower().replace("’", "'").split())
    return frozenset(name for name, pattern in _undo_patterns().items() if pattern.search(low))


def _today() -> _dt.date:
    return _dt.date.today()


_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def _age_from_birth(m: re.Match, today: _dt.date) -> Optional[AgeFinding]:
    year = int(m.group("y"))
    if not 1900 < year <= today.year:
        return None
    day, month = m.group("d"), m.group("m")
    month_no = None
    if month:
        month_no = int(month) if month.isdigit() else _MONTHS.get(month[:3])
    if day and month_no and 1 <= month_no <= 12:
        had_birthday = (month_no, int(day)) <= (today.month, today.day)
        age = today.year - year - (0 if had_birthday else 1)
        return AgeFinding(age, note=f"born {int(day)}/{month_no}/{year}", start=m.start())
    # Only the year: the age is one of two numbers; take the one after this year's birthday.
    return AgeFinding(today.year - year, note=f"born in {year}", start=m.start())


def _plausible(value: int) -> bool:
    rule = policy()["rules"]["age"]
    return rule["sane_min"] <= value <= rule["sane_max"]


def find_ages(text: str, today: Optional[_dt.date] = None) -> list[AgeFinding]:
    """Every age stated in a message, the user's and other people's, in order; durations are not ages."""
    today = today or _today()
    low = _digits_for_words(text.lower().translate(_QUOTES))
    grammar = _age_grammar()
    found: list[AgeFinding] = []
    taken: list[tuple[int, int]] = []

    def add(finding: AgeFinding, span: tuple[int, int]):
        if any(a <= span[0] < b or span[0] <= a < span[1] for a, b in taken):
            return
        if _plausible(finding.value):
            found.append(finding)
            taken.append(span)

    for pattern in grammar["other"]:
        for m in pattern.finditer(low):
            who = m.group("who")
            add(AgeFinding(int(m.group("n")), owner=who, start=m.start()), m.span())
    for m in grammar["born"].finditer(low):
        finding = _age_from_birth(m, today)
        if finding:
            add(finding, m.span())
    for m in grammar["turning"].finditer(low):
        add(AgeFinding(int(m.group("n")) - 1, note=f"turning {m.group('n')}", start=m.start()), m.span())
    for pattern in grammar["stated"]:
        for m in pattern.finditer(low):
            add(AgeFinding(int(m.group("n")), start=m.start()), m.span("n"))
    return sorted(found, key=lambda f: f.start)


_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-"})


# --------------------------------------------------------------------------------------- degrees


@dataclass(frozen=True)
class _Mention:
    level: str
    start: int
    end: int
    written: str
    in_progress: bool = False


@lru_cache(maxsize=None)
def _extra_degree_index():
    """Degree names that need more than a level: unclear equivalences and degrees in progress."""
    from kvisa.phrases import PhraseIndex
    spec = data("degrees")
    unclear = [(alias, UNCLEAR) for alias in spec.get("unclear_equivalence") or []]
    progress = [(alias, level) for level, aliases in (spec.get("in_progress_aliases") or {}).items()
                for alias in aliases]
    return PhraseIndex(unclear), PhraseIndex(progress)


def _keep_case(text: str) -> str:
    """normalise() without lower-casing, so that case-sensitive aliases ('MS', 'BE') keep their offsets."""
    kept = _normalise_keep_case(text)
    if len(kept.lower()) != len(kept):
        return normalise(text)  # a character changed length when lower-cased: give up the capitals, keep offsets
    return kept


def _normalise_keep_case(text: str) -> str:
    import unicodedata
    from kvisa.text import strip_accents
    text = strip_accents(unicodedata.normalize("NFKC", text)).translate(_QUOTES)
    text = text.replace(".", "")
    text = re.sub(r"[,;:!?()\[\]{}\"/\\|]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=None)
def _progress_words() -> re.Pattern:
    return re.compile(r"\b(?:" + _words("in_progress_words") + r")\b")


@lru_cache(maxsize=None)
def _finished_words() -> re.Pattern:
    return re.compile(r"\b(?:" + _words("finished_words") + r")\b")


@lru_cache(maxsize=None)
def _online_words() -> re.Pattern:
    return re.compile(r"\b(?:" + _words("online_words") + r")\b")


@lru_cache(maxsize=None)
def _unnamed_institution() -> re.Pattern:
    return re.compile(r"\b(?:" + _words("unnamed_institution") + r")\b")


@lru_cache(maxsize=None)
def _research_route() -> re.Pattern:
    return re.compile(r"\b(?:" + _words("teaching_or_research") + r")\b")


# "I am a lecturer and I ask for my student": in a message asked for someone else, the user's own work is not
# the applicant's
_FIRST_PERSON_BEFORE = re.compile(r"\b(?:i|i'm|im|i've|ive)\b[^.,;!?]*$")


def _works_in_teaching_or_research(low: str, applicant: Optional[str]) -> bool:
    for m in _research_route().finditer(low):
        if applicant and _FOR_SOMEONE.search(low) and (
                m.group(0).startswith("i ") or _FIRST_PERSON_BEFORE.search(low[max(0, m.start() - 40):m.start()])):
            continue
        if _teaches_a_subject_outside_stem(low[m.end():]):
            continue  # "I teach English", "teaching piano": the route is teaching or research in a STEM field
        return True
    return False


def _teaches_a_subject_outside_stem(after: str) -> bool:
    after = re.sub(r"^\s*(?:of|in)\s+", "", after)  # "a lecturer in history", "professor of law"
    subject = re.split(r"[.,;!?()]|\b(?:at|in|for|to|and|but|since|from|with)\b", after, maxsplit=1)[0].strip()
    if not subject or len(subject.split()) > 4:
        return False
    return parse_field(subject).status == "not_stem"


_NEGATED = re.compile(r"\b(?:no|not|without|never|nor|neither|don'?t\s+have|don'?t\s+hold|do\s+not\s+hold|"
                      r"doesn'?t\s+(?:have|hold)|does\s+not\s+(?:have|hold)|didn'?t\s+(?:get|finish|complete)|"
                      r"never\s+(?:finished|completed|got|did|had|done)|didn'?t\s+do|did\s+not\s+do|haven'?t\s+(?:done|got)|"
                      r"não\s+tenho|nao\s+tenho|no\s+tengo|nunca\s+(?:hice|fiz|terminé|termine)|"
                      # "sin la licenciatura", "sem o bacharelado", "sans licence", "ohne Bachelor", "senza laurea"
                      r"sin|sem|sans|ohne|senza|bez|tanpa)"
                      r"(?:\s+(?:a|an|any|other|my|the|further|real|formal|la|el|o|a|le|la|il|den|die|das|mi|meu|"
                      r"having|holding|owning|got|get|have))*\s*$")


# a degree's document, which is also the name of a diploma-level qualification (actions/verdict.py reads it too)
DOCUMENT_WORDS = {"diploma", "diplom", "diplome", "diplôme"}
_DOCUMENT_BEFORE = re.compile(r"\b(?:the|his|her|their|our|your|its|this|that|which|what|whose|my|each|any|"
                              r"a\s+phd|phd)\s+$")


def _mentions(keep: str, low: str) -> list[_Mention]:
    loose, exact = _degree_index()
    unclear, progress = _extra_degree_index()
    raw: list[_Mention] = []
    for index, prepared, in_progress in ((progress, low, True), (unclear, low, False), (loose, low, False),
                                         (exact, keep, False)):
        for m in index.find_prepared(prepared):
            raw.append(_Mention(m.value, m.start, m.start + len(m.phrase), m.phrase, in_progress))
    # Longest first; a mention inside a longer one is the same degree ("master of science (msc)" is one).
    raw.sort(key=lambda m: (-(m.end - m.start), m.start))
    kept: list[_Mention] = []
    for m in raw:
        if any(k.start <= m.start < k.end or m.start <= k.start < m.end for k in kept):
            continue
        kept.append(m)
    kept.sort(key=lambda m: m.start)
    # "no other diploma", "not a PhD", "never finished my doctorate" (a degree not held is not a mention)
    kept = [m for m in kept if not _NEGATED.search(low[max(0, m.start - 24):m.start])]
    # "wait for the diploma", "my Magistr diploma": the document of a degree, not a diploma-level qualification
    kept = [m for i, m in enumerate(kept)
            if not (m.written.strip().lower() in DOCUMENT_WORDS and m.level == "below_bachelor"
                    and (_DOCUMENT_BEFORE.search(low[max(0, m.start - 12):m.start])
                         or (i and 0 <= m.start - kept[i - 1].end <= 1)))]
    merged: list[_Mention] = []
    for m in kept:
        # "MSc (Master of Science)", "a master's degree, an MSc": the same level right after is the same degree
        if merged and merged[-1].level == m.level and 0 <= m.start - merged[-1].end <= 4:
            merged[-1] = replace(merged[-1], end=m.end)
            continue
        merged.append(m)
    return merged


def _is_in_progress(low: str, mention: _Mention, prev_end: int, seg_end: int) -> bool:
    if mention.in_progress:
        return True
    before = low[max(prev_end, mention.start - 40):mention.start]
    before = re.split(r"[.;!?]|\bbut\b|\band\b", before)[-1]
    after = low[mention.end:min(seg_end, mention.end + 60)]
    # "a B.A. from Heidelberg, and now I am doing a Master": the next clause is about another degree
    after = re.split(r"[.;!?]|\bbut\b|\band\s+(?:a|an|my|then|now|currently)\b|\b(?:now|currently)\s+(?:i(?:'m|m)?\b|doing|studying|pursuing|enrolled)", after)[0]
    window = before + " | " + after  # not one phrase across the degree's name: "finish | in physics"
    if _finished_words().search(window):
        return False
    return bool(_progress_words().search(window))




def _field_in(segment: str) -> Optional[str]:
    found = _exact_field(segment)
    return found.name if found else None


def field_named_in_text(text: str) -> Optional[str]:
    """The field of study named anywhere in the message (by its listed names and keywords), or None."""
    return _field_in(str(text or "")[:MAX_TEXT])


def field_named_in(text: str) -> bool:
    return field_named_in_text(text) is not None


_AFTER_DEGREE = re.compile(r"^[\s:(-]*(?:(?:degree|diploma|programme|program|course|studies)\s+)?"
                           r"(?:(?:in|of|on|en|em|di|in the field of|majoring in|major in)\s+)?"
                           r"((?:[\w&'-]+)(?:\s+[\w&'-]+){0,2})")


def _field_right_after(text: str) -> Optional[str]:
    """A field named right after a degree, as a short answer would name it: 'BE electrical', 'MSc phisics',
    'Master in management' (the answer-only words, typos and general words count here)."""
    m = _AFTER_DEGREE.match(text[:60])
    if not m:
        return None
    words = m.group(1).split()
    stop = {"from", "at", "in", "and", "with", "of", "degree", "i", "my", "but", "then", "which", "that", "the"}
    chunk = []
    for w in words:
        if w.lower() in stop:
            break
        chunk.append(w)
    if not chunk:
        return None
    parsed = parse_field(" ".join(chunk))
    return parsed.name if parsed.name and not parsed.problem else None


@lru_cache(maxsize=None)
def _names_without_field() -> frozenset:
    return frozenset(normalise(str(n)) for n in data("degrees").get("names_without_field") or [])


def _first_field(segment: str, as_written: Optional[str] = None) -> Optional[tuple[int, str]]:
    """The first field named in a piece of text; capitals-only keywords ("IT") are looked up in `as_written`,
    the same piece with its capitals (same offsets)."""
    from kvisa.parsing import _field_index
    loose, capitals = _field_index()
    matches = loose.find_prepared(segment.lower()) + capitals.find_prepared(as_written or segment)
    if not matches:
        return None
    first = min(matches, key=lambda m: (m.start, -len(m.phrase)))
    return first.start, first.value["name"]


_INSTITUTION_HEAD = re.compile(
    r"(?:\b(?:from|at)|@)\s+(?:the\s+)?((?:[a-z0-9'&-]+\s+){0,6}?(?:university|universidad|universidade|universita|"
    r"universite|universitat|college|institute|institut|instituto|school|academy|polytechnic|politecnico|"
    r"hochschule|fachhochschule|ecole|escuela|faculdade|facultad|faculty|uni)\b(?:\s+(?:of|de|da|do|di|for)\s+"
    r"(?:(?!(?:in|at|from|since|during|with|where|which|who|when|after|before|but|i|my|now|then|until|\d+)\b)"
    r"[a-z0-9'&-]+\s*){1,4})?)")


# "from Fatec", "at Bocconi": a capitalised name after from/at, in the text as written
_NAMED_AFTER = re.compile(r"\b(?:from|at|@)\s+(?:the\s+)?((?:[A-Z][\w&'-]*)(?:\s+(?:of|de|da|do|di|del|the|and|for|"
                          r"[A-Z][\w&'-]*)){0,6})")
# the same in a message typed in lowercase: a short name, then the end of the clause
_LOWERCASE_NAMED_AFTER = re.compile(
    r"\b(?:from|at|@)\s+(?:the\s+)?([a-z][a-z0-9&'.-]{1,24}(?:\s+[a-z][a-z0-9&'.-]{1,24}){0,2}?)"
    r"(?=\s*(?:$|[,;!?()]|\.(?:\s|$)|\d|\b(?:in|and|n|finished|graduated|grad|last|this|now|since|with|but|so|"
    r"batch|class|year|yr|passed|passout)\b))")


@lru_cache(maxsize=None)
def _places() -> frozenset:
    """Country and region names in English (from Babel's CLDR data), lowercased: 'from India' is not a college."""
    from babel import Locale
    return frozenset(name.lower() for name in Locale("en").territories.values())


def _is_a_place(name: str) -> bool:
    """A country or region's name, or a name that starts with one ("Switzerland Wondering", from "PhD from
    Switzerland. Wondering ...", where the full stop was lost)."""
    words = " ".join(name.lower().split()).strip(" .,").split()
    return any(" ".join(words[:n]) in _places() for n in range(1, min(len(words), 3) + 1))


def _not_a_name(name: str) -> bool:
    words = name.lower().split()
    return (_is_a_place(name) or words[0] in _words_set("not_institution_names")
            or _degree_index()[0].find_prepared(name.lower()) != [])


@lru_cache(maxsize=None)
def _words_set(key: str) -> frozenset:
    return frozenset(str(p).lower() for p in _people()[key])


_NOT_NAMES = {"I", "Google", "Microsoft", "Amazon", "Meta", "Apple", "Siemens", "Bosch", "Huawei", "Tencent", "Alibaba",
              "The", "My", "A", "An", "Home", "Work", "Present", "Moment", "Least", "All"}


_INSTITUTION_WORD = (r"(?:University|Université|Universite|Universidad|Universidade|Università|Universita|Universität|"
                     r"Universitat|Universitas|Universiteit|Uniwersytet|Üniversitesi|Universiti|Institute|Institut|"
                     r"Instituto|Istituto|College|Faculty|Faculté|Faculte|Facultad|Faculdade|School|Academy|Académie|"
                     r"Polytechnic|Politecnico|Politehnica|Polytechnique|Politécnica|Hochschule|Fachhochschule|"
                     r"École|Ecole|Escuela|Escola|Đại học|Dai hoc)")
_NAME_WORD = r"(?:[A-Z][\w'&.-]*|[A-Z]\*[A-Z]+)"
_CAPITALISED_INSTITUTION = re.compile(
    r"(?:" + _NAME_WORD + r"\s+){0,4}" + _INSTITUTION_WORD + r"\b(?:\s+(?:of|de|des|da|do|di|del|du|für|for|and|&|la|le)?"
    r"\s*(?:" + _NAME_WORD + r"\s*){1,4})?")


_AFFILIATED = re.compile(r"\baffiliated\b")


def _affiliated_college(text: str) -> str:
    """'its a private engineering college in coimbatore, affiliated to anna university' -> the words naming the
    college before 'affiliated' (at most eight), as the user wrote them."""
    before = re.split(r"\baffiliated\b", text, maxsplit=1, flags=re.IGNORECASE)[0]
    words = re.sub(r"^.*\b(?:from|at|is|its|it's)\s+", "", before.strip(" ,;.-"), flags=re.IGNORECASE).split()
    return " ".join(words[-8:]).strip(" ,;.-")[:80] or text.strip()[:80]


def _institution_in(segment: str, as_written: Optional[str] = None) -> tuple[Optional[str], Optional[str]]:
    """(canonical name or UNLISTED, the text as written) for the institution named in a piece of text."""
    best = _longest_whole_name(_institution_index(), segment)
    if best and _AFFILIATED.search(normalise(segment)[max(0, best.start - 30):best.start]):
        # "a private college affiliated to Anna University": the degree is the college's, not on our list
        return UNLISTED, _affiliated_college(as_written or segment)
    if best:
        return best.value["name"], best.phrase
    if as_written:
        named = _NAMED_AFTER.search(as_written[:80])
        if named and named.group(1).split()[0] not in _NOT_NAMES and not _is_a_place(named.group(1)) \
                and not _INSTITUTION_HEAD.search(segment):
            return UNLISTED, named.group(1).strip()
        if as_written == as_written.lower():
            # someone who types in lowercase: "btech ece from srm", "bs nursing grad from ust 2021"
            named = _LOWERCASE_NAMED_AFTER.search(as_written[:80])
            if named and not _not_a_name(named.group(1)) and not _INSTITUTION_HEAD.search(segment):
                return UNLISTED, named.group(1).strip()
    head = _INSTITUTION_HEAD.search(segment)
    if head:
        phrase = head.group(1).strip()
        parsed = match_institution(phrase)
        if parsed.listed:
            return parsed.name, phrase
        return UNLISTED, phrase
    if as_written:
        # a capitalised name around an institution word, without from/at: "..., Kasetsart University."
        named = _CAPITALISED_INSTITUTION.search(as_written[:160])
        if named:
            phrase = named.group(0).strip(" ,.;")
            parsed = match_institution(phrase)
            if parsed.listed:
                return parsed.name, phrase
            return UNLISTED, phrase
    if _unnamed_institution().search(segment):
        return UNLISTED, None
    return None, None


# "... and now I work at X", "but I teach at Y": a new clause about the user's work, not about the degree before
# it (its institution, field and online words are not the degree's). Clauses about the degree itself go on
# ("and I did it at X", "and I studied at Y").
_NEW_CLAUSE = re.compile(
    r"\b(?:and|but|now|so|while|currently|today|where)\s+(?:now\s+|currently\s+|also\s+|today\s+|then\s+)?"
    r"(?:i|i'm|im|i've|ive|we)\b(?!\s+(?:did|got|earned|completed|finished|studied|obtained|graduated|took|hold|"
    r"held|received|have\s+(?:a|an|my|another|also)|also\s+(?:did|got|have|hold))\b)")
_WORKPLACE_BEFORE = re.compile(r"\b(?:work|works|working|worked|teach|teaches|teaching|taught|job|offer|offers|"
                               r"employed|employer|employs|hired|hiring|lecturer|professor|researcher|scientist|"
                               r"postdoc|intern|internship|visit|visiting|conference|chercheur|chercheuse|forscher|"
                               r"forscherin|investigador|investigadora|pesquisador|pesquisadora|ricercatore|"
                               r"ricercatrice|trabajo|trabalho|travaille|arbeite)\b")
_FIELD_CLAUSE_BEFORE = re.compile(r"[,;.:/+()]|\b(?:and|then|after|afterwards|before|followed|plus|also|with)\b")
_CLAUSE_BEFORE = re.compile(r"\b(?:and|but|so|while|now)\s+(?:i|i'm|im|i've|ive|we)\b")


def _merge_repeats(degrees: list, mentions: list) -> tuple[list, list]:
    """'my PhD at Charles University ... does a PhD candidate count?': a later mention of the same level that
    adds nothing different is the same degree, told again."""
    kept_d, kept_m = [], []
    for d, m in zip(degrees, mentions):
        same = next((i for i, k in enumerate(kept_d) if k.level == d.level
                     and (d.field is None or k.field is None or d.field == k.field)
                     and (d.institution is None or k.institution is None or d.institution == k.institution)), None)
        if same is None:
            kept_d.append(d)
            kept_m.append(m)
            continue
        k = kept_d[same]
        kept_d[same] = replace(k, field=k.field or d.field, institution=k.institution or d.institution,
                               institution_text=k.institution_text or d.institution_text,
                               in_progress=k.in_progress or d.in_progress, online=k.online or d.online)
    return kept_d, kept_m


def _long_word(m: re.Match) -> str:
    """'univ of tokyo' -> 'University of tokyo'; 'dhaka uni' -> 'dhaka university' (in the case of the words before,
    so that a lowercase name stays one that the lowercase rules read)."""
    from kvisa.parsing import _SHORT_WORDS_LONG
    long = _SHORT_WORDS_LONG[m.group(0).lower().rstrip(".")]
    before = m.string[max(0, m.start() - 2):m.start()]
    return long.lower() if before.strip() and before.strip()[-1].islower() else long


def _degrees(text: str) -> tuple[list[Degree], bool]:
    from kvisa.parsing import _SHORT_WORDS, _SHORT_WORDS_LONG
    # "univ of tokyo", "uni of melbourne" -> "University of ..." before anything is matched
    text = _SHORT_WORDS.sub(_long_word, text)
    keep = _keep_case(text)
    low = keep.lower()
    mentions = _mentions(keep, low)
    online_anywhere = bool(_online_words().search(low))
    # "Doctor of Philosophy in physics": the subject word inside such a name is not the degree's field, so
    # fields are looked for with those names blanked out (same offsets)
    field_low, field_keep = low, keep
    for m in mentions:
        if normalise(m.written) in _names_without_field():
            blank = " " * (m.end - m.start)
            field_low = field_low[:m.start] + blank + field_low[m.end:]
            field_keep = field_keep[:m.start] + blank + field_keep[m.end:]
    out: list[Degree] = []
    last_end = len(low)  # where the text about the last degree ends (before a clause about something else)
    for i, m in enumerate(mentions):
        seg_start = m.start
        seg_end = next_start = mentions[i + 1].start if i + 1 < len(mentions) else len(low)
        cut = _NEW_CLAUSE.search(low, m.end, seg_end)
        if cut:
            seg_end = cut.start()
        if i + 1 == len(mentions):
            last_end = seg_end
        prev_end = mentions[i - 1].end if i else 0
        segment = low[seg_start:seg_end]
        # The field of this degree: after it ("MSc in robotics"), else just before it ("a physics PhD").
        found = _first_field(field_low[seg_start:seg_end], field_keep[seg_start:seg_end])
        field_name = found[1] if found and found[0] <= 60 else None
        if field_name is None:
            field_name = _field_right_after(keep[m.end:seg_end])
        if field_name is None:
            b0 = max(prev_end, m.start - 40)
            # only the clause just before this degree: "a physics PhD", not "Licence in physics and then a Master"
            cut_before = list(_FIELD_CLAUSE_BEFORE.finditer(low, b0, m.start))
            if cut_before:
                b0 = cut_before[-1].end()
            before = low[b0:m.start]
            hit = _first_field(before, keep[b0:m.start]) if before.strip() else None
            field_name = hit[1] if hit else None
        institution, written_inst = _institution_in(segment[:160], keep[seg_start:seg_end])
        if institution is None:
            before = low[max(prev_end, m.start - 60):m.start]
            inst_before = _longest_whole_name(_institution_index(), before) if before.strip() else None
            if inst_before and _WORKPLACE_BEFORE.search(normalise(before)[max(0, inst_before.start - 40):inst_before.start]):
                inst_before = None  # "I teach at Monash, but my only degree is ...": a workplace, not the degree's
            if inst_before:
                institution, written_inst = inst_before.value["name"], inst_before.phrase
        before = _CLAUSE_BEFORE.split(low[max(prev_end, m.start - 40):m.start])[-1]
        online = bool(_online_words().search(before + " " + low[m.start:min(seg_end, m.end + 80)]))
        out.append(Degree(m.level, field_name, institution, written_inst if institution == UNLISTED else None,
                          _is_in_progress(low, m, prev_end, next_start), online, m.written))
    out, mentions = _merge_repeats(out, mentions)
    # "a BSc and an MSc in physics from Delft": a degree with nothing of its own shares the next one's.
    for i in range(len(out) - 2, -1, -1):
        gap = low[mentions[i].end:mentions[i + 1].start]
        if len(gap.strip()) <= 8:
            d, nxt = out[i], out[i + 1]
            out[i] = replace(d, field=d.field or nxt.field, institution=d.institution or nxt.institution,
                             institution_text=d.institution_text or nxt.institution_text,
                             online=d.online or nxt.online)
    if not out:
        # No degree named, but a listed institution ("what if my degree was from MIT?", "I studied at Tsinghua"):
        # the institution of the degree still to be named. Not a workplace ("I work at Tsinghua").
        named = _longest_whole_name(_institution_index(), low)
        if named is not None and _AFFILIATED.search(low[max(0, named.start - 30):named.start]):
            out.append(Degree("", institution=UNLISTED, institution_text=_affiliated_college(keep)))
        elif named is not None and not _WORKPLACE_BEFORE.search(low[max(0, named.start - 40):named.start]):
            out.append(Degree("", institution=named.value["name"]))
    if len(out) == 1 and (out[0].field is None or out[0].institution is None):
        # One degree: a field or institution anywhere in the message is that degree's.
        d = out[0]
        about = low[:last_end]  # not a later clause about work ("... and now I teach at X")
        field_name = d.field or _field_in(field_low[:last_end])
        institution, written = (d.institution, d.institution_text)
        if institution is None:
            institution, written = _institution_in(about)
            at = about.find((written or "").lower()) if written else -1
            if institution and at >= 0 and _WORKPLACE_BEFORE.search(about[max(0, at - 40):at]):
                institution = written = None  # "I teach computer science at Monash, my degree is ...": a workplace
        out[0] = replace(d, field=field_name, institution=institution,
                         institution_text=written if institution == UNLISTED else None)
    return out, online_anywhere


# ------------------------------------------------------------------------------------------ profile


@lru_cache(maxsize=None)
def _someone_else() -> re.Pattern:
    # "my son", "my younger son", "my 26-year-old sister"
    return re.compile(r"\b(?:my|our)\s+(?:[\w-]+\s+)?(?P<who>" + _words("other_people") + r")\b")


@lru_cache(maxsize=None)
def _for_a_person() -> re.Pattern:
    # "asking for a colleague", "on behalf of a friend"
    return re.compile(r"\b(?:for|about|behalf\s+of)\s+(?:a|an)\s+(?:[\w-]+\s+)?(?P<who>" + _words("other_people") + r")\b")


@lru_cache(maxsize=None)
def _someone_else_in_other_languages() -> tuple[re.Pattern, re.Pattern, dict]:
    spec = _people()["other_people_in_other_languages"]
    alt = lambda items: "|".join(re.escape(str(w).lower()).replace(r"\ ", r"\s+")
                                 for w in sorted(items, key=len, reverse=True))
    after = re.compile(r"\b(?:" + alt(spec["my_words"]) + r")\s+(?P<who>" + alt(spec["after_my"]) + r")\b")
    before = re.compile(r"\b(?P<who>" + alt(spec["before_my"]) + r")\s+(?:" + alt(spec["my_words_after"]) + r")\b")
    english = {str(k).lower(): v for k, v in {**spec["after_my"], **spec["before_my"]}.items()}
    return after, before, english


def _other_person(low: str) -> Optional[tuple[str, re.Match]]:
    """(the person in English, where it is said) when the message speaks of "my son", "mon fils", "adik saya"."""
    found = _someone_else().search(low) or _for_a_person().search(low)
    if found:
        who = found.group("who")
        if low[max(0, found.start() - 7):found.start()].endswith("one of ") and who.endswith("s") \
                and who[:-1] in _words_set("other_people"):
            who = who[:-1]  # "one of my students": a student
        return who, found
    after, before, english = _someone_else_in_other_languages()
    found = after.search(low) or before.search(low)
    if found:
        return english[found.group("who")], found
    return None


@lru_cache(maxsize=None)
def _other_person_word() -> re.Pattern:
    return re.compile(r"\b(?:" + _words("other_people") + r")\b")


# "I have a BSc", "I hold an MSc", "my master's is from ...": the user states a degree of their own
_OWN_DEGREE_LEAD = re.compile(r"\b(?:i\s+(?:also\s+|already\s+|just\s+)?(?:have|hold|got|earned|did|completed|finished|"
                              r"obtained|received|studied)|i'?ve\s+(?:got|done|earned|completed|finished)|my)\b")


def _claims_own_degree(low: str) -> bool:
    """Whether the user states a degree of their own (a degree named within a few words after "I have", "my"),
    so that another person's age in the same message ("my brother is 35") is only a remark."""
    for m in _OWN_DEGREE_LEAD.finditer(low):
        after = low[m.end():m.end() + 30]
        other = _other_person_word().search(after)
        if other:
            after = after[:other.start()]  # "I have a son with a BSc": the degree is the son's
        keep = _keep_case(after)
        if _mentions(keep, keep.lower()):
            return True
    return False


_FIRST_PERSON_SUBJECT = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll)\b(?!\s*(?:think|wonder|want\s+to\s+know|was\s+wondering|would\s+like|'d\s+like|need\s+to\s+know|hope|guess))")
_THIRD_PERSON = re.compile(r"\b(?:he|she|his|her|him|they)\b")
_FOR_SOMEONE = re.compile(r"\b(?:for|about|behalf\s+of|asking\s+for)\s+(?:one\s+of\s+)?(?:my|our|a|an)\s+(?:\w+\s+)?(?P<who>\w+)")


def extract_profile(text: str, today: Optional[_dt.date] = None) -> Profile:
    """Every eligibility fact a message states, wherever it stands; an empty Profile when there is none."""
    if not text:
        return Profile()
    text = str(text)[:MAX_TEXT]
    low = text.lower().translate(_QUOTES)
    ages = find_ages(text, today)
    degrees, online_anywhere = _degrees(text)
    other = _other_person(low)
    applicant = None
    own = [a for a in ages if a.owner is None]
    theirs = [a for a in ages if a.owner is not None]
    third_person = bool(_THIRD_PERSON.search(low))
    # Another person's profile when the message is asked for them, speaks of them (he, she, his), or gives
    # only their age; not when the user gives their own age or their own degree ("my wife is 30 and I have
    # a PhD": the wife's age is a remark).
    speaks_as_i = bool(_FIRST_PERSON_SUBJECT.search(low))
    if other and (_FOR_SOMEONE.search(low) or (third_person and not own)
                  or (theirs and (third_person or not (own or _claims_own_degree(low))))
                  # "my husband is Japanese, 39, he has ...", "check my girlfriend, 28yo, ...": all about them
                  or (not speaks_as_i and (third_person or own or degrees))):
        applicant = other[0]
    age = note = None
    if applicant:
        pick = theirs[0] if theirs else (own[0] if own and not speaks_as_i else None)
        if pick:
            age, note = pick.value, pick.note
    elif own:
        age, note = own[0].value, own[0].note
    route = _works_in_teaching_or_research(low, applicant)
    online_hint = online_anywhere and not any(d.online for d in degrees)
    return Profile(age, note, tuple(degrees), applicant, route, online_hint)


def _looks_like_a_name(text: str) -> bool:
    """'UP Manila', 'UnADM': a short text with letters, a capital or two words, and not a non-answer."""
    text = text.strip()
    if not (2 <= len(text) <= 150) or "?" in text or not re.search(r"[^\W\d_]{2,}", text):
        return False
    if normalise(text) in {normalise(p) for p in _people()["non_answers"]}:
        return False
    return any(ch.isupper() for ch in text) or len(text.split()) >= 2


def _name_part(text: str) -> str:
    """'UnADM, the open university of Mexico, all online' -> 'UnADM': the name before any comment."""
    head = re.split(r",|;|\(|\s-\s|\bis\b|\bwhich\b|\bbut\b", text.strip(), maxsplit=1)[0].strip(" .")
    return (head or text.strip())[:80]


@lru_cache(maxsize=None)
def _word_stems() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(r"\b" + item["stem"], re.IGNORECASE), item["level"])
            for item in data("degrees").get("answer_stems") or []]


def _degree_from_word_stems(text: str) -> Optional[str]:
    """An answer to "What is your highest degree?" that names no degree we list: the first word stem that shows
    a level ('Doktorat' -> doctorate, 'técnico' -> below bachelor), from degrees.yml answer_stems."""
    low = normalise(text)
    found = [(m.start(), level) for pattern, level in _word_stems() for m in [pattern.search(low)] if m]
    return min(found)[1] if found else None


def answer_profile(text: str, asked: Optional[str], today: Optional[_dt.date] = None) -> Profile:
    """A reply to one question of the form: the whole message as for extract_profile, plus a bare answer read
    as the fact that was asked for ('27' to 'How old are you?', 'physics' to 'What did you study?')."""
    profile = extract_profile(text, today)
    text = str(text or "")[:MAX_TEXT]
    if asked == "age" and profile.age is None:
        parsed = parse_age(text)
        if parsed.value is not None:
            profile = replace(profile, age=parsed.value)
        else:
            profile = _age_in_other_words(profile, text, today or _today())
    elif asked == "field" and not any(d.field for d in profile.degrees):
        parsed = parse_field(text)
        if parsed.name:
            degrees = profile.degrees or ()
            if degrees:
                degrees = (replace(degrees[0], field=parsed.name),) + tuple(degrees[1:])
            profile = replace(profile, degrees=degrees or (Degree("", field=parsed.name),))
    elif asked == "institution" and not any(d.institution for d in profile.degrees):
        parsed = match_institution(text)
        inst = written = None
        if parsed.listed and _AFFILIATED.search(text.lower()):
            inst, written = UNLISTED, _affiliated_college(text)  # a college affiliated to a listed university
        elif parsed.listed:
            inst = parsed.name
        elif parsed.name or _unnamed_institution().search(text.lower()):
            inst, written = UNLISTED, parsed.name
        elif profile.is_empty() and _looks_like_a_name(text):
            # The answer to "Which university?": a name we do not know is still that name ("UP Manila").
            inst, written = UNLISTED, _name_part(text)
        if inst:
            degrees = profile.degrees or (Degree(""),)
            degrees = (replace(degrees[0], institution=inst, institution_text=written),) + tuple(degrees[1:])
            profile = replace(profile, degrees=degrees)
    elif asked == "institution":
        # "Universiti Malaya. My bachelor is from Norton University": the answer comes first, before another
        # degree's institution; a bare institution belongs to the degree being asked about (actions' merge)
        head = match_institution(_name_part(text))
        if head.listed and head.name not in {d.institution for d in profile.degrees}:
            profile = replace(profile, degrees=(Degree("", institution=head.name),) + tuple(profile.degrees))
    elif asked == "degree" and not any(d.level for d in profile.degrees):
        level = _degree_from_word_stems(text)
        if level:
            degrees = profile.degrees or (Degree(""),)
            degrees = (replace(degrees[0], level=level, written=_name_part(text)),) + tuple(degrees[1:])
            profile = replace(profile, degrees=degrees)
    return profile


_LONE_YEAR = re.compile(r"(?<!\d)(19[3-9]\d|200\d|201[0-2])(?!\d)")


def _age_in_other_words(profile: Profile, text: str, today: _dt.date) -> Profile:
    """The answer to 'How old are you?' in other words: a birth year alone ('1993 doğumluyum', 'urodziłem się
    w 1989': the age after this year's birthday, said back), or a number in Spanish, Portuguese, French or
    Italian words ('treinta y uno')."""
    years = _LONE_YEAR.findall(text)
    if len(years) == 1 and len(re.findall(r"\d+", text)) == 1:
        year = int(years[0])
        return replace(profile, age=today.year - year, age_note=f"born in {year}")
    tens, units = _people()["age_words_tens"], _people()["age_words_units"]
    words = re.findall(r"[^\W\d_]+", text.lower())
    for i, word in enumerate(words):
        compound = _compound_number(word, tens, units)
        if compound and _plausible(compound):
            return replace(profile, age=compound)
        if word in tens:
            rest = words[i + 1:i + 3]
            unit = next((units[w] for w in rest[1:2] if rest[:1] and rest[0] in ("y", "e", "et") and w in units),
                        units.get(rest[0]) if rest and rest[0] in units else 0)
            value = tens[word] + (unit or 0)
            if _plausible(value):
                return replace(profile, age=value)
    return profile


def _compound_number(word: str, tens: dict, units: dict) -> Optional[int]:
    """'trentaquattro', 'trentuno', 'veintiocho': a tens word and a units word written as one."""
    for ten, value in tens.items():
        stem = ten[:-1] if ten.endswith(("a", "e", "i")) else ten
        stem = "veinti" if ten == "veinte" else stem
        if word.startswith(stem) and len(word) > len(ten):
            rest = word[len(stem):]
            for candidate in (rest, rest[1:]):
                if candidate in units:
                    return value + units[candidate]
    return None


def field_status(name: Optional[str]) -> Optional[str]:
    if not name:
        return None
    parsed = parse_field(name)
    return parsed.status if parsed.name else None


def profile_from_answers(age=None, degree=None, field=None, institution=None, online=False,
                         teaching_or_research=False, applicant=None) -> Profile:
    """A profile from four separate answers (the command line, tests): each text is read once, here."""
    from kvisa.parsing import SKIPPED, parse_degree
    skipped = tuple(name for name, value in (("age", age), ("degree", degree), ("field", field),
                                              ("institution", institution))
                    if str(value or "").strip().lower() == SKIPPED)
    value_of = {n: (None if n in skipped else v) for n, v in
                (("age", age), ("degree", degree), ("field", field), ("institution", institution))}
    age_value = parse_age(str(value_of["age"])).value if value_of["age"] is not None else None
    level = None
    if value_of["degree"]:
        found = _mentions(_keep_case(str(value_of["degree"])), normalise(str(value_of["degree"])))
        level = found[0].level if found else parse_degree(str(value_of["degree"])).level
    field_name = None
    if value_of["field"]:
        parsed = parse_field(str(value_of["field"]))
        field_name = parsed.name or str(value_of["field"])
    inst = written = None
    if value_of["institution"]:
        parsed = match_institution(str(value_of["institution"]))
        inst, written = (parsed.name, None) if parsed.listed else (UNLISTED, parsed.name or str(value_of["institution"]))
    degrees = ()
    if level or field_name or inst:
        degrees = (Degree(level or "", field_name, inst, written, False, online, str(value_of["degree"] or "")),)
    return Profile(age_value, None, degrees, applicant, teaching_or_research, False, skipped)
