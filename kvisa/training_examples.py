"""Writes generated Rasa NLU training examples, so the intent classifier sees many more ways of saying
"check me" (check_eligibility), "here is a fact" (inform) and "what if ..." (what_if) than hand-written data
holds, plus a typo'd variant of about a quarter of the hand-written examples in data/nlu/.

    python -m kvisa.training_examples build/nlu/generated.yml

Sentences come from templates filled with degrees, fields, institutions and people words of kvisa/data, so
they change when those lists change. Everything is drawn from random generators with fixed seeds: two runs
on the same inputs write the same file. A typo variant depends only on its own example (its seed is a hash
of the text), so editing data/nlu/ changes only the variants of the edited examples.

No generated example equals (after normalising case, punctuation and spaces) an example of another intent,
generated or hand-written: such conflicts are dropped. The output is plain YAML in Rasa's NLU format; this
module does not import Rasa.
"""
from __future__ import annotations

import difflib
import hashlib
import random
import re
import sys
import unicodedata
from pathlib import Path
from typing import Callable, Iterable

import yaml

from kvisa.datafiles import data

ROOT = Path(__file__).resolve().parents[1]
HAND_WRITTEN = ROOT / "data" / "nlu"
# Messages quoted as examples in the held-out set's README, and in the brief this generator was written from,
# may be test material: no generated example is the same as one of them or a near-duplicate (the criteria of
# tests/unit/test_heldout_overlap.py: similarity ratio >= 0.92, or token-set Jaccard >= 0.8 with 5+ tokens).
HELDOUT_README = ROOT / "tests" / "heldout" / "README.md"
QUOTED = ["28, MSc physics, ETH - eligible?", "actually I'm 31", "my master's is from Delft",
          "it was an online programme", "what if I were 47?", "and if my master's were from Imperial instead?",
          "suppose I had a PhD", "what about with my bachelor's only", "would it change if I was 44", "and at 50?",
          "I'm 29 with a PhD in physics from ETH, can I get it?", "my son is 23 with a BSc, would he qualify?",
          "I have a job offer in Shenzhen, which visa?", "what is your highest degree"]
SEED = 20251001  # the day the K visa came into force

TARGETS = {"check_eligibility": 320, "inform": 260, "what_if": 160}
# FAQ questions that also state the asker's facts ("I'm 46 with a PhD. Is there an age cap?") are still FAQ
# questions: this share of the hand-written FAQ examples gets a copy with a statement of facts before it.
FAQ_WITH_FACTS_SHARE = 0.3
TYPO_SHARE = 0.25

# ---------------------------------------------------------------------------------------------- vocabulary
# Degree names as people write them (the parsers read them through kvisa/data/degrees.yml; the unit test
# checks that each one is read as the level it is listed under).
DEGREES = {
    "below_bachelor": ["diploma", "3-year diploma", "polytechnic diploma", "HND", "associate degree",
                       "associate's degree", "higher national diploma", "diploma in engineering"],
    "bachelor": ["BSc", "B.Sc.", "BS", "BEng", "B.E.", "B.Tech", "BTech", "btech", "bsc", "BCA", "bachelor's",
                 "bachelors", "bachelor's degree", "bachelor degree", "Bachelor of Science",
                 "Bachelor of Engineering", "Bachelor of Technology", "Licenciatura", "Bacharelado",
                 "Laurea triennale", "honours degree", "undergraduate degree", "BSc Hons", "Licencjat",
                 "licence degree", "first degree", "bachelor"],
    "master": ["MSc", "M.Sc.", "MS", "MEng", "M.Tech", "MTech", "mtech", "msc", "MCA", "MPhil", "MRes",
               "master's", "masters", "master's degree", "master degree", "Master of Science",
               "Master of Engineering", "Laurea magistrale", "Dipl.-Ing.", "Diplom", "Mestrado", "Maestría",
               "maestria", "Specialist degree", "Magister", "Máster", "diplôme d'ingénieur", "postgraduate degree",
               "master"],
    "doctorate": ["PhD", "Ph.D.", "phd", "doctorate", "DPhil", "Dr.-Ing.", "Doutorado", "Doctorado",
                  "dottorato di ricerca", "doctoral degree", "Candidate of Sciences", "PhD degree"],
}
# words for the level when it is named without a degree title ("with my master's only")
LEVEL_WORDS = {"bachelor": ["bachelor's", "bachelors", "BSc", "bachelor degree", "undergrad degree"],
               "master": ["master's", "masters", "MSc", "master degree"],
               "doctorate": ["PhD", "doctorate", "PhD degree"]}

JOBS = ["software engineer", "backend developer", "data analyst", "data scientist", "lab technician",
        "mechanical engineer", "civil engineer", "process engineer", "QA engineer", "product manager",
        "IT support specialist", "teacher", "high school physics teacher", "maths tutor", "research assistant",
        "embedded developer", "network engineer", "site engineer", "quality control chemist", "web developer",
        "DevOps engineer", "electrical engineer", "design engineer", "junior developer", "ML engineer",
        "systems administrator", "biomedical technician", "field engineer", "consultant", "accountant",
        "bank officer", "sales engineer", "production supervisor", "game developer", "solar installer",
        "pharmacist", "nurse", "civil servant", "freelance developer", "analyst at a bank"]
EMPLOYERS = ["Infosys", "TCS", "Siemens", "Huawei", "Samsung", "a startup", "a small IT company",
             "an oil company", "a pharma company", "a bank", "the government", "a consulting firm", "Accenture",
             "Bosch", "a telecom operator", "a construction company", "an NGO", "a local hospital", "Wipro",
             "a fintech", "an automotive supplier", "a university lab", "Schlumberger", "Ericsson", "Shopify"]
NATIONALITIES = ["Indian", "Nigerian", "Pakistani", "Egyptian", "Brazilian", "Mexican", "German", "Italian",
                 "Spanish", "French", "Polish", "Russian", "Ukrainian", "Kenyan", "Ghanaian", "Vietnamese",
                 "Indonesian", "Filipino", "Bangladeshi", "Nepali", "Sri Lankan", "Iranian", "Turkish",
                 "Moroccan", "Algerian", "Tunisian", "Colombian", "Argentinian", "Chilean", "Peruvian",
                 "Portuguese", "American", "Canadian", "British", "Australian", "Kazakh", "Uzbek", "Ethiopian",
                 "Cameroonian", "South African", "Malaysian", "Thai", "Korean", "Japanese", "Greek", "Romanian"]
SECTORS = ["IT", "software", "oil and gas", "construction", "teaching", "research", "manufacturing", "banking"]
FIRST_NAMES = ["Ravi", "Ahmed", "Juan", "Chinedu", "Minh", "Fatima", "Priya", "Ali", "Ana", "Olga", "Kwame"]
COUNTRIES = ["India", "Nigeria", "Pakistan", "Egypt", "Brazil", "Mexico", "Kenya", "Ghana", "Vietnam",
             "Indonesia", "the Philippines", "Bangladesh", "Nepal", "Iran", "Turkey", "Morocco", "Colombia",
             "Peru", "Portugal", "Poland", "Ukraine", "Kazakhstan", "Ethiopia", "Cameroon", "Romania", "Italy"]
CITIES = ["Pune", "Lagos", "Karachi", "Alexandria", "Recife", "Puebla", "Kumasi", "Da Nang", "Surabaya",
          "Cebu", "Chittagong", "Pokhara", "Shiraz", "Izmir", "Fez", "Medellin", "Arequipa", "Braga", "Lodz",
          "Kharkiv", "Almaty", "Mombasa", "Coimbatore", "Nagpur", "Multan", "Ibadan", "Tabriz", "Oran"]
# institutions that are not on the list, written with a name
UNLISTED_NAMES = ["Sri Venkateswara College of Engineering", "Kampala International University",
                  "Universidad Tecnológica del Sur", "St. Joseph's College", "Al-Noor Private University",
                  "Greenfield Institute of Technology", "Lakeside State College", "Mahatma Gandhi Engineering College",
                  "Universitas Nusantara Jaya", "Faculdade São Lucas", "Eastern Plains Polytechnic",
                  "Crescent Valley University", "Rajiv Memorial Institute of Technology", "Horizon University College",
                  "Instituto Superior de Ingeniería del Norte", "Bright Future University", "Riverside Technical College"]
ONLINE_PHRASES = ["online", "fully online", "through distance learning", "by distance", "by correspondence",
                  "via Coursera", "through edX", "as a distance degree", "remotely", "online during covid",
                  "through the Open University", "in distance mode"]
ONLINE_PROVIDERS = ["IGNOU", "UNISA", "the Open University", "an online university", "a virtual university"]
PLANS = ["I want to do research in Shanghai", "I'd like to start a company in Shenzhen",
         "I want to join a lab in Beijing", "I plan to look for investors for my startup",
         "I want to collaborate with a university in Hangzhou", "I hope to attend conferences and exchanges",
         "my dream is to build a hardware startup in Shenzhen", "I want to explore business opportunities",
         "I'd like to do a research stay at a Chinese institute", "I'm thinking of moving to Chengdu",
         "I want to give guest lectures", "I'd love to work on EV batteries there"]
GREETINGS = ["Hi,", "Hello,", "Hello!", "Hi!", "Hey,", "hey", "hi", "hello", "Good morning,", "Good evening.",
             "Dear sir/madam,", "Dear Sir,", "Greetings,", "Hi there,", "Hello team,", "Quick question:",
             "So,", "Ok so", "Hey bot,", "Namaste,", "Hola,", "Salam,"]
NUMBER_WORDS = {18: "eighteen", 19: "nineteen", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty",
                60: "sixty"}
UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
THIS_YEAR = 2026
# fields people most often name; each is a name or keyword of kvisa/data/fields.yml (checked by the unit test)
COMMON_FIELDS = ["computer science", "software engineering", "information technology", "data science",
                 "artificial intelligence", "machine learning", "electrical engineering", "electronics",
                 "mechanical engineering", "civil engineering", "chemical engineering", "physics", "applied physics",
                 "chemistry", "biology", "biotechnology", "mathematics", "applied mathematics", "statistics",
                 "materials science", "aerospace engineering", "environmental engineering", "robotics",
                 "telecommunications", "biomedical engineering", "petroleum engineering", "geology", "cybersecurity",
                 "bioinformatics", "industrial engineering", "economics", "medicine", "pharmacy", "architecture",
                 "agriculture", "nursing", "psychology", "business administration", "finance", "accounting",
                 "history", "english literature", "international relations", "marketing", "cs", "comp sci",
                 "maths", "mechanical", "ece", "automation", "renewable energy", "food science"]
ENGINEERING_DEGREES = {"BEng", "B.E.", "B.Tech", "BTech", "btech", "Bachelor of Engineering", "Bachelor of Technology",
                       "MEng", "M.Tech", "MTech", "mtech", "Master of Engineering", "Dipl.-Ing.",
                       "diplôme d'ingénieur", "Dr.-Ing.", "diploma in engineering"}
COMPUTING_DEGREES = {"BCA": ["computer applications", "IT", ""], "MCA": ["computer applications", "software", ""]}

HE = {"son", "husband", "brother", "boyfriend", "father", "dad", "nephew", "uncle", "younger brother",
      "elder brother", "son-in-law", "brother-in-law"}
SHE = {"daughter", "wife", "sister", "girlfriend", "mother", "mom", "mum", "niece", "aunt", "younger sister",
       "elder sister", "daughter-in-law", "sister-in-law"}


def number_word(n: int) -> str:
    if n in NUMBER_WORDS:
        return NUMBER_WORDS[n]
    tens = n // 10 * 10
    return f"{NUMBER_WORDS[tens]}-{UNITS[n % 10]}" if tens >= 20 else str(n)


def article(phrase: str) -> str:
    """'a BSc', 'an MSc', 'an honours degree', 'a Laurea magistrale'."""
    first = phrase.split()[0]
    abbreviation = len(first) > 1 and (first[1].isupper() or first[1] == ".") and first[0].isupper()
    if abbreviation:
        vowel_sound = first[0] in "AEFHILMNORSX"
    else:
        vowel_sound = first[0].lower() in "aeiou" or first.lower().startswith(("honour", "hono"))
    return ("an " if vowel_sound else "a ") + phrase


# ----------------------------------------------------------------------------------------------- data files


def _ascii(text: str) -> bool:
    return all(ord(ch) < 128 for ch in text)


class Vocabulary:
    """Values sampled from kvisa/data."""

    def __init__(self) -> None:
        fields = data("fields")["fields"]
        degree_words = {a for aliases in data("degrees")["aliases"].values() for a in aliases}
        self.fields: dict[str, list[str]] = {"stem": [], "borderline": [], "not_stem": []}
        for entry in fields:
            words = [entry["name"].lower()] + list(entry.get("keywords") or [])[:7]
            for word in words:
                word = str(word)
                if (len(word) < 4 or word in degree_words or "," in word or "(" in word
                        or re.search(r"(ist|ician|er|ers)$", word) or re.search(r"degree|school|major|studied", word)):
                    continue
                self.fields[entry["status"]].append(word)
            if entry["status"] == "stem" and entry["code"][:2] in ("06", "07"):
                self.fields.setdefault("technical", []).extend(
                    w for w in words if w in self.fields["stem"] and len(w) >= 4)
        for words in self.fields.values():
            words[:] = sorted(set(words))
        known = {str(w).lower() for entry in fields for w in [entry["name"]] + list(entry.get("keywords") or [])}
        self.common_fields = [f for f in COMMON_FIELDS if f in known]
        # universities award degrees; research institutes employ researchers
        self.universities: list[tuple[list[str], str]] = []
        self.institutes: list[tuple[list[str], str]] = []
        for entry in data("institutions")["institutions"]:
            names = [entry["name"]] + [a for a in entry.get("aliases") or [] if _ascii(a) and len(a) >= 3]
            kind = self.universities if entry.get("kind") == "university" else self.institutes
            kind.append((names, entry["country"].split(",")[0]))
        people = data("people")
        self.others = sorted(w for w in people["other_people"] if w in HE | SHE | {
            "student", "friend", "colleague", "partner", "cousin", "fiance", "fiancee", "mentee", "classmate",
            "roommate", "employee", "phd student"})
        self.unnamed = sorted(people["unnamed_institution"])
        self.research = ["lecturer", "senior lecturer", "assistant professor", "associate professor",
                         "researcher", "research scientist", "research fellow", "postdoc", "research engineer",
                         "research associate", "staff scientist"]


# ---------------------------------------------------------------------------------------------- generators


