# Tsunagu — the two commands: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
NETWORK ?= hubs/networks/takatsuki.csv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-k intake"
PYTEST_ARGS ?=

.PHONY: run test e2e install install-dev migrate demo lint format check-deploy messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: set up, load the Takatsuki network and demo data, serve on http://127.0.0.1:$(PORT)
run: export DEBUG ?= true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_network $(NETWORK)
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: install the dev extra and run the whole suite: unit tests, then the browser journeys
##       (those need Debian's Chromium at /usr/bin/chromium: apt-get install -y chromium)
test: export ENV_FILE ?= tests/test.env
test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)
	@if [ -x /usr/bin/chromium ]; then \
	  $(BIN)/pytest -m e2e --screenshot only-on-failure --output test-results/e2e $(PYTEST_ARGS); \
	else echo "Browser tests skipped: /usr/bin/chromium is missing (apt-get install -y chromium)."; fi

## e2e: only the browser journeys
e2e: export ENV_FILE ?= tests/test.env
e2e: install-dev
	$(BIN)/pytest -m e2e --screenshot only-on-failure --output test-results/e2e $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## check-deploy: Django's deployment checks with production-like settings
check-deploy: install
	ENV_FILE=.ci/production-check.env $(PY) manage.py check --deploy --fail-level WARNING

## messages: refresh and compile the Japanese translations
messages: install-dev
	DEBUG=true $(PY) manage.py makemessages -l ja --no-obsolete --ignore '$(VENV)/*' --ignore 'var/*' --ignore 'tests/*'
	DEBUG=true $(PY) manage.py compilemessages -l ja --ignore '$(VENV)/*'

clean:
	rm -rf $(VENV) var/*.sqlite3* var/staticfiles
