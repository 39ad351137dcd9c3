# mmssl_addons: two commands for a new user, `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
DATA ?= data/synthetic_cub
WORK ?= work_dirs/demo

.PHONY: install demo demo-transfer reproduce-mini test lint format clean-demo

install:
	VENV=$(VENV) bash tools/install_env.sh

demo: install
	VENV=$(VENV) DATA=$(DATA) WORK=$(WORK) bash tools/demo.sh

# Pretrain tiny -> extract backbone -> mmdet / mmseg / mmpose transfer (CPU).
demo-transfer: install
	VENV=$(VENV) bash tools/demo_transfer.sh

# Each paper's claim in miniature, 3 seeds, base vs add-on (a benchmark:
# up to about 20 min per method on 2 CPU cores); results and PNGs in
# $(REPRO)/, the table in $(REPRO)/summary.md. Finished runs are reused.
REPRO ?= work_dirs/reproduce_mini
METHODS ?= lcr dilo sca clove bam
reproduce-mini: install
	for m in $(METHODS); do \
		$(PY) tools/reproduce_mini.py $$m --work-dir $(REPRO) --overwrite || exit 1; \
	done
	$(PY) tools/reproduce_mini.py --summary --work-dir $(REPRO)
	cat $(REPRO)/summary.md

test: install
	$(PY) -m pytest -q tests

lint: install
	$(PY) -m flake8 mmssl_addons tools tests configs benchmarks
	$(PY) -m isort --check-only --diff mmssl_addons tools tests benchmarks
	$(PY) -m yapf --diff --recursive mmssl_addons tools tests benchmarks

format: install
	$(PY) -m isort mmssl_addons tools tests benchmarks
	$(PY) -m yapf --in-place --recursive mmssl_addons tools tests benchmarks

clean-demo:
	rm -rf $(WORK)
