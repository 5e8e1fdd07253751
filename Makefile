# `make demo` and `make test` create/use .venv and install mmssar (editable).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmssar-installed

.PHONY: install demo test clean-venv

$(STAMP): setup.py requirements/venv-constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check \
		-c requirements/venv-constraints.txt -e '.[tests]'
	$(PY) -c "import mmssar"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) tools/misc/demo.py

test: $(STAMP)
	$(PY) -m pytest -q

clean-venv:
	rm -rf $(VENV)
