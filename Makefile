# The two commands: `make run` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install db demo bench lint clean

$(STAMP): pyproject.toml constraints.txt scripts/system-deps.sh
	PYTHON=$(PYTHON) scripts/system-deps.sh
	test -x $(BIN)/pip || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Leaflet and its plugins from the npm registry, served by the app (pages load nothing from the internet).
NODE_STAMP := maps/node_modules/.installed-stamp
$(NODE_STAMP): maps/package.json maps/package-lock.json scripts/system-deps.sh
	PYTHON=$(PYTHON) scripts/system-deps.sh
	cd maps && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

db: install
	$(BIN)/tttt db up
	$(BIN)/tttt db migrate

demo: db
	$(BIN)/tttt demo load
	$(BIN)/tttt users ensure-admin

# The demo runs as a development instance: a secret key is generated once under .data/.
run: demo
	TTTT_ENV=$${TTTT_ENV:-development} $(BIN)/tttt serve --host $(HOST) --port $(PORT)

# Test files run in parallel (pytest-xdist: one worker per core, at most 4, each with its own database);
# a file's tests stay together so what a module loads once is loaded once.
test: install
	$(BIN)/tttt db up
	$(BIN)/python -m pytest -n auto --maxprocesses=4 --dist loadfile

bench: db
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .

clean:
	-$(BIN)/tttt db down
	rm -rf $(VENV) .data /tmp/tttt-* maps/node_modules
