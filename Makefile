# floorwalk: `make run` serves the demo, `make test` runs the whole suite.
# Each sets up what is missing first and skips the set-up steps that are done already:
# `make run` installs the runtime packages and builds the front end; `make test`,
# `make bench` and `make lint` add the dev tools (pytest, Playwright, ruff, …).
# Each step prints one line with its time; the full output goes to $(LOG).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
LOG    := build/setup.log

# step NAME, COMMAND: run COMMAND with its output appended to $(LOG), print one line with
# the time it took, and on failure show the end of the log.
step = @mkdir -p build; start=$$(date +%s); printf '%-44s' '$(1)'; \
	echo "== $(1)" >> $(LOG); \
	if ( $(2) ) >> $(LOG) 2>&1; then echo "done in $$(( $$(date +%s) - start )) s"; \
	else echo "failed; the end of $(LOG):"; tail -n 30 $(LOG); exit 1; fi

.PHONY: setup setup-dev run test bench lint format frontend clean

setup: $(VENV)/.installed frontend
setup-dev: setup $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml
	$(call step,Python environment (.venv),test -x $(BIN)/python || $(PYTHON) -m venv $(VENV))
	$(call step,pip itself,$(BIN)/python -m pip install --upgrade pip)
	$(call step,floorwalk and its runtime packages,$(BIN)/python -m pip install -e .)
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(call step,dev tools for tests and lint,$(BIN)/python -m pip install -e '.[dev]')
	@touch $@

# The front end: npm ci when the lock file changed, then the bundle when a source changed
# (the build also copies the CSS and icons under hashed names).
ifneq ($(wildcard package.json),)
FRONTEND_SOURCES := $(shell find floorwalk/static/src floorwalk/static/css floorwalk/static/icons \
	-type f 2>/dev/null) package.json build.mjs

node_modules/.installed: package.json package-lock.json
	$(call step,front-end packages (npm ci),npm ci --no-audit --no-fund)
	@touch $@

floorwalk/static/dist/.built: node_modules/.installed $(FRONTEND_SOURCES)
	$(call step,front-end build (esbuild),npm run build)
	@touch $@

frontend: floorwalk/static/dist/.built
else
frontend:
endif

run: setup
	$(BIN)/floorwalk demo --port $(PORT)

test: setup-dev
	$(BIN)/pytest
	node --test tests/js/*.test.mjs

bench: setup-dev
	@set -e; for script in benchmarks/*.py; do \
		echo "== $$script"; $(BIN)/python $$script; done

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	npx eslint floorwalk/static/src tests/js build.mjs eslint.config.js
	@# No function graded D or worse (docs/architecture.md).
	@complex="$$($(BIN)/radon cc -n D floorwalk)"; if [ -n "$$complex" ]; then echo "$$complex"; exit 1; fi

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules floorwalk/static/dist build .pytest_cache .ruff_cache
