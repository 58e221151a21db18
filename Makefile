# chitieu — set-up and checks. Every install step lives here so that a clean
# clone on a fresh Debian machine gets the same result as a developer's.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
APT_PACKAGES := postgresql chromium libpango-1.0-0 libpangoft2-1.0-0 \
                libharfbuzz-subset0 fonts-liberation2 poppler-utils gettext \
                libreoffice-writer-nogui libreoffice-calc-nogui \
                redis-server nginx-light

.PHONY: help venv system-deps vendor-js test lint demo bench clean messages fuzz cluster cluster-stop

help:
	@echo "make demo   - run the web app on SQLite with the Kon Rẫy plan and demo data"
	@echo "make cluster - PostgreSQL, Redis, two app servers, the job worker and nginx on loopback (var/cluster)"
	@echo "make cluster-stop - stop them (data kept)"
	@echo "make test   - install what tests need, then run the whole suite (SQLite + PostgreSQL)"
	@echo "make lint   - ruff"
	@echo "make bench  - benchmarks"
	@echo "make fuzz   - the fuzz tests with ten times more cases (HYPOTHESIS_PROFILE=fuzz)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install when the dependency list changes.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-web: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[web,reports]'
	touch $@

venv: $(VENV)/.installed-dev

# Browser-side libraries (the chart library): pinned npm packages checked against the registry's
# checksum, unpacked into var/vendor; nothing is fetched again once the pinned version is there.
vendor-js:
	python3 scripts/vendor_js.py

# Debian packages: PostgreSQL for the second test run, Chromium for browser
# tests, Pango/HarfBuzz and Liberation fonts for PDF reports, poppler for
# checking PDFs, gettext for translations, LibreOffice (headless) to check that the
# docx and xlsx reports render right outside Word, Redis and nginx for `make cluster` and its
# test. Installed only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The same gates as .pre-commit-config.yaml: lint, format, the layers, the core's types.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Cheap gates first: lint, Django's system checks, no model change without its migration.
test: system-deps venv vendor-js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=web.config.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=web.config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	scripts/run-tests.sh

# The demo: SQLite in var/, the Kon Rẫy plan, units, accounts and 2021–2024 figures
# (load_demo is idempotent), then gunicorn on loopback. Compiled translations are
# committed, so gettext is not needed here.
DEMO_ENV := DJANGO_SETTINGS_MODULE=web.config.settings.local DJANGO_DEBUG=false CHITIEU_HASHED_STATIC=true
demo: $(VENV)/.installed-web vendor-js
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	@echo ""
	@echo "chitieu: http://127.0.0.1:$(PORT)/   (dừng: Ctrl+C)"
	$(DEMO_ENV) $(BIN)/gunicorn web.config.wsgi:application --bind 127.0.0.1:$(PORT) --workers 2 \
	  --access-logfile - --error-logfile -

# Several app servers as docs/deployment.md describes, on one machine: PostgreSQL, Redis, two
# gunicorns, the job worker and nginx, each with pid file and log under var/cluster.
cluster: system-deps $(VENV)/.installed-web vendor-js
	scripts/cluster/start.sh

cluster-stop:
	scripts/cluster/stop.sh

# After changing interface strings: extract, translate the new entries in the .po, compile.
messages: venv
	cd web && ../$(BIN)/python ../manage.py makemessages -l vi --no-location --no-obsolete
	msgfmt --check-format -o web/locale/vi/LC_MESSAGES/django.mo web/locale/vi/LC_MESSAGES/django.po

# The fuzz tests (plan readers, tidy CSV, numbers) with the `fuzz` Hypothesis profile: thousands of
# cases instead of the suite's hundreds; prints how many cases each target ran and how long it took.
fuzz: venv
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -n 2 -p no:cacheprovider --hypothesis-show-statistics \
	  tests/core/test_fuzz_plan_readers.py tests/core/test_fuzz_observations.py tests/core/test_fuzz_quantity.py \
	  tests/core/test_figures.py

bench: venv vendor-js
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
