"""Loads the policy and data files that live beside the code (YAML a non-programmer can review)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
POLICY_FILE = PACKAGE_DIR / "policy" / "k_visa_policy.yml"


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=None)
def policy() -> dict:
    return _read(POLICY_FILE)


@lru_cache(maxsize=None)
def data(name: str) -> dict:
    """One file of kvisa/data/, by stem: 'degrees', 'fields', 'institutions', 'purposes'."""
    return _read(DATA_DIR / f"{name}.yml")
