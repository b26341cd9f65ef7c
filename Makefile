# E-Arsip: `make run` serves the app, `make test` runs the tests. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEB_PACKAGES := libmagic1 fonts-dejavu-core tesseract-ocr tesseract-ocr-ind

.PHONY: run test test-postgres soak lint init messages screenshots system-deps browser-deps clean-runtime bench bench-quick bench-deps restore-drill drill-deps

run: $(STAMP)
	$(BIN)/earsip serve

# The browser tests (tests/e2e) drive Debian's Chromium with Playwright; Playwright's own browser
# download is never used.
TEST_DEB_PACKAGES := chromium

test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	EARSIP_REQUIRE_BROWSER=1 EARSIP_REQUIRE_OCR=1 $(BIN)/pytest

browser-deps:
	@missing=""; for p in $(TEST_DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# ruff, then the type checker (mypy, configured in pyproject.toml: strict on earsip/services and
# earsip/api, its defaults on the rest of earsip and config.py).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

init: $(STAMP)
	$(BIN)/earsip init

# Screenshots of the main pages (both languages, desktop and phone width) into docs/screenshots/.
screenshots: $(STAMP) browser-deps
	$(BIN)/python scripts/screenshots.py docs/screenshots

# Re-extract the interface's messages into the English catalog (earsip/translations/en/...);
# translate every new empty msgstr (tests/test_i18n.py fails until each is translated).
messages: $(STAMP)
	$(BIN)/python -m earsip.web.catalog

# Debian packages the project needs (libmagic for type detection, DejaVu fonts for the berita
# acara PDFs, Tesseract with Indonesian data for OCR; python3-venv where Debian's own Python
# lacks venv). Installed only when missing.
system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# constraints.txt pins every package (transitive ones too) to the versions the tests passed with.
$(STAMP): pyproject.toml constraints.txt | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]' -c constraints.txt
	touch $(STAMP)

clean-runtime:
	rm -rf instance index/* uploads/* uploads/.tmp uploads/.quarantine
	touch index/.gitkeep uploads/.gitkeep

# The same tests against PostgreSQL (CI runs this after `make test`), searching with
# PostgreSQL's full-text search (the tests of Whoosh's internals and of its queue are skipped);
# SEARCH_BACKEND=whoosh runs them with Whoosh over the PostgreSQL database instead.
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SEARCH_BACKEND ?= postgres
test-postgres: $(STAMP) drill-deps
	EARSIP_REQUIRE_OCR=1 EARSIP_SEARCH_BACKEND=$(SEARCH_BACKEND) \
	  EARSIP_TEST_DATABASE_URL=$${EARSIP_TEST_DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -m "not slow"

# The restore drill (docs/DEPLOYMENT.md): populate a deployment on PostgreSQL (its own databases
# <prefix>_src and <prefix>_dst on the server of EARSIP_DRILL_DATABASE_URL, else PG_URL; made
# and dropped by the drill), `earsip backup` it, `earsip restore` it into the empty one, then
# `earsip audit verify`, `earsip verify` and open every document. Needs pg_dump and pg_restore
# (Debian postgresql-client, installed when missing) and the OCR tools (make system-deps).
DRILL_DEB_PACKAGES := postgresql-client

drill-deps:
	@missing=""; for p in $(DRILL_DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

restore-drill: $(STAMP) drill-deps
	EARSIP_DRILL_DATABASE_URL=$${EARSIP_DRILL_DATABASE_URL:-$(PG_URL)} PG_URL=$(PG_URL) \
	  $(BIN)/python scripts/restore_drill.py

# The long reliability scenarios (docs/RELIABILITY.md), about 50 minutes: 50 kill -9 trials at
# the fault points of filing, three rounds of kills at every step of destruction, transfer, the
# retention run and checkpoints, 4 clients x 100 concurrent uploads and 10 minutes of 8 searching
# and 2 uploading clients, on SQLite and then on PostgreSQL (PG_URL). Each prints its figures;
# the load runs also write bench/results/soak-<database>.json.
SOAK_ENV := EARSIP_SOAK=1 EARSIP_CRASH_TRIALS=50 EARSIP_CONCURRENT_UPLOADS=100

soak: $(STAMP)
	$(SOAK_ENV) $(BIN)/pytest -s tests/test_crashes.py tests/test_crashes_disposition.py \
	  tests/test_concurrency.py tests/test_load.py
	$(SOAK_ENV) EARSIP_TEST_DATABASE_URL=$${EARSIP_TEST_DATABASE_URL:-$(PG_URL)} \
	  $(BIN)/pytest -s tests/test_crashes.py tests/test_crashes_disposition.py \
	  tests/test_concurrency.py tests/test_load.py

# Benchmarks (bench/, docs/PERFORMANCE.md). `make bench` runs the full suite (under 45 minutes),
# commits nothing itself, and regenerates docs/PERFORMANCE.md's results and plot; `make
# bench-quick` (CI) runs small sizes (the public pages' load for 20 s, not 2 minutes) in under
# 3½ minutes and fails when a ratio target is missed by more than 25% (or the public pages lost
# a receipt or answered with an error). Both install poppler-utils (pdftotext, the C reference) and matplotlib.
BENCH_STAMP := $(VENV)/.bench-installed
BENCH_DEB_PACKAGES := poppler-utils

bench-deps: $(BENCH_STAMP)

$(BENCH_STAMP): $(STAMP)
	@missing=""; for p in $(BENCH_DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	$(BIN)/python -m pip install -q -e '.[dev,bench]' -c constraints.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench --report

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench --quick
