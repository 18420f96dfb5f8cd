# Two commands: `make demo` runs the product, `make test` checks it. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: system test demo lint typecheck pytest bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

system:
	@scripts/ensure-system.sh

test: system lint typecheck pytest

demo: $(STAMP)
	$(BIN)/zengzhi demo

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o src/zengzhi/web/locale/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i src/zengzhi/web/locale/messages.pot -d src/zengzhi/web/locale --no-wrap

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# the ledger's throughput on PostgreSQL and SQLite (issue 3)
bench-ledger: $(STAMP)
	$(BIN)/python benchmarks/ledger.py
