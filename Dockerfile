# JobLink application image: web (gunicorn), outbox relay and scheduler share it. On one machine
# without compose, `joblink serve` runs all three under one supervisor.
# Front-end libraries (package.json) from the npm registry at build time, served by JobLink itself.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && mkdir vendor && cp node_modules/axe-core/axe.min.js \
    node_modules/chart.js/dist/chart.umd.min.js node_modules/jsqr/dist/jsQR.js \
    node_modules/sortablejs/Sortable.min.js vendor/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 JOBLINK_INSTANCE=/var/lib/joblink \
    WEB_BIND=0.0.0.0:8000
WORKDIR /app
# CPU-only PyTorch: the matcher runs on CPU; avoids a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY core ./core
COPY webapp ./webapp
COPY --from=assets /build/vendor ./webapp/static/vendor
COPY indexer ./indexer
COPY matching ./matching
COPY migrations ./migrations
COPY data ./data
RUN pip install . && useradd --system --home /var/lib/joblink joblink && mkdir -p /var/lib/joblink && chown joblink /var/lib/joblink
USER joblink
EXPOSE 8000
# address, workers and threads: WEB_BIND, WEB_WORKERS, WEB_THREADS (webapp/gunicorn_conf.py)
CMD ["gunicorn", "-c", "python:webapp.gunicorn_conf", "webapp.wsgi:app"]
