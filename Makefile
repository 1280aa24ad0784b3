# Every target builds .venv by itself: a fresh clone needs only python3 (>= 3.11) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `run` needs only the embedded stack ([local]); tests and linters add [dev].
LOCAL := $(VENV)/.installed-local
DEV := $(VENV)/.installed-dev

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(LOCAL): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[local]'
	touch $(LOCAL)

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV) $(LOCAL)

run: $(LOCAL)
	$(BIN)/quotepipe run

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: $(DEV)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) lake .pytest_cache .mypy_cache .ruff_cache

# ---- AWS (issue 6). Needs the AWS SAM CLI, Docker and AWS credentials; not part of `make test`.
.PHONY: deploy images
IMAGE_TAG ?= latest

deploy:
	sam build
	sam deploy

images:
	docker build --platform linux/amd64 -f Dockerfile.producer -t quotepipe-producer:$(IMAGE_TAG) .
	docker build --platform linux/amd64 -f Dockerfile.processor -t quotepipe-processor:$(IMAGE_TAG) .
