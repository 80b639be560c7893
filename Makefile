# The board's two commands, for a fresh clone with nothing but Python 3.11 or newer:
#   make run    install, migrate, load the demo content and serve on http://127.0.0.1:5000
#   make test   install with the test tools, lint, run the tests
# Helpers: make lint, make translations, make catalogues, make clean.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pip runs again only when pyproject.toml is newer than these stamps.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
HOST := 127.0.0.1
PORT := 5000

PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.DEFAULT_GOAL := run
.PHONY: run test lint catalogues translations clean

run: export BULLETIN_ENV = development
run: $(RUN_STAMP)
	@$(MAKE) --no-print-directory catalogues
	$(BIN)/flask --app bulletin db upgrade
	$(BIN)/flask --app bulletin load-demo
	$(BIN)/flask --app bulletin run --host $(HOST) --port $(PORT)

test: $(TEST_STAMP)
	@$(MAKE) --no-print-directory catalogues
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "The board needs Python 3.11 or newer; name it with: make PYTHON=python3.12 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing the board and its dependencies into $(VENV) ..."
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# The test extra includes everything the board needs to run, so it satisfies both stamps.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing the board and its test tools into $(VENV) ..."
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(RUN_STAMP) $@

# Compiled catalogues (.mo) are build output; the .po files are the source.
catalogues: $(MO_FILES)
	@true

$(MO_FILES): %.mo: %.po | $(RUN_STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(RUN_STAMP)
	@mkdir -p translations
	$(BIN)/pybabel extract -F babel.cfg -k _l --add-comments=TRANSLATORS: --project=bulletin \
		-o translations/messages.pot .
	@if [ -n "$(PO_FILES)" ]; then \
		$(BIN)/pybabel update -i translations/messages.pot -d translations; \
	else \
		echo "No catalogues yet: start one with $(BIN)/pybabel init -i translations/messages.pot -d translations -l LANG"; \
	fi
	@$(MAKE) --no-print-directory catalogues

# Leaves instance/ alone: that is where the local database and uploads live.
clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -f $(MO_FILES)
