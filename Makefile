# The two commands a newcomer needs: `make demo` and `make test`.  Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.nefsim-installed

.PHONY: setup demo test test-slow bench bench-full clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: setup
	MPLBACKEND=Agg $(PY) -m nefsim.cli demo

test: setup
	MPLBACKEND=Agg $(PY) -m pytest -q -m "not slow"

test-slow: setup  # exit code 5 means no test is marked slow, which is fine
	MPLBACKEND=Agg $(PY) -m pytest -q -m slow || [ $$? -eq 5 ]

bench: setup
	$(PY) -m nefsim.bench --json bench.json --plot bench.png

bench-full: setup  # adds the 10 x 10,000-neuron build (about 20 minutes with Nengo's side)
	$(PY) -m nefsim.bench --models lif_chain circconv pes build --json bench.json --plot bench.png

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
