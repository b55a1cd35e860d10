"""Finds known phrases (aliases, keywords) as whole words in normalised text, longest first."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, Iterable, TypeVar

from kvisa.text import normalise

V = TypeVar("V")


@dataclass(frozen=True)
class PhraseMatch(Generic[V]):
    phrase: str
    value: V
    start: int


class PhraseIndex(Generic[V]):
    """One compiled alternation over every phrase: a 100 KB message costs one regex scan, not one per phrase."""

    def __init__(self, pairs: Iterable[tuple[str, V]], case_sensitive: bool = False):
        self.case_sensitive = case_sensitive
        self._values: dict[str, V] = {}
        for phrase, value in pairs:
            key = phrase if case_sensitive else normalise(phrase)
            if key:
                self._values.setdefault(key, value)
        alternatives = sorted(self._values, key=len, reverse=True)
        body = "|".join(re.escape(p) for p in alternatives) or r"(?!x)x"
        self._pattern = re.compile(r"(?<![\w'])(" + body + r")(?![\w])")
        # CJK phrases have no word boundaries around them.
        cjk = [p for p in alternatives if any(ord(ch) > 0x2E80 for ch in p)]
        self._cjk = re.compile("|".join(re.escape(p) for p in cjk)) if cjk else None

    def __contains__(self, phrase: str) -> bool:
        return (phrase if self.case_sensitive else normalise(phrase)) in self._values

    def get(self, phrase: str) -> V | None:
        return self._values.get(phrase if self.case_sensitive else normalise(phrase))

    def phrases(self) -> list[str]:
        return list(self._values)

    def find_all(self, text: str) -> list[PhraseMatch[V]]:
        prepared = text.replace(".", "") if self.case_sensitive else normalise(text)
        return self.find_prepared(prepared)

    def find_prepared(self, prepared: str) -> list[PhraseMatch[V]]:
        """Matches in text already normalised by the caller (offsets are offsets into `prepared`)."""
        found = [PhraseMatch(m.group(1), self._values[m.group(1)], m.start()) for m in self._pattern.finditer(prepared)]
        if self._cjk:
            found += [PhraseMatch(m.group(0), self._values[m.group(0)], m.start()) for m in self._cjk.finditer(prepared)]
        return found
