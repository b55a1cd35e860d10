"""Text normalisation shared by the parsers and the spaCy pipeline builder."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-"})


def strip_accents(text: str) -> str:
    """'Zürich' -> 'Zurich'; leaves CJK characters alone."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Lower case, no accents, no dots, one space between words: the form every matcher compares."""
    text = strip_accents(unicodedata.normalize("NFKC", text)).translate(_QUOTES).lower()
    text = text.replace(".", "")
    text = re.sub(r"[,;:!?()\[\]{}\"/\\|]", " ", text)
    return _SPACES.sub(" ", text).strip()


def clip(text: str, limit: int = 300) -> str:
    """Bound the work done on a message: parsers only look at its first `limit` characters."""
    return text[:limit]


# A question mark, a question word or auxiliary first, "... or not": the message asks something.
_QUESTION = re.compile(r"\?|^\s*(?:what|how|when|where|which|who|whom|why|can|could|do|does|did|is|are|am|will|"
                       r"would|should|shall|may|might|must|any|pls|please|tell me)\b|\bor not\b", re.IGNORECASE)


def looks_like_a_question(text: str) -> bool:
    return bool(_QUESTION.search(text or ""))
