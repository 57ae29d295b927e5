# One-command set-up for the citizen-service assistant. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        ?= .venv
PY          := $(VENV)/bin/python
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed
MODEL       := models/assistant.tar.gz
SPACY_PIPE  := build/spacy_gazetteer/meta.json
AXE         := build/node/node_modules/axe-core/axe.min.js

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS ?= ignore::DeprecationWarning

TRAIN_INPUTS := config.yml $(shell find bot nlu/data nlu/components nlu/gazetteer -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null)
CATALOGUE_SERVICES := $(wildcard knowledge/catalogue/services/*.yml)

.PHONY: help install train run test eval crossval bench bench-cluster lint db telegram constraints clean catalogue-check rules cluster fuzz

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install: $(STAMP)  ## create .venv with Python 3.10 and install the pinned dependencies

$(STAMP): requirements.txt constraints.txt
	@PY310=$$(scripts/find-python310.sh) || exit 1; \
	if [ ! -x "$(PY)" ]; then echo "creating $(VENV) with $$PY310"; "$$PY310" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade "pip<24"
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip check
	@touch $@

# The install stamp is order-only: a dependency-only change does not rebuild or retrain.
$(SPACY_PIPE): nlu/gazetteer/build.py $(wildcard nlu/gazetteer/*.yml) $(CATALOGUE_SERVICES) | $(STAMP)
	$(PY) -m nlu.gazetteer.build --out build/spacy_gazetteer

train: $(MODEL)  ## train the NLU and dialogue model (skipped when nothing changed)

$(MODEL): $(SPACY_PIPE) $(TRAIN_INPUTS) | $(STAMP)
	@mkdir -p models
	@start=$$(date +%s); \
	$(BIN)/rasa train --config config.yml --domain bot/domain --data bot/rules bot/stories nlu/data \
	    --out models --fixed-model-name assistant --force --quiet && \
	echo "trained $(MODEL) in $$(( $$(date +%s) - start )) s"

db: $(STAMP)  ## migrate the database (DATABASE_URL, default SQLite under var/) and seed it (idempotent)
	$(PY) -m core.bootstrap

run: install train db  ## start the whole assistant in the foreground (Ctrl-C stops it)
	@$(PY) -m core.run

cluster: install train  ## PostgreSQL + Redis under var/cluster, 2 Rasa replicas behind nginx, 2 action servers, the gateway (Debian: postgresql redis-server nginx)
	@$(PY) scripts/cluster.py

telegram: install train db  ## run the Telegram connector in polling mode (needs TELEGRAM_TOKEN)
	$(PY) -m channels.telegram.polling

$(AXE):
	npm install --prefix build/node --no-audit --no-fund --silent axe-core@4

test: install train $(AXE)  ## everything CI runs: data validation, lint, unit, conversation and browser tests (SQLite, then PostgreSQL + Redis)
	$(BIN)/rasa data validate --config config.yml --domain bot/domain --data bot/rules bot/stories nlu/data --fail-on-warnings --quiet
	$(BIN)/ruff check .
	$(BIN)/pytest
	ASSISTANT_TEST_BACKEND=postgres $(BIN)/pytest tests/conversations tests/integration tests/scaleout/test_test_backend.py

eval: install train $(SPACY_PIPE)  ## score the model and Rasa's default pipeline on nlu/test and nlu/holdout; reports in reports/nlu/
	$(PY) -m nlu.evaluation eval

crossval: install $(SPACY_PIPE)  ## 5-fold cross-validation over nlu/data, per language
	$(PY) -m nlu.evaluation crossval --folds 5

fuzz: install train  ## 10,000 hostile inputs on the REST, web and Telegram edges of a fresh stack: 0 responses of 5xx, every process up
	$(PY) -m tests.fuzz.campaign --count 10000

bench: install train  ## REST throughput and latency beside a stock Rasa bot, search latency, a 10,000-service national-format import, notice fan-out, the figures over 100,000 events, a 200-conversation soak with lost turns counted (not part of test)
	$(PY) -m bench.rest_bench
	$(PY) -m bench.import_bench --json reports/bench/import.json
	$(PY) -m bench.notice_bench --json reports/bench/notices.json
	$(PY) -m bench.figures_bench --json reports/bench/figures.json
	$(PY) -m bench.soak --json reports/bench/soak.json

bench-cluster: install train  ## turns/s with 1 Rasa worker, 2 workers and 2 replicas behind nginx, on PostgreSQL + Redis (reports/bench/cluster.json)
	$(PY) -m bench.cluster_bench

rules: install  ## regenerate bot/rules/form_exits.yml (inside every form, a clear new request leaves it)
	$(PY) scripts/form_exit_rules.py

catalogue-check: install  ## validate the service catalogue YAML without touching the database
	$(PY) -m knowledge validate knowledge/catalogue

lint:  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy core nlu actions knowledge applications channels console records

constraints:  ## re-pin constraints.txt from the current venv
	(echo "# Every dependency pinned; generated from a working venv with 'pip freeze' and checked with 'pip check'."; \
	 echo "# Regenerate: make constraints"; $(BIN)/pip freeze | grep -v '^-e') > constraints.txt

clean:  ## remove the trained model, build output and the local database
	rm -rf models build var .pytest_cache