class Writer:
    """Fills templates with random values; one instance per intent, each with its own seed."""

    def __init__(self, vocab: Vocabulary, name: str) -> None:
        self.v = vocab
        self.r = random.Random(f"{SEED}:{name}")

    # -- small random helpers
    def pick(self, items):
        return self.r.choice(items)

    def maybe(self, p: float) -> bool:
        return self.r.random() < p

    def age(self, low: int = 21, high: int = 52) -> int:
        # most applicants are 22-40; some are near or over the reported 45
        return self.r.choice([self.r.randint(22, 36)] * 3 + [self.r.randint(low, high)])

    def level(self, weights=(0.06, 0.34, 0.38, 0.22)) -> str:
        return self.r.choices(["below_bachelor", "bachelor", "master", "doctorate"], weights=weights)[0]

    def degree(self, level: str | None = None) -> str:
        return self.pick(DEGREES[level or self.level()])

    def field(self, degree: str = "") -> str:
        if degree in COMPUTING_DEGREES:
            return self.pick(COMPUTING_DEGREES[degree])
        if degree in ENGINEERING_DEGREES:
            return self.pick(self.v.fields["technical"])
        if self.maybe(0.5):
            return self.pick(self.v.common_fields)
        status = self.r.choices(["stem", "borderline", "not_stem"], weights=(0.68, 0.18, 0.14))[0]
        return self.pick(self.v.fields[status])

    def stem_field(self) -> str:
        if self.maybe(0.5):
            return self.pick(self.v.common_fields[:34])
        return self.pick(self.v.fields["stem"])

    def institution(self) -> str:
        """Where a degree is from: a university on the list, or one that is not."""
        if self.maybe(0.2):
            return self.unlisted()
        return self.listed()

    def _name(self, names: list[str]) -> str:
        return names[0] if len(names) == 1 or self.maybe(0.55) else self.pick(names[1:])

    def listed(self) -> str:
        return self._name(self.pick(self.v.universities)[0])

    def listed_with_country(self) -> tuple[str, str]:
        names, country = self.pick(self.v.universities)
        return self._name(names), country

    def workplace(self) -> str:
        """Where a researcher or lecturer works: a university or a research institute."""
        if self.maybe(0.15):
            return self.unlisted()
        return self._name(self.pick(self.v.institutes if self.maybe(0.35) else self.v.universities)[0])

    def unlisted(self) -> str:
        if self.maybe(0.35):
            return self.pick(UNLISTED_NAMES)
        described = self.pick(self.v.unnamed)
        if described.startswith(("not ", "no ", "tier", "unranked", "lesser", "little")):
            kind = self.pick(["university", "college", "engineering college", "uni"])
            described = {"not ranked": f"{article(kind)} that is not ranked", "unranked": f"an unranked {kind}",
                         "tier 3": f"a tier 3 {kind}", "tier-3": f"a tier-3 {kind}", "tier 2": f"a tier 2 {kind}",
                         "tier-2": f"a tier-2 {kind}", "tier three": f"a tier three {kind}",
                         "lesser known": f"a lesser known {kind}", "lesser-known": f"a lesser-known {kind}",
                         "little college": "a little college", "no-name": f"a no-name {kind}",
                         "no name university": "a no name university"}.get(
                described, f"{article(kind)} that is {described}")
        elif described.startswith(("faculdade", "universidad")):
            described = "a " + described
        else:
            described = article(described)
        if self.maybe(0.45) and not described.endswith(("ranked", "known", "famous", "ranking", "rankings")):
            described += " in " + self.pick(CITIES + COUNTRIES)
        return described

    def frm(self, institution: str) -> str:
        """'from MIT' / 'at a small college in Pune'."""
        return self.pick(["from", "from", "at"]) + " " + institution

    def degree_phrase(self, level: str | None = None, field: str | None = None, art: bool = True) -> str:
        deg = self.degree(level)
        field = field or self.field(deg)
        if not field:
            return article(deg) if art else deg
        shape = self.r.random()
        if shape < 0.6:
            text = f"{deg} in {field}"
        elif shape < 0.85 and len(deg) <= 6:
            text = f"{deg} {field}"
        else:
            text = f"{deg} in {field}" if len(deg) > 6 else f"{field} {deg}"
        return article(text) if art else text

    # -- ages, written many ways
    def age_clause(self, n: int) -> str:
        """A first-person statement of the age."""
        forms = [f"I'm {n}", f"I am {n}", f"I'm {n} years old", f"I am {n} years old", f"I'm {n} yrs old",
                 f"I'm {number_word(n)}", f"I have {n} years", f"I am {n} years", f"I'm turning {n + 1} soon",
                 f"I'll be {n + 1} next month", f"I was born in {THIS_YEAR - n}", f"I just turned {n}",
                 f"my age is {n}", f"I am aged {n}", f"i am {n} year old", f"I'm {n} y/o"]
        return self.pick(forms)

    def age_token(self, n: int) -> str:
        """The age as a telegraphic token."""
        return self.pick([str(n), str(n), f"{n}yo", f"{n} y/o", f"{n} yrs", f"age {n}", f"aged {n}",
                          f"{n} years old", f"{n}M", f"{n}F", f"{n} y.o.", f"born {THIS_YEAR - n}",
                          f"turning {n + 1}", f"{n} years"])

    def age_adjective(self, n: int) -> str:
        return self.pick([f"{n}-year-old", f"{n} year old", f"{n} y/o", f"{n}-yr-old"])

    # -- questions
    def question(self) -> str:
        return self.pick([
            "am I eligible?", "am I eligible for the K visa?", "eligible?", "do I qualify?", "do I qualify for K?",
            "can I get the K visa?", "would I qualify for the K visa?", "what are my chances?",
            "can I apply for the K visa?", "is the K visa possible for me?", "do I have a chance?",
            "could you check if I'm eligible?", "please check my eligibility.", "K visa possible?", "any chance?",
            "pls tell me if i can apply", "kindly advise whether I am eligible.", "would my profile be enough?",
            "do I meet the K visa requirements?", "is it worth applying for the K visa?", "can I go on a K visa?",
            "check me pls", "would I get it?", "do I stand a chance for the K visa?", "am i eligible or not",
            "can I apply?", "eligible for K?", "is that enough for the K visa?", "do I fit the criteria?",
            "could I get the new K visa?", "will I be accepted for the K visa?", "what do you think, eligible?",
            "qualify?", "K visa - yes or no?", "is K visa an option for me?", "can you check me?",
            "would the K visa work for me?", "do I meet the conditions?", "would I be eligible?",
            "is it possible for me to apply for K?", "can i get k visa", "am i elligible", "do i qualify?? ",
        ]).strip()

    def request(self) -> str:
        """A request to be checked that is not a question."""
        return self.pick([
            "Please check if I qualify.", "I'd like to know if I can get the K visa.", "Please check my eligibility.",
            "Want to know my chances for the K visa.", "Can you run the eligibility check for me.",
            "Tell me if I'm eligible please.", "Need to know if I qualify for K.", "Kindly check my eligibility.",
            "Let me know if the K visa is possible for me.", "please check me for the k visa",
            "I want to apply for the K visa, check if I qualify.", "Check whether I can apply for K, thanks.",
        ])

    def other_question(self, pro: str) -> str:
        be, do, have = ("are", "do", "have") if pro == "they" else ("is", "does", "has")
        obj = {"they": "them", "he": "him", "she": "her"}[pro]
        return self.pick([
            f"would {pro} qualify?", f"{be} {pro} eligible?", f"can {pro} apply for the K visa?",
            f"can {pro} get the K visa?", f"{do} {pro} have a chance?", f"could {pro} get a K visa?",
            f"{be} {pro} eligible for the K visa?", f"would {pro} be eligible?", f"{do} {pro} qualify for K?",
            f"what are {('their' if pro == 'they' else 'his' if pro == 'he' else 'her')} chances?",
            f"can {pro} apply?", "is the K visa possible for them?", f"would the K visa work for {obj}?",
            f"{do} {pro} meet the requirements?", "eligible?", f"{have} {pro} got a chance at the K visa?",
        ])

    def experience(self, age: int = 40) -> str:
        years = self.r.randint(1, max(1, min(15, age - 21)))
        job = self.pick(JOBS)
        return self.pick([
            f"I work as {article(job)} at {self.pick(EMPLOYERS)}", f"I've been {article(job)} for {years} years",
            f"{years} years of experience as {article(job)}", f"currently working as {article(job)}",
            f"I have {years} yrs exp in {self.pick(SECTORS)}",
            f"I work at {self.pick(EMPLOYERS)} since {THIS_YEAR - years}", f"now {article(job)} at {self.pick(EMPLOYERS)}",
            f"I'm {article(job)} with {years} years experience", f"working {years} years in {self.pick(COUNTRIES)}",
            f"I'm unemployed right now", f"I'm between jobs", f"I'm self-employed",
        ])

    def second_degree(self, first_level: str) -> tuple[str, str]:
        higher = {"below_bachelor": "bachelor", "bachelor": "master", "master": "doctorate",
                  "doctorate": "doctorate"}[first_level]
        return higher, self.degree_phrase(higher)


