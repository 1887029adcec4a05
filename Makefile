# Two commands on a fresh machine with Python 3.11+:
#   make run    the embedded stack: Temporal dev server + UI, the worker, a demo incident
#   make test   lint and every test (unit, workflow, wire, end-to-end)
# Both bootstrap uv into .tools/ and install the locked dependencies into .venv/.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv

.PHONY: run test browser alertmanager lint format bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked
	touch $@

run: .venv/.synced
	$(UV) run --locked escalation dev

test: .venv/.synced browser alertmanager
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked pytest

# The UI journey test drives the Temporal UI in Debian's Chromium (Playwright uses the system
# browser; nothing is downloaded at run time). Installed here when missing and we are root.
browser:
	@command -v $${ESCALATION_CHROMIUM:-chromium} >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; \
	  else \
	    echo "make test needs Chromium: apt-get install chromium, or set ESCALATION_CHROMIUM" >&2; \
	    exit 1; \
	  fi; }

# The HTTP front door's wire test starts a real Alertmanager from Debian's package, on loopback
# ports in a temp dir. Installed here when missing and we are root.
alertmanager:
	@command -v $${ESCALATION_ALERTMANAGER:-prometheus-alertmanager} >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus-alertmanager; \
	  else \
	    echo "make test needs Alertmanager: apt-get install prometheus-alertmanager, or set ESCALATION_ALERTMANAGER" >&2; \
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
