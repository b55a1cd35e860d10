"""Rasa's SQL tracker store with and without channels/rasa_speedups.py, in one process, on an SQLite file.

    .venv/bin/python bench/tracker_store.py [--conversations 20] [--turns 9] [--rounds 3]

Each conversation is saved new, then read back, given a turn (a user message with an intent ranking, an
action, a bot message, a slot) and saved again, --turns times: what the Rasa server does for each message.
Prints the CPU time per turn of Rasa's own store and of the store with the speed-ups, round by round (the
baseline is measured in the same run, interleaved). It asserts nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from channels import rasa_speedups  # noqa: E402

INTENT = {"name": "faq", "confidence": 0.9}
PATCHED = {"_retrieve": rasa_speedups._retrieve, "save": rasa_speedups._save,
           "_additional_events": rasa_speedups._additional_events}
ORIGINAL = {"_retrieve": rasa_speedups._original_retrieve, "save": rasa_speedups._original_save,
            "_additional_events": rasa_speedups._original_additional_events}


def conversation(store: SQLTrackerStore, domain: Domain, sender: str, turns: int) -> None:
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(UserUttered("hi", INTENT))
    asyncio.run(store.save(tracker))
    for i in range(turns):
        tracker = asyncio.run(store.retrieve(sender))
        tracker.update(UserUttered(f"message {i} with a few words", INTENT,
                                   parse_data={"intent": INTENT, "intent_ranking": [INTENT] * 10, "text": "x"}))
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(BotUttered(f"an answer of a realistic length, number {i} " * 5))
        tracker.update(SlotSet("age", str(20 + i)))
        asyncio.run(store.save(tracker))


def cpu_per_turn(methods: dict, domain: Domain, path: Path, conversations: int, turns: int) -> float:
    for name, method in methods.items():
        setattr(SQLTrackerStore, name, method)
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    started = time.process_time()
    for c in range(conversations):
        conversation(store, domain, f"bench-{c}", turns)
    return (time.process_time() - started) * 1000 / (conversations * turns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=9)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    domain = Domain.load(str(ROOT / "domain"))
    with tempfile.TemporaryDirectory() as work:
        for r in range(args.rounds):
            rasa = cpu_per_turn(ORIGINAL, domain, Path(work) / f"rasa{r}.db", args.conversations, args.turns)
            fast = cpu_per_turn(PATCHED, domain, Path(work) / f"fast{r}.db", args.conversations, args.turns)
            print(f"round {r + 1}: Rasa's store {rasa:.2f} ms/turn, with the speed-ups {fast:.2f} ms/turn "
                  f"({rasa / fast:.2f}x)")


if __name__ == "__main__":
    main()