def _tidy(text: str) -> str:
    text = re.sub(r"[\[\]{}]", "", text)
    text = re.sub(r"\s+([,.?!])", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"([.?!])\.", r"\1", text)
    return re.sub(r",\s*,", ",", text)


def _casual(w: Writer, text: str) -> str:
    """Sometimes written fast: lower case, fewer punctuation marks."""
    if w.maybe(0.25):
        text = text.lower()
    if w.maybe(0.15):
        text = re.sub(r"[.,;:](?=\s|$)", "", text)
    if w.maybe(0.08):
        text = text.rstrip("?") + "??"
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


# ------------------------------------------------------------------------------------------ check_eligibility


def check_eligibility(w: Writer) -> str:
    shape = w.r.choices(["short", "one", "story", "other", "progress", "online", "route", "plain"],
                        weights=(16, 18, 24, 12, 6, 5, 6, 10))[0]
    return _casual(w, _tidy(CHECK_SHAPES[shape](w)))


def _check_short(w: Writer) -> str:
    n = w.age()
    lvl = w.level()
    deg, inst = w.degree(lvl), w.institution()
    fld = w.field(deg)
    sep = w.pick([", ", ", ", " | ", " / ", "; ", " - "])
    parts = [w.age_token(n), deg if not fld else f"{deg} {fld}" if w.maybe(0.6) else f"{deg} in {fld}", inst]
    if w.maybe(0.3):
        parts.append(w.pick(NATIONALITIES))
    if w.maybe(0.25):
        parts.append(f"{w.r.randint(1, max(1, min(12, n - 21)))} yrs exp")
    if w.maybe(0.2):
        w.r.shuffle(parts)
    end = w.pick([" - eligible?", ". Eligible?", " -> K visa?", ", do I qualify?", ". can I apply?", " - any chance?",
                  ". K visa ok?", " -- eligible for K?", ", am I eligible?", ". Qualify?", " = eligible?",
                  ". chances?", ", can I get K?", " K visa?"])
    lead = w.pick(["", "", "", "me: ", "Profile: ", "my profile: ", "quick check: ", "about me: "])
    return lead + sep.join(parts) + end


def _check_one(w: Writer) -> str:
    n = w.age()
    lvl = w.level()
    dp = w.degree_phrase(lvl)
    inst = w.institution()
    q = w.question()
    shapes = [
        f"{w.age_clause(n)} with {dp} {w.frm(inst)}, {q}",
        f"I have {dp} {w.frm(inst)} and {w.age_clause(n)}. {q}",
        f"{q} {w.age_clause(n)}, {dp} {w.frm(inst)}",
        f"I'm {article(w.age_adjective(n))} with {dp} {w.frm(inst)}, {q}",
        f"Would someone {'aged ' + str(n)} with {dp} {w.frm(inst)} qualify for the K visa?",
        f"Can a {w.age_adjective(n)} with {dp} {w.frm(inst)} get the K visa?",
        f"I graduated from {inst} with {dp}, {w.age_clause(n)}. {q}",
        f"{w.pick(GREETINGS)} {w.age_clause(n)} and I hold {dp} {w.frm(inst)}. {q}",
        f"Is the K visa possible with {dp} {w.frm(inst)}? {w.age_clause(n)}",
        f"{dp} {w.frm(inst)}, {w.age_token(n)}, {q}",
        f"Do I qualify for the K visa with {dp} {w.frm(inst)} at {n}?",
        f"I'm {article(w.pick(NATIONALITIES))} {w.age_adjective(n)} with {dp} {w.frm(inst)}. {q}",
        f"I finished {dp} {w.frm(inst)} and {w.age_clause(n)}, {q}",
        f"With {dp} {w.frm(inst)} and age {n}, {q}",
    ]
    return w.pick(shapes)


def _check_story(w: Writer) -> str:
    n = w.age()
    sentences: list[str] = []
    first_level = w.level(weights=(0.08, 0.6, 0.27, 0.05))
    first = w.degree_phrase(first_level)
    inst1 = w.institution()
    degree_sentences = [w.pick([f"I did {first} {w.frm(inst1)}", f"I have {first} {w.frm(inst1)}",
                                f"I studied at {inst1} and got {first}", f"my first degree is {first} {w.frm(inst1)}",
                                f"I completed {first} {w.frm(inst1)} in {THIS_YEAR - w.r.randint(2, 15)}",
                                f"I hold {first} {w.frm(inst1)}", f"graduated from {inst1} with {first}"])]
    if w.maybe(0.5):
        higher, second = w.second_degree(first_level)
        inst2 = w.institution()
        degree_sentences.append(w.pick([
            f"then {second} {w.frm(inst2)}", f"after that I did {second} {w.frm(inst2)}",
            f"I also have {second} {w.frm(inst2)}", f"later I got {second} {w.frm(inst2)}",
            f"and {second} {w.frm(inst2)}", f"my {LEVEL_WORDS[higher][0]} is from {inst2}"]))
        if w.maybe(0.15):
            degree_sentences.append(w.pick(["I'm now doing a PhD", "now I'm pursuing a PhD part-time",
                                            f"I'm currently doing a PhD at {w.institution()}"]))
    age_sentence = w.pick([w.age_clause(n), f"I'm {w.pick(NATIONALITIES)}, {n} years old",
                           f"{w.age_clause(n)} and from {w.pick(COUNTRIES)}", f"about me: {n}, {w.pick(NATIONALITIES)}",
                           f"I'm from {w.pick(COUNTRIES)} and {re.sub(r'^I(?: am|.m) ', '', w.age_clause(n))}"])
    # the degrees keep their order ("then ...", "after that ..."); the age goes before, between or after
    sentences = _join_degrees(w, degree_sentences)
    sentences.insert(w.pick([0, 0, 0, 1, len(sentences)]), age_sentence)
    if w.maybe(0.75):
        sentences.insert(w.pick([len(sentences), len(sentences), 1]), w.experience(n))
    if w.maybe(0.35):
        sentences.append(w.pick(PLANS))
    opener = w.pick(GREETINGS) + " " if w.maybe(0.4) else ""
    ending = w.question() if w.maybe(0.8) else w.request()
    if w.maybe(0.1):
        return _sentence(ending) + " " + " ".join(_sentence(s) for s in sentences)
    joiner = w.pick([". ", ". ", ", "])
    body = joiner.join(sentences)
    return opener + _sentence(body) + " " + ending


