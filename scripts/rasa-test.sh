#!/usr/bin/env bash
# Conversation stories (fail on any prediction error) and the held-out NLU test set (accuracy printed).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-models/kvisa.tar.gz}
rm -rf results
.venv/bin/rasa test core --model "$MODEL" --stories tests/stories --fail-on-prediction-errors \
  --out results/core --no-plot
.venv/bin/rasa test nlu --model "$MODEL" --domain domain --nlu tests/nlu_test.yml --out results/nlu --no-plot
.venv/bin/python scripts/nlu_report.py results/nlu
