# salescoach (销售陪练): every command a developer or user needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
RASA_VERSION := 3.6.21
RASA_SDK_VERSION := 3.6.2
REQUIREMENTS := requirements/rasa-deps.txt requirements/constraints.txt requirements/extras.txt pyproject.toml

# No telemetry or update checks at run time; quiet TensorFlow.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

MODEL = models/salescoach-$(shell $(PYTHON) scripts/fingerprint.py).tar.gz

.PHONY: help install browser admin demo run web train validate lint types format unit test shell bench eval calibrate fault probe clean

help: ## list every target
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv (Python 3.11) and install pinned Rasa 3.6 + project deps

$(STAMP): $(REQUIREMENTS)
	@scripts/install.sh "$(PYTHON)" "$(VENV)" "$(RASA_VERSION)" "$(RASA_SDK_VERSION)"
	@touch $(STAMP)

train: $(STAMP) ## train a model into models/ unless one matches the current data and config
	@if [ -f "$(MODEL)" ]; then \
		echo "model up to date: $(MODEL)"; \
	else \
		echo "training $(MODEL) ..."; \
		$(BIN)/rasa train --fixed-model-name "$(notdir $(basename $(basename $(MODEL))))" \
			--out models --quiet; \
	fi

run: train ## train if needed, then start the bot (Rasa 5005, actions 5055) and the web app (8000)
	@scripts/run.sh "$(MODEL)"

web: $(STAMP) ## serve only the web app on :8000 (its chat needs the bot from `make run`)
	$(BIN)/python -m webapp

shell: train ## talk to the bot in the terminal (rasa shell, with the action server)
	@scripts/run.sh "$(MODEL)" shell

validate: $(STAMP) ## check domain, stories, rules and NLU data for inconsistencies
	$(BIN)/rasa data validate --fail-on-warnings

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP) ## mypy (with the pydantic plugin) over bot, actions, channels, components, webapp
	$(BIN)/python -m mypy

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

browser: ## install Debian's chromium + chromedriver (and a CJK font) and nginx for the browser and proxy tests
	@scripts/install_browser.sh

admin: $(STAMP) ## create an admin account: make admin NAME=wang (password prompted, or random and shown once)
	@test -n "$(NAME)" || { echo "usage: make admin NAME=username"; exit 2; }
	$(BIN)/python -m webapp create-admin "$(NAME)"

demo: $(STAMP) ## on an empty database: demo teams and users with random passwords, shown once
	$(BIN)/python -m webapp demo-users

unit: $(STAMP) ## the unit tests in tests/unit: no trained model, no servers, under a minute
	$(BIN)/python -m pytest tests/unit -q

test: lint types validate train browser ## every check: lint, types, data validation, pytest, rasa test stories
	$(BIN)/python -m pytest
	ACTION_SERVER_TOKEN=unused-rasa-test-runs-no-actions \
		$(BIN)/rasa test core --stories tests/test_stories.yml --model "$(MODEL)" \
		--out results/core --fail-on-prediction-errors --quiet

eval: train ## report ranking (Spearman against a trainer), NLU quality (held-out sets, multi-move lines, 5-fold cross-validation; slow) and the customer (topic questions, scripted visits, rudeness)
	$(BIN)/python -m scripts.eval_reports
	$(BIN)/python -m scripts.eval_customer
	$(BIN)/python -m scripts.eval_nlu

calibrate: train ## do scores rank visits as a trainer does? Spearman on tests/fixtures/calibration (all, good, odd/even halves, per dimension, per visit)
	$(BIN)/python -m scripts.eval_reports --visits

bench: train ## latency: NLU parse, scoring, concurrent role-plays, WeCom callbacks (p50, p95)
	$(BIN)/python -m benchmarks.bench_parse
	$(BIN)/python -m benchmarks.bench_score
	$(BIN)/python -m benchmarks.bench_roleplay
	$(BIN)/python -m benchmarks.bench_wecom
	$(BIN)/python -m benchmarks.bench_web

fault: train ## what faults do to a rep's lines: servers killed, database dropped, per channel (PostgreSQL too with TEST_POSTGRES_URL)
	$(BIN)/python -m benchmarks.fault_report

probe: train ## start the bot as make run does and try its doors from outside (listening addresses, API, action server, passwords)
	$(BIN)/python -m benchmarks.door_probe

clean: ## remove trained models and test results (keeps .venv)
	rm -rf models results .pytest_cache .ruff_cache