def _join_degrees(w: Writer, parts: list[str]) -> list[str]:
    if len(parts) > 1 and w.maybe(0.5):
        return [", ".join(parts)]
    return parts


def _check_other(w: Writer) -> str:
    rel = w.pick(w.v.others)
    pro = "he" if rel in HE else "she" if rel in SHE else w.pick(["he", "she", "they"])
    n = w.age(low=20, high=48)
    dp = w.degree_phrase()
    inst = w.institution()
    q = w.other_question(pro)
    be = "are" if pro == "they" else "is"
    has = "have" if pro == "they" else "has"
    shapes = [
        f"my {rel} is {n} and {has} {dp} {w.frm(inst)}, {q}",
        f"My {w.age_adjective(n)} {rel} has {dp} {w.frm(inst)}. {q}",
        f"asking for my {rel}: {n}, {dp}, {inst}. {q}",
        f"My {rel} ({n}) finished {dp} {w.frm(inst)}. {q}",
        f"I'm asking on behalf of my {rel}. {pro.capitalize()} {be} {n}, with {dp} {w.frm(inst)}. {q}",
        f"Can my {rel} get the K visa? {pro.capitalize()} {be} {n} and did {dp} {w.frm(inst)}.",
        f"my {rel}, aged {n}, graduated from {inst} with {dp} and works as {article(w.pick(JOBS))}. {q}",
        f"Checking for my {rel}: {dp} {w.frm(inst)}, {w.age_token(n)}. {q}",
        f"I'm asking for my {rel}, who is {n} and {has} {dp} {w.frm(inst)}. {q}",
        f"I supervise a {w.age_adjective(n)} student with {dp} {w.frm(inst)}, {w.other_question('they')}",
        f"{w.pick(GREETINGS)} my {rel} was born in {THIS_YEAR - n} and {has} {dp} {w.frm(inst)}. {q}",
        f"would my {rel} qualify for the K visa? {n} years old, {dp}, {inst}",
    ]
    return w.pick(shapes)


def _check_progress(w: Writer) -> str:
    n = w.age(low=20, high=35)
    lvl = w.pick(["bachelor", "master", "doctorate"])
    dp = w.degree_phrase(lvl)
    inst = w.institution()
    when = w.pick(["next June", "in a few months", "next year", "this summer", "in December", "next spring"])
    q = w.pick([w.question(), "can I apply before I graduate or only after?", "can I apply once I graduate?",
                "would I be eligible after graduation?", "should I wait until I finish?"])
    shapes = [
        f"I'm in my final year of {dp} at {inst} and {w.age_clause(n)}. {q}",
        f"{w.age_clause(n)}, final-year student doing {dp} at {inst}, graduating {when}. {q}",
        f"I'm currently doing {dp} at {inst}, I'll finish {when}. {w.age_clause(n)}. {q}",
        f"{n}, {w.pick(LEVEL_WORDS[lvl])} student in {w.field()} at {inst}, "
        f"{w.pick(['defending', 'graduating', 'done'])} {when}, {q}",
        f"I have {w.degree_phrase('bachelor')} {w.frm(w.institution())} and I'm finishing {dp} at {inst} {when}. "
        f"{w.age_clause(n)}. {q}",
        f"PhD candidate at {inst} in {w.stem_field()}, {w.age_token(n)}, writing my thesis now. {q}",
        f"{w.age_clause(n)} and in the last semester of {dp} at {inst}. {q}",
    ]
    return w.pick(shapes)


def _check_online(w: Writer) -> str:
    n = w.age()
    lvl = w.pick(["bachelor", "master", "master", "doctorate"])
    dp = w.degree_phrase(lvl)
    how = w.pick(ONLINE_PHRASES)
    q = w.question()
    shapes = [
        f"{w.age_clause(n)}, I did {dp} {how} {w.frm(w.listed())}. {q}",
        f"I got {dp} {how} from {w.pick(ONLINE_PROVIDERS)}, {w.age_clause(n)}. {q}",
        f"{n}, online {w.degree_phrase(lvl, art=False)} from {w.listed()}, working as {article(w.pick(JOBS))}. {q}",
        f"My {w.pick(LEVEL_WORDS[lvl])} was {how} ({w.listed()}) and my bachelor's is from {w.institution()}. "
        f"{w.age_clause(n)}. {q}",
        f"I studied {w.field()} {how} at {w.listed()} while working. {w.age_clause(n)}, {q}",
        f"{w.age_clause(n)} and I completed {dp} {how}. {q}",
    ]
    return w.pick(shapes)


def _check_route(w: Writer) -> str:
    n = w.age(low=26, high=50)
    role = w.pick(w.v.research)
    inst = w.workplace()
    fld = w.stem_field()
    years = w.r.randint(2, max(2, min(14, n - 24)))
    q = w.question()
    shapes = [
        f"I'm {article(role)} in {fld} at {inst}, {w.age_clause(n).replace('I am', 'I am').lower()}. {q}",
        f"I have been teaching {fld} at {inst} for {years} years. {w.age_clause(n)}. {q}",
        f"{w.age_clause(n)} and work as {article(role)} at {inst} ({fld}). "
        f"I don't have a PhD, only {w.degree_phrase('master')}. {q}",
        f"{role} at {inst}, {fld}, {w.age_token(n)}. {q}",
        f"I do research in {fld} at {inst}, {years} years now, {w.age_clause(n)}. {q}",
        f"{w.pick(GREETINGS)} I'm {article(w.age_adjective(n))} {role} at {inst} working on {fld}. {q}",
        f"I lecture {fld} at {inst} and hold {w.degree_phrase()}. {w.age_clause(n)}. {q}",
    ]
    return w.pick(shapes)


def _check_plain(w: Writer) -> str:
    """Simpler or non-native English."""
    n = w.age()
    lvl = w.level()
    deg, inst = w.degree(lvl), w.institution()
    fld = w.field(deg) or "computer applications"
    years = w.r.randint(1, max(1, min(10, n - 21)))
    shapes = [
        f"sir i am {n} years, complete {deg} in {fld} from {inst}, {years} year experience, can i get k visa",
        f"hello, me {n} year old, have {deg} {fld} from {inst}, is possible k visa for me?",
        f"I have {n} years and {article(deg)} in {fld} of {inst}, it is possible to apply for K visa?",
        f"Respected sir, I am {n} years old having {deg} in {fld} from {inst}. Kindly tell me I am eligible or not.",
        f"i am {fld} {deg} from {inst} age {n} can apply k visa?",
        f"dear sir/madam my age is {n}, my qualification is {deg} ({fld}) from {inst}, please tell eligibility",
        f"good day, I am engineer from {w.pick(COUNTRIES)}, age {n}, {deg} {fld} in {inst}. K visa is possible for me?",
        f"{n} year, {deg} {fld}, {inst}, i can take k visa or not",
        f"i finish {deg} in {fld} on {inst} and now i am {n}, i want go china with k visa, possible?",
        f"pls check me {n} yrs {deg} {fld} {inst}",
        f"Sir, myself {w.pick(FIRST_NAMES)}, {n} years old, {deg} in {fld} from {inst}, {years} years experience. "
        "Am I eligible for K visa?",
        f"i has {deg} of {fld} from {inst} and {n} age, k visa can i apply?",
    ]
    return w.pick(shapes)


