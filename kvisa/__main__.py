"""Command line: `python -m kvisa --age 29 --degree PhD --field physics --institution "ETH Zurich"`,
or `python -m kvisa --text "I'm 29 with a PhD in physics from ETH Zurich"`."""
from __future__ import annotations

import argparse
import json

from kvisa import assess, extract_profile, profile_from_answers


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kvisa", description="Estimate K-visa eligibility.")
    for name in ("age", "degree", "field", "institution"):
        parser.add_argument(f"--{name}")
    parser.add_argument("--text", help="a whole message, read as the assistant reads it")
    args = parser.parse_args(argv)
    if args.text:
        profile = extract_profile(args.text)
    else:
        profile = profile_from_answers(age=args.age, degree=args.degree, field=args.field, institution=args.institution)
    verdict = assess(profile)
    print(json.dumps(verdict.to_payload(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
