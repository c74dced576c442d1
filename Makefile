# Two commands for a fresh machine (Debian, Python 3.11):
#   make run   — install, print the national summary, then start the dashboard on the embedded data
#   make test  — install everything (Python, Debian, npm), then run the full test suite
VENV ?= .venv
PY := $(VENV)/bin/python
SOCMOB := $(VENV)/bin/socmob
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install system-deps web-assets lint bench data clean

$(VENV)/.installed: requirements.lock pyproject.toml
	python3 -m pip install -q --disable-pip-version-check uv
	python3 -m uv venv -q --allow-existing --python 3.11 $(VENV)
	python3 -m uv pip install -q --python $(PY) -r requirements.lock
	python3 -m uv pip install -q --python $(PY) --no-deps -e .
	touch $@

install: $(VENV)/.installed

run: install web-assets
	$(SOCMOB) summary
	$(SOCMOB) serve --host $(HOST) --port $(PORT)

system-deps:
	./scripts/install-system-deps.sh

web-assets:
	./scripts/build_web_assets.sh

test: install system-deps web-assets lint
	$(PY) -m pytest -q -n auto

lint: install
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/mypy

bench: install
	$(PY) -m bench

data: install
	$(PY) scripts/build_default_data.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