CHECK_SHAPES: dict[str, Callable[[Writer], str]] = {
    "short": _check_short, "one": _check_one, "story": _check_story, "other": _check_other,
    "progress": _check_progress, "online": _check_online, "route": _check_route, "plain": _check_plain,
}

# ------------------------------------------------------------------------------------------------- inform


def inform(w: Writer) -> str:
    kind = w.r.choices(["age", "degree", "field", "institution", "correction", "volunteered"],
                       weights=(19, 18, 13, 16, 20, 14))[0]
    return _casual(w, _tidy(INFORM_KINDS[kind](w))).rstrip("?")


def _inform_age(w: Writer) -> str:
    n = w.age(low=19, high=55)
    return w.pick([
        str(n), w.age_clause(n), w.age_token(n), f"{w.age_clause(n)}.", number_word(n),
        f"{number_word(n)} years old", f"{n} this year", f"I'm {n}, {n + 1} in {w.pick(['May', 'October', 'March'])}",
        f"I have {n} years", f"turning {n} next week", f"born in {THIS_YEAR - n}", f"{THIS_YEAR - n}",
        f"I was born {THIS_YEAR - n}", f"age is {n}", f"{n} yo", f"just {n}", f"{n}, almost {n + 1}",
        f"my son is {n}", f"she is {n}", f"he's {n}", f"{n} years", f"I am {n} years old now",
    ])


def _inform_degree(w: Writer) -> str:
    lvl = w.level(weights=(0.1, 0.3, 0.35, 0.25))
    deg = w.degree(lvl)
    return w.pick([
        deg, deg, article(deg), w.degree_phrase(lvl), f"I have {article(deg)}", f"my highest degree is {article(deg)}",
        f"highest is {deg}", f"{w.degree_phrase(lvl)} {w.frm(w.institution())}", f"just {article(deg)}",
        f"I hold {w.degree_phrase(lvl)}", f"{deg}, finished in {THIS_YEAR - w.r.randint(1, 12)}",
        f"two degrees: {w.degree('bachelor')} and {w.degree('master')}",
        f"{w.degree('bachelor')} and then {w.degree_phrase('master')}", f"I only have {article(w.degree('below_bachelor'))}",
        f"{deg} (not finished yet)", f"I'm still doing my {w.pick(LEVEL_WORDS['master'] + LEVEL_WORDS['doctorate'])}",
        f"it's {article(deg)}", f"{w.degree('master')}, my bachelor's was in {w.field()}",
        f"no degree, just {w.pick(['high school', 'a diploma', 'some college'])}",
    ])


def _inform_field(w: Writer) -> str:
    f1, f2 = w.field(), w.field()
    return w.pick([
        f1, f1, f"I studied {f1}", f"my major was {f1}", f"my field is {f1}", f"{f1} and {f2}",
        f"{f1}, with a minor in {f2}", f"it was in {f1}", f"{f1} mostly", f"majored in {f1}",
        f"my degree is in {f1}", f"bachelor's in {f1}, master's in {f2}", f"{f1} (specialising in {f2})",
        f"I'm in {f1}", f"{f1}, {w.degree()}", f"it's {f1}"
    ])


def _inform_institution(w: Writer) -> str:
    inst = w.institution()
    return w.pick([
        inst, inst, inst, f"{w.frm(inst)}", f"I graduated from {inst}", f"I studied at {inst}",
        "{}, in {}".format(*w.listed_with_country()), f"it's {w.unlisted()}", f"my university is {inst}",
        f"{w.listed()} for my master's and {w.institution()} for my bachelor's", f"the {w.listed()}",
        f"I'm a postdoc at {w.workplace()}", f"{inst} (graduated {THIS_YEAR - w.r.randint(1, 12)})",
        f"{w.unlisted()}, you won't know it", f"I did it at {inst}",
    ])


def _inform_correction(w: Writer) -> str:
    n = w.age()
    lvl = w.pick(["bachelor", "master", "doctorate"])
    word = w.pick(LEVEL_WORDS[lvl])
    return w.pick([
        f"actually I'm {n}", f"sorry, I'm {n} not {n + 10}", f"correction: I'm {n}", f"wait, I'm {n}, not {n - 1}",
        f"my {word} is from {w.listed()}", f"actually my {word} is from {w.institution()}",
        f"sorry, it was an online programme", f"it was an online degree", f"I did it {w.pick(ONLINE_PHRASES)}",
        f"correction, my degree is {article(w.degree(lvl))} not {article(w.degree())}",
        f"no wait, I studied {w.field()}", f"I meant {w.field()}, not {w.field()}",
        f"oops, the university was {w.listed()}", f"my mistake, I have {article(w.degree(lvl))}",
        f"sorry, typo: {n}", f"I forgot to say I also have {w.degree_phrase()}",
        f"actually I haven't finished my {word} yet", f"to be precise, my {word} was {w.pick(ONLINE_PHRASES)}",
        f"let me correct that, I'm {w.age_adjective(n)}", f"one more thing, my {word} is in {w.field()}",
        f"I should add that my {word} is from {w.unlisted()}", f"no, the {word} was at {w.listed()}",
        f"actually it's {w.listed()}, not {w.listed()}", f"sorry I mixed them up: {word} in {w.field()}",
        f"actually I'm {w.age_adjective(n)}, not {n + 2}", f"I'm actually {number_word(n)}",
    ])


def _inform_volunteered(w: Writer) -> str:
    n = w.age()
    dp = w.degree_phrase()
    inst = w.institution()
    return w.pick([
        f"{w.age_clause(n)}, {dp} {w.frm(inst)}", f"{dp} {w.frm(inst)}, {w.age_token(n)}",
        f"I'm {article(w.pick(JOBS))} with {dp}", f"{w.age_token(n)}, {dp}, {inst}",
        f"I work as {article(w.pick(w.v.research))} at {w.workplace()}", f"I have {dp} and {w.experience()}",
        f"{w.experience()}", f"my background is {dp} {w.frm(inst)}",
        f"I teach {w.stem_field()} at {w.workplace()}", f"{dp} and {w.degree_phrase('doctorate')}",
        f"{w.age_clause(n)} and I studied {w.field()} at {inst}",
    ])


INFORM_KINDS: dict[str, Callable[[Writer], str]] = {
    "age": _inform_age, "degree": _inform_degree, "field": _inform_field, "institution": _inform_institution,
    "correction": _inform_correction, "volunteered": _inform_volunteered,
}

# ------------------------------------------------------------------------------------------------ what_if


def what_if(w: Writer) -> str:
    kinds = ["age", "degree", "institution", "field", "online", "progress", "only", "two", "other"]
    kind = w.r.choices(kinds, weights=(22, 18, 18, 12, 6, 6, 7, 8, 3))[0]
    text = WHAT_IF_KINDS[kind](w)
    return _casual(w, _tidy(text))


