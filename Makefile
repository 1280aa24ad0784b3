# Every target builds .venv by itself: a fresh clone needs only python3 (>= 3.11) and make.
# Every install comes from uv.lock (README: "Versions: one lock"); uv itself is a pinned
# wheel from PyPI, and it never downloads an interpreter.
UV_VERSION := 0.13.9
CHECKOV_VERSION := 3.3.30
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_STAMP := $(VENV)/.installed-uv-$(UV_VERSION)
export UV_PYTHON_DOWNLOADS := never
# Installed modules come with their bytecode: without it every `quotepipe` start compiles
# sqlglot and duckdb again where .pyc files cannot be written (1.3 s instead of 0.4 s, measured).
export UV_COMPILE_BYTECODE := 1
# uv works on .venv's interpreter, never on one it would pick from .python-version.
export UV_PYTHON := $(CURDIR)/$(BIN)/python
# `run` needs only the embedded stack ([local]); tests and linters add [dev].
LOCAL := $(VENV)/.installed-local
DEV := $(VENV)/.installed-dev
# What the tests use and must not install themselves (tests/infra/aws/).
CHECKOV := $(VENV)/tools/checkov/.installed-$(CHECKOV_VERSION)
WHEELS := $(VENV)/wheels/.downloaded
IMAGE_EXTRAS := producer processor

# Lambda runs Python 3.12, so .venv does too where the machine has it (.python-version says
# 3.12 to pyenv and uv); otherwise the first python3 >= 3.11. Each candidate is also tried
# from /, where a pyenv shim does not read this repository's .python-version (which names a
# version the machine may lack, and then the shim fails here).
PYTHON ?= $(shell for py in python3.12 python3; do for dir in . /; do \
	(cd $$dir && $$py -c 'import sys; assert sys.version_info >= (3, 11); print(sys.executable)') \
	2>/dev/null && exit 0; done; done)

.PHONY: run test test-tools lint lock bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "make: no python3 >= 3.11 found" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.version_info[:2] == (3, 12) or print(f"make: no Python 3.12\
	 (what Lambda runs) here; .venv uses {sys.executable}, {sys.version.split()[0]}")'
	$(PYTHON) -m venv $(VENV)

$(UV_STAMP): | $(BIN)/python
	$(BIN)/python -m pip install -qq --only-binary :all: uv==$(UV_VERSION)
	touch $@

# The venv gets the lock's versions, hash-checked, then the project itself (editable).
$(LOCAL): uv.lock pyproject.toml | $(UV_STAMP)
	$(UV) export --quiet --frozen --no-emit-project --extra local -o $(VENV)/requirements-local.txt
	$(UV) pip install --quiet --require-hashes -r $(VENV)/requirements-local.txt
	$(UV) pip install --quiet --no-deps -e .
	touch $@

$(DEV): uv.lock pyproject.toml | $(UV_STAMP)
	$(UV) export --quiet --frozen --no-emit-project --extra dev -o $(VENV)/requirements-dev.txt
	$(UV) pip install --quiet --require-hashes -r $(VENV)/requirements-dev.txt
	$(UV) pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(LOCAL)

# checkov pins old boto3/botocore/packaging releases, so it gets a virtualenv of its own.
$(CHECKOV): | $(UV_STAMP)
	rm -rf $(@D)
	$(BIN)/python -m venv --without-pip $(@D)
	$(UV) pip install --quiet --python $(@D)/bin/python checkov==$(CHECKOV_VERSION)
	touch $@

# The images' locked wheels for this machine: tests/infra/aws/test_images.py replays each
# Dockerfile's pip lines against them offline (--no-index).
$(WHEELS): $(foreach x,$(IMAGE_EXTRAS),requirements/$(x).txt) | $(DEV)
	rm -rf $(@D)
	$(foreach x,$(IMAGE_EXTRAS),$(BIN)/python -m pip download -qq --require-hashes \
		--only-binary :all: -d $(@D) -r requirements/$(x).txt &&) true
	touch $@

test-tools: $(CHECKOV) $(WHEELS)

run: $(LOCAL)
	$(BIN)/quotepipe run

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint test-tools
	$(BIN)/pytest -q

# After changing dependencies in pyproject.toml: re-resolve, then export each image's file.
lock: $(DEV)
	$(UV) lock
	$(foreach x,$(IMAGE_EXTRAS),$(UV) export --quiet --frozen --no-emit-project --no-dev \
		--extra $(x) -o requirements/$(x).txt &&) true

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
