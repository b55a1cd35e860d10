"""Command line: `python -m kvisa --age 29 --degree PhD --field physics --institution "ETH Zurich"`."""
from __future__ import annotations

import argparse
import json

from kvisa import assess


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kvisa", description="Estimate K-visa eligibility.")
    for name in ("age", "degree", "field", "institution"):
        parser.add_argument(f"--{name}")
    args = parser.parse_args(argv)
    verdict = assess(age=args.age, degree=args.degree, field=args.field, institution=args.institution)
    print(json.dumps(verdict.to_payload(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
