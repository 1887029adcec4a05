# Two commands on a fresh machine with Python 3.11+:
#   make run    the embedded stack: Temporal dev server + UI, the worker, a demo incident
#   make test   lint and every test (unit, workflow, wire, end-to-end)
# Both bootstrap uv into .tools/ and install the locked dependencies into .venv/.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv

.PHONY: run test test-components lint format bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked
	touch $@

run: .venv/.synced
	$(UV) run --locked escalation dev

test: .venv/.synced test-components
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked pytest

# Real components the tests start, from Debian's packages (package:command): Chromium for the
# UI journey (Playwright drives the system browser; nothing is downloaded at run time), a real
# Alertmanager for the front door's wire test, Prometheus and promtool for the metrics tests,
# PostgreSQL for the archive's tests (pg_ctlcluster comes with the server's package).
# What is missing is installed in one apt-get run when we are root.
TEST_COMPONENTS := chromium:$${ESCALATION_CHROMIUM:-chromium} \
	prometheus-alertmanager:$${ESCALATION_ALERTMANAGER:-prometheus-alertmanager} \
	prometheus:prometheus prometheus:promtool postgresql:pg_ctlcluster

test-components:
	@missing=""; \
	for component in $(TEST_COMPONENTS); do \
	  command -v "$${component#*:}" >/dev/null 2>&1 || missing="$$missing $${component%%:*}"; \
	done; \
	[ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "make test needs Debian packages:$$missing (apt-get install them as root)" >&2; \
	    exit 1; \
	  fi; }

lint: .venv/.synced
	$(UV) run --locked ruff check .

format: .venv/.synced
	$(UV) run --locked ruff format .
	$(UV) run --locked ruff check --fix .

# Benchmarks (see README): the full run takes about 18 minutes; BENCH_ARGS=--quick for a minute.
bench: .venv/.synced
	$(UV) run --locked python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf .venv .tools .escalation .pytest_cache .ruff_cache
