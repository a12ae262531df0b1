# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAMPLES := sample_configs

.PHONY: run test lint bench install bytecode sshd clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Bytecode written ahead: where PYTHONDONTWRITEBYTECODE is set (this machine sets it), an
# editable install would otherwise compile every module of leap-tui again at each start.
bytecode: $(STAMP)
	$(PY) -m compileall -q tui widgets themes

run: $(STAMP) bytecode
	$(VENV)/bin/leap-tui --clace $(SAMPLES)/clace.toml --provider $(SAMPLES)/provider --inventory $(SAMPLES)/hosts.toml

# OpenSSH's server and tmux are real parts of the test suite (SSH apply, the terminal test),
# as are zsh and fish (the completion scripts run in them).
sshd:
	@if ! command -v sshd >/dev/null && [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null \
	    || ! command -v zsh >/dev/null || ! command -v fish >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client tmux zsh fish >/dev/null; \
	  else \
	    echo "make test: sshd, tmux, zsh or fish missing and not root; install them" >&2; \
	  fi; \
	fi
	@mkdir -p /run/sshd 2>/dev/null || true

test: $(STAMP) sshd
	$(VENV)/bin/ruff check tui widgets themes tests benchmarks
	$(VENV)/bin/mypy tui widgets themes
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check tui widgets themes tests benchmarks
	$(VENV)/bin/mypy tui widgets themes

bench: $(STAMP) bytecode sshd
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
