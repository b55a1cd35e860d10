"""Prints the held-out NLU figures from `rasa test nlu` reports and fails below the floor.

    python scripts/nlu_report.py results/nlu
"""
import json
import sys
from pathlib import Path

FLOOR = 0.80  # intent accuracy on tests/nlu_test.yml below which `make test` fails


def main(folder: str) -> int:
    root = Path(folder)
    intents = json.loads((root / "intent_report.json").read_text())
    print(f"NLU held-out set (tests/nlu_test.yml): intent accuracy {intents['accuracy']:.3f}, "
          f"weighted F1 {intents['weighted avg']['f1-score']:.3f}")
    selector = root / "response_selection_report.json"
    if selector.exists():
        faq = json.loads(selector.read_text())
        print(f"FAQ response selection: accuracy {faq.get('accuracy', 0):.3f}, "
              f"weighted F1 {faq['weighted avg']['f1-score']:.3f}")
    weak = sorted((v["f1-score"], k) for k, v in intents.items() if isinstance(v, dict) and "f1-score" in v
                  and k not in {"accuracy", "macro avg", "weighted avg", "micro avg"} and v["f1-score"] < 0.8)
    for f1, name in weak:
        print(f"  weak intent: {name} (F1 {f1:.2f})")
    if intents["accuracy"] < FLOOR:
        print(f"FAILED: intent accuracy below the floor of {FLOOR}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "results/nlu"))
