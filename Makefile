# The two commands of the README: `make report` and `make test`. Everything runs from .venv,
# created (or refreshed when pyproject.toml changes) from pyproject.toml alone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MONTH  ?=
SAMPLE := data/sample

.PHONY: venv report test lint lab bench sample clean-sample

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbench)" > /dev/null
	touch $(STAMP)

# With exports in data/raw/ report on them; otherwise generate the sample organisation's
# exports into data/sample/raw/ and report on those into reports/sample/.
report: $(STAMP)
	@if find data/raw -type f ! -name '.gitkeep' ! -name '.*' | grep -q .; then \
	  $(BIN)/workbench report --raw data/raw --processed data/processed --reports reports \
	    $(if $(MONTH),--month $(MONTH)); \
	else \
	  echo "data/raw/ holds no exports: using the SAMPLE organisation's data in $(SAMPLE)/raw/ (fictional)."; \
	  test -f $(SAMPLE)/raw/truth.json || $(BIN)/workbench sample-data --out $(SAMPLE)/raw --experiment; \
	  $(BIN)/workbench report --raw $(SAMPLE)/raw --processed $(SAMPLE)/processed \
	    --reports reports/sample $(if $(MONTH),--month $(MONTH)); \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadfile tests  # test files spread over the cores
	$(BIN)/python -m pytest -q --nbval-lax -p no:randomly notebooks

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/stats_calibration.py
	$(BIN)/python benchmarks/stats_kpi_and_times.py

sample: $(STAMP)
	$(BIN)/workbench sample-data --out $(SAMPLE)/raw --experiment

clean-sample:
	rm -rf $(SAMPLE) reports/sample
