"""Z visa or K visa? Advice per travel purpose, from kvisa/data/purposes.yml."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from kvisa.parsing import parse_purpose, purposes


@dataclass(frozen=True)
class Advice:
    purpose: str
    label: str
    visa: str
    needs_work_permit: bool
    text: str
    certainty: str
    source: str


def advice(purpose: Optional[str]) -> Optional[Advice]:
    """Advice for a purpose id, or for free text naming one; None when the purpose is unknown."""
    if not purpose:
        return None
    entry = next((p for p in purposes() if p["id"] == purpose), None)
    if entry is None:
        parsed = parse_purpose(purpose)
        if parsed.purpose is None:
            return None
        entry = next(p for p in purposes() if p["id"] == parsed.purpose)
    return Advice(entry["id"], entry["label"], entry["visa"], bool(entry["needs_work_permit"]),
                  " ".join(entry["advice"].split()), entry["certainty"], entry["source"])
