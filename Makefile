# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := forum.settings

.PHONY: run test setup lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when requirements.txt changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_debates
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: setup
	@echo ""
	@echo "  The debate is at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	@echo ""
	PORT=$(PORT) $(BIN)/gunicorn forum.wsgi -c forum/gunicorn.conf.py

# axe-core for the accessibility checks of the browser tests, pinned in package-lock.json.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing (apt-get install npm): the accessibility tests skip, or fail when CI is set"; fi

# The suite runs in TEST_WORKERS parallel processes (pytest-xdist); TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= 2

test: setup node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Benchmarks next to their references (not part of `make test`); see docs/scaling.md.
# Options go through BENCH_ARGS, e.g. `make bench BENCH_ARGS="--backends sqlite --seconds 3"`.
bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles
