# floorwalk: `make run` serves the demo, `make test` runs the whole suite.
# Each sets up what is missing first (.venv, Python packages, the front-end build) and
# skips the set-up steps that are done already.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000

.PHONY: setup run test bench lint format frontend clean

setup: $(VENV)/.installed frontend

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The front end, once the project has one: npm ci when the lock file changed, then the
# bundle when a source changed (the build also copies the CSS and icons under hashed names).
ifneq ($(wildcard package.json),)
FRONTEND_SOURCES := $(shell find floorwalk/static/src floorwalk/static/css floorwalk/static/icons \
	-type f 2>/dev/null) package.json build.mjs

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

floorwalk/static/dist/.built: node_modules/.installed $(FRONTEND_SOURCES)
	npm run build
	touch $@

frontend: floorwalk/static/dist/.built
else
frontend:
endif

run: setup
	$(BIN)/floorwalk demo --port $(PORT)

test: setup
	$(BIN)/pytest
	node --test tests/js/*.test.mjs

bench: setup
	@set -e; for script in benchmarks/*.py; do \
		echo "== $$script"; $(BIN)/python $$script; done

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	npx eslint floorwalk/static/src tests/js build.mjs eslint.config.js
	@# No function graded D or worse (docs/architecture.md).
	@complex="$$($(BIN)/radon cc -n D floorwalk)"; if [ -n "$$complex" ]; then echo "$$complex"; exit 1; fi

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules floorwalk/static/dist .pytest_cache .ruff_cache