def _if_lead(w: Writer) -> str:
    return w.pick(["what if", "and if", "ok but what if", "what if", "suppose", "hypothetically, what if",
                   "and what if", "so what if", "but what if", "what would happen if", "would it change if",
                   "would the result be different if", "how about if", "what about if", "and in case",
                   "just curious, what if", "let's say", "imagine"])


def _what_if_age(w: Writer) -> str:
    n = w.r.choice([w.r.randint(18, 30), w.r.randint(38, 60)])
    d = w.r.randint(2, 8)
    return w.pick([
        f"{_if_lead(w)} I were {n}?", f"{_if_lead(w)} I was {n}?", f"and at {n}?", f"what about at {n}?",
        f"and if I were {number_word(n)}?", f"would it change if I was {n}", f"same profile but {n} years old?",
        f"what if I was {d} years younger?", f"and if I were {d} years older", f"what if I apply when I'm {n}?",
        f"what if I wait until I'm {n}", f"and next year when I turn {n}?", f"and if I was born in {THIS_YEAR - n}?",
        f"and for a {w.age_adjective(n)}?", f"would a {n} year old with the same degrees get it?",
        f"ok and at age {n}?", f"{_if_lead(w)} I'm {n} instead", f"what if I lie and say {n}? just kidding, what if I were {n}",
        f"would I still be eligible at {n}?", f"what if my age was {n}", f"and if I had {n} years?",
    ])


def _what_if_degree(w: Writer) -> str:
    lvl = w.pick(["bachelor", "master", "doctorate", "doctorate"])
    deg = w.degree(lvl)
    return w.pick([
        f"suppose I had {article(deg)}", f"{_if_lead(w)} I had {article(deg)}?", f"and with {article(deg)}?",
        f"what if I get {article(deg)} first?", f"and if I had {w.degree_phrase(lvl)} instead?",
        f"would {article(deg)} change anything?", f"what if I finished {article(deg)} next year?",
        f"{_if_lead(w)} my highest degree were {article(deg)}?", f"and with {article(deg)} from {w.listed()}?",
        f"what about with {article(deg)} in {w.stem_field()}?", f"would it be different with {article(deg)}",
        f"if I do {article(deg)} in {w.stem_field()}, would that change the verdict?",
        f"and if I upgrade to {article(deg)}?", f"what if it was {article(deg)} instead of {article(w.degree())}?",
    ])


def _what_if_institution(w: Writer) -> str:
    lvl = w.pick(["bachelor", "master", "doctorate"])
    word = w.pick(LEVEL_WORDS[lvl])
    inst = w.listed()
    return w.pick([
        f"and if my {word} were from {inst} instead?", f"{_if_lead(w)} my {word} was from {inst}?",
        f"what if I had studied at {inst}?", f"and with a degree from {inst}?", f"same but from {inst}?",
        f"would it change if my {word} was from {inst}", f"and if the university was {inst}?",
        f"what about if I graduated from {inst}?", f"{_if_lead(w)} I had done my {word} at {inst}?",
        f"and if it was {inst} instead of {w.unlisted()}?", f"what if my {word} were from {w.unlisted()}?",
        f"and if I transfer to {inst} and graduate there?", f"what if I got my {word} from {inst}",
        f"would {inst} make a difference?", f"and {inst}?",
    ])


def _what_if_field(w: Writer) -> str:
    f1, f2 = w.stem_field(), w.field()
    return w.pick([
        f"what if I had studied {f1} instead?", f"and if my field were {f1}?", f"what if my major was {f1}?",
        f"{_if_lead(w)} my degree was in {f1} instead of {f2}?", f"and with {f1} instead of {f2}?",
        f"would it change if I studied {f1}", f"what about if my master's were in {f1}?",
        f"and if I switch my field to {f1}?", f"same degree but in {f1}?", f"and for {f1}?",
    ])


def _what_if_online(w: Writer) -> str:
    word = w.pick(LEVEL_WORDS["master"] + LEVEL_WORDS["bachelor"])
    return w.pick([
        "and if it wasn't online?", "what if my degree was not online?", f"what if my {word} was on campus instead?",
        f"{_if_lead(w)} I had done the {word} in person?", "and if it were a regular, not a distance degree?",
        f"what if I did the {word} online instead?", "would it change if the degree were on campus",
        f"suppose my {word} had not been a distance programme",
    ])


def _what_if_progress(w: Writer) -> str:
    word = w.pick(LEVEL_WORDS["master"] + LEVEL_WORDS["doctorate"])
    return w.pick([
        f"what if I finish my {word} first?", f"and once I've finished my {word}?", f"and after I defend my {word}?",
        f"what if I wait until I graduate from my {word}?", f"{_if_lead(w)} my {word} were already finished?",
        f"and in a year, when the {word} is done?", f"would it change once I graduate",
    ])


def _what_if_only(w: Writer) -> str:
    lvl = w.pick(["bachelor", "master"])
    word = w.pick(LEVEL_WORDS[lvl])
    return w.pick([
        f"what about with my {word} only?", f"and with just my {word}?", f"what if I only count my {word}?",
        f"{_if_lead(w)} I only had my {word}?", f"and without the {w.pick(LEVEL_WORDS['doctorate'])}?",
        f"what if I leave out my {word}?", f"would my {word} alone be enough?", f"and only the {word}?",
        f"what if I didn't have the {w.pick(LEVEL_WORDS['master'])}?",
    ])


def _what_if_two(w: Writer) -> str:
    n = w.r.randint(25, 50)
    lvl = w.pick(["master", "doctorate"])
    deg = w.degree(lvl)
    inst = w.listed()
    return w.pick([
        f"what if I were {n} and had {article(deg)} from {inst}?",
        f"and if I was {n} with {article(deg)} in {w.stem_field()}?",
        f"suppose I had {article(deg)} from {inst} and was {n}",
        f"{_if_lead(w)} I studied {w.stem_field()} at {inst} instead?",
        f"and at {n}, with {article(deg)}?", f"same but {n} and {article(deg)} from {inst}?",
        f"what if my {w.pick(LEVEL_WORDS[lvl])} were in {w.stem_field()} and from {inst}?",
        f"{_if_lead(w)} I had {article(deg)} from {inst} but I'm {n}?",
    ])


def _what_if_other(w: Writer) -> str:
    rel = w.pick(sorted(HE | SHE))
    pro = "he" if rel in HE else "she"
    n = w.r.randint(22, 50)
    return w.pick([
        f"and if my {rel} were {n} instead?", f"what if {pro} had {article(w.degree('doctorate'))}?",
        f"and if {pro} was {n}?", f"what if {pro} had studied at {w.listed()}?",
        f"would it change if {pro} got {article(w.degree('master'))} from {w.listed()}",
    ])


WHAT_IF_KINDS: dict[str, Callable[[Writer], str]] = {
    "age": _what_if_age, "degree": _what_if_degree, "institution": _what_if_institution, "field": _what_if_field,
    "online": _what_if_online, "progress": _what_if_progress, "only": _what_if_only, "two": _what_if_two,
    "other": _what_if_other,
}

GENERATORS: dict[str, Callable[[Writer], str]] = {
    "check_eligibility": check_eligibility, "inform": inform, "what_if": what_if,
}

