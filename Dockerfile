# JobLink application image: web (gunicorn), outbox relay and scheduled jobs share it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 JOBLINK_INSTANCE=/var/lib/joblink
WORKDIR /app
# CPU-only PyTorch: the matcher runs on CPU; avoids a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY core ./core
COPY webapp ./webapp
COPY indexer ./indexer
COPY matching ./matching
COPY migrations ./migrations
COPY data ./data
RUN pip install . && useradd --system --home /var/lib/joblink joblink && mkdir -p /var/lib/joblink && chown joblink /var/lib/joblink
USER joblink
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "webapp.wsgi:app"]
