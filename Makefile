# JobLink — `make run` serves a demo on http://127.0.0.1:5000, `make test` runs every test.
# Both set up everything they need on a fresh machine (virtualenv, packages, database, data).
# `make run` serves as a bureau would on one machine: gunicorn, the outbox relay and the scheduler
# under one supervisor (`joblink serve`; Ctrl+C stops all three). Development: `joblink serve --dev`.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
JOBLINK := $(VENV)/bin/joblink
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install assets browser compose-tool pg-client setup serve bench clean-instance compose-check

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON) 未找到）"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changed. torch==2.13.0 comes from the machine's local
# CPU wheel (pip's find-links), never a multi-GB download.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	@touch $(STAMP)

# Front-end libraries (package.json, locked in package-lock.json) come from the npm registry at
# install time and are served from webapp/static/vendor/: no page loads anything from the internet.
VENDOR := webapp/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
$(VENDOR_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "需要 Node.js 和 npm 来安装网页用的脚本库（apt-get install npm）"; exit 1; }
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/axe-core/axe.min.js node_modules/chart.js/dist/chart.umd.min.js \
	   node_modules/jsqr/dist/jsQR.js node_modules/sortablejs/Sortable.min.js $(VENDOR)/
	@touch $(VENDOR_STAMP)

assets: $(VENDOR_STAMP)

install: $(STAMP) $(VENDOR_STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download), and a
# Chinese font so its screenshots show text rather than boxes.
browser:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'wqy\|noto.*cjk'; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
	  echo "安装 Chromium 和中文字体（浏览器测试需要）..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	elif [ -x /usr/bin/chromium ]; then :; \
	else echo "浏览器测试需要 /usr/bin/chromium：sudo apt-get install chromium fonts-wqy-microhei"; exit 1; fi

# Debian's docker-compose, so the tests can check docker-compose.yml (`docker-compose config`); no
# Docker engine is needed for that.
compose-tool:
	@if command -v docker-compose >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
	  echo "安装 docker-compose（检查 docker-compose.yml 需要）..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; \
	else echo "(未安装 docker-compose：docker-compose.yml 的检查将跳过；sudo apt-get install docker-compose)"; fi

# Debian's PostgreSQL client programs: `joblink backup`/`restore` of a PostgreSQL database run
# pg_dump and pg_restore, and their tests need them.
pg-client:
	@if command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
	  echo "安装 PostgreSQL 客户端（备份与恢复 PostgreSQL 数据库需要）..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; \
	else echo "备份与恢复 PostgreSQL 数据库需要 pg_dump：sudo apt-get install postgresql-client"; exit 1; fi

setup: install
	$(JOBLINK) setup

run: setup
	$(JOBLINK) serve --host $(HOST) --port $(PORT)

# Two test processes (pytest-xdist), one file to a process at a time, so a file's browser and
# database fixtures are built once; TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= 2
test: install browser compose-tool pg-client
	$(PY) -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

bench: install
	$(PY) bench/run_all.py $(BENCH_ARGS)

compose-check:
	docker-compose -f docker-compose.yml config --quiet && echo "docker-compose.yml OK"

clean-instance:
	rm -rf instance