# ------------------------------------------------------------------------------------------------- typos

SLANG = [(r"\byou\b", "u"), (r"\byour\b", "ur"), (r"\bare\b", "r"), (r"\bplease\b", "pls"), (r"\bplease\b", "plz"),
         (r"\bwhat\b", "wat"), (r"\bthanks\b", "thx"), (r"\bbecause\b", "cuz"), (r"\bI'm\b", "im"),
         (r"\bI am\b", "im"), (r"\bokay\b", "ok"), (r"\bwhat's\b", "whats"), (r"\bfor\b", "4"), (r"\bto\b", "2"),
         (r"\bthe\b", "da"), (r"\bwith\b", "w/"), (r"\bpeople\b", "ppl"), (r"\bknow\b", "kno")]


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[A-Za-z]{4,}", text)]


def _drop_letter(r: random.Random, text: str) -> str:
    spans = _word_spans(text)
    if not spans:
        return text
    a, b = r.choice(spans)
    i = r.randint(a + 1, b - 1)
    return text[:i] + text[i + 1:]


def _swap_letters(r: random.Random, text: str) -> str:
    spans = [(a, b) for a, b in _word_spans(text) if b - a >= 4]
    if not spans:
        return text
    a, b = r.choice(spans)
    i = r.randint(a + 1, b - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _double_letter(r: random.Random, text: str) -> str:
    spans = _word_spans(text)
    if not spans:
        return text
    a, b = r.choice(spans)
    i = r.randint(a, b - 1)
    return text[:i] + text[i] + text[i:]


def _slang(r: random.Random, text: str) -> str:
    rules = [(p, s) for p, s in SLANG if re.search(p, text, flags=re.I)]
    if not rules:
        return text
    pattern, repl = r.choice(rules)
    return re.sub(pattern, repl, text, flags=re.I)


def _no_apostrophe(r: random.Random, text: str) -> str:
    return re.sub(r"(?<=\w)['’](?=\w)", "", text)


def _no_punctuation(r: random.Random, text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[.,;:!?'’\"]", "", text)).strip()


def _lower(r: random.Random, text: str) -> str:
    return text.lower()


NOISE = [_drop_letter, _swap_letters, _double_letter, _slang, _no_apostrophe]
SURFACE = [_no_punctuation, _lower]


def typo_variant(text: str) -> str | None:
    """A noisy version of a hand-written example, or None when none differs enough. Depends only on the text."""
    if len(text) < 5:
        return None
    r = random.Random(int(hashlib.sha256(f"{SEED}:typo:{text}".encode()).hexdigest()[:16], 16))
    for _ in range(6):
        variant = text
        for op in r.sample(NOISE, k=r.choice([1, 1, 2])):
            variant = op(r, variant)
        for op in SURFACE:
            if r.random() < 0.3:
                variant = op(r, variant)
        variant = variant.strip()
        if variant and normalise(variant) != normalise(text):
            return variant
    return None


def _selected(intent: str, text: str, purpose: str, share: float) -> bool:
    digest = hashlib.sha256(f"{SEED}:{purpose}:{intent}:{text}".encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF < share


def selected_for_typos(intent: str, text: str) -> bool:
    digest = hashlib.sha256(f"{SEED}:pick:{intent}:{text}".encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF < TYPO_SHARE


# ---------------------------------------------------------------------------------------------- assembling


def normalise(text: str) -> str:
    """The form conflicts are judged on: lower case, no accents, no punctuation, one space between words."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^\w]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def hand_written(folder: Path = HAND_WRITTEN) -> list[tuple[str, str]]:
    """(intent, example) pairs of data/nlu/*.yml, in file order."""
    pairs = []
    for path in sorted(folder.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = line[2:].strip()
                    if text:
                        pairs.append((block["intent"], text))
    return pairs


class _Reserved:
    """Texts no generated example may repeat or nearly repeat."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = sorted({normalise(t) for t in texts if normalise(t)})
        self.tokens = [set(t.split()) for t in self.texts]

    def __contains__(self, key: str) -> bool:
        tokens = set(key.split())
        for text, reserved in zip(self.texts, self.tokens):
            if key == text:
                return True
            matcher = difflib.SequenceMatcher(None, key, text, autojunk=False)
            if matcher.real_quick_ratio() >= 0.92 and matcher.quick_ratio() >= 0.92 and matcher.ratio() >= 0.92:
                return True
            if len(tokens) >= 5 and len(reserved) >= 5 and len(tokens & reserved) / len(tokens | reserved) >= 0.8:
                return True
        return False


def _clean(text: str) -> str:
    text = text.replace("\n", " ").replace("\t", " ")
    text = re.sub(r"[\[\]{}]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def generate(folder: Path = HAND_WRITTEN) -> dict[str, list[str]]:
    """intent -> examples, conflicts with other intents (generated or hand-written) removed."""
    given = hand_written(folder)
    owners: dict[str, set[str]] = {}
    for intent, text in given:
        owners.setdefault(normalise(text), set()).add(intent)
    hand_keys = set(owners)
    quoted = list(QUOTED)
    if HELDOUT_README.exists():
        quoted += re.findall(r'"([^"\n]{8,})"', HELDOUT_README.read_text(encoding="utf-8"))
    reserved = _Reserved(quoted)

    vocab = Vocabulary()
    out: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()

    def add(intent: str, text: str) -> bool:
        text = _clean(text)
        key = normalise(text)
        if not key or key in reserved or (intent, key) in seen or key in hand_keys and intent in owners[key]:
            return False
        seen.add((intent, key))
        owners.setdefault(key, set()).add(intent)
        out.setdefault(intent, []).append(text)
        return True

    for intent, target in TARGETS.items():
        writer = Writer(vocab, intent)
        made = attempts = 0
        while made < target and attempts < target * 20:
            attempts += 1
            made += add(intent, GENERATORS[intent](writer))
    for intent, text in given:
        if selected_for_typos(intent, text):
            variant = typo_variant(text)
            if variant:
                add(intent, variant)
    facts = Writer(vocab, "inform")
    for intent, text in given:
        if intent.startswith("faq/") and _selected(intent, text, "facts", FAQ_WITH_FACTS_SHARE):
            statement = inform(facts).rstrip(" .!?")
            add(intent, f"{statement}. {text}" if len(statement) < 90 else text)
    # a text claimed by two intents teaches nothing: drop every generated copy of it
    return {intent: [t for t in texts if len(owners[normalise(t)]) == 1] for intent, texts in out.items()}


class _Literal(str):
    pass


def _literal(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


def render(examples: dict[str, list[str]]) -> str:
    yaml.add_representer(_Literal, _literal)
    blocks = [{"intent": intent, "examples": _Literal("".join(f"- {t}\n" for t in texts))}
              for intent, texts in examples.items() if texts]
    return ("# Generated by kvisa/training_examples.py from kvisa/data and data/nlu: do not edit.\n"
            + yaml.dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False, width=10_000))


def main(argv: Iterable[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    target = Path(argv[0] if argv else "build/nlu/generated.yml")
    target.parent.mkdir(parents=True, exist_ok=True)
    examples = generate()
    target.write_text(render(examples), encoding="utf-8")
    counts = ", ".join(f"{intent} {len(texts)}" for intent, texts in sorted(examples.items()) if texts)
    print(f"wrote {target}: {sum(map(len, examples.values()))} examples ({counts})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
