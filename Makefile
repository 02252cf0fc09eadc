# The two commands a new user runs: `make run` (index the demo corpus, open the chat) and
# `make test`. Both create .venv and install exactly what requirements.lock names (versions and
# hashes: the set the suite passed with); the set-up is skipped when neither the lock nor
# pyproject.toml changed since the last install. `make lock` refreshes the lock.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_VERSION := 26.3
PYTEST_ARGS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: setup run test index serve bench clean chromium lock doctor

setup: $(STAMP)

# --no-deps: the lock is the whole environment, nothing is resolved at install time.
# torch's CPU build comes from this machine's wheel folder (pip's find-links); its hash is locked too.
$(STAMP): requirements.lock pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q pip==$(PIP_VERSION)
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

# Re-resolve pyproject.toml's ranges (all extras) into exact versions with hashes.
# Not `setup`: after a dependency is added to pyproject.toml, setup's `pip check` fails until the lock has it.
lock:
	test -x $(BIN)/pip-compile || { $(PY) -m venv $(VENV) && $(BIN)/pip install -q --require-hashes --no-deps -r requirements.lock; }
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --build-deps-for=editable --extra llm --extra ocr --extra milvus --extra dev \
		-o requirements.lock pyproject.toml
	@echo "requirements.lock refreshed: run make test, then commit it with pyproject.toml"

doctor: setup
	$(BIN)/zhiku doctor

run: setup index doctor serve

index: setup
	$(BIN)/zhiku index build
	$(BIN)/zhiku index stats

serve: setup
	$(BIN)/zhiku serve

# the browser test drives Debian's chromium (never `playwright install`); a CJK font keeps screenshots legible
chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium fonts-wqy-microhei; }

test: setup chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/index
