"""gunicorn's settings for JobLink in one place, for `joblink serve`, the Dockerfile and
docker-compose.yml alike: ``gunicorn -c python:webapp.gunicorn_conf webapp.wsgi:app``.

Address, workers and threads come from the declared settings WEB_BIND, WEB_WORKERS and
WEB_THREADS (README "Configuration"); command-line options given after ``-c`` override them.

Each worker's numerical libraries (PyTorch, OpenBLAS, LightGBM's OpenMP) compute on one thread: a
request's arrays are small (one query, a hundred candidates), and the cores are already shared by
the workers, so a pool of threads per worker only waits for busy cores. Measured on 为我推荐 with the
learned order (bench/recommendations.py, 100,000 postings): 72 ms of CPU per request with a thread
per core, 36 ms with one. Set in the master before the workers load the app; a value in the
environment is kept.
"""
import os

from webapp.config import SETTINGS
from webapp.server import default_workers

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

bind = [os.environ.get("WEB_BIND") or SETTINGS["WEB_BIND"][0]]
workers = int(os.environ.get("WEB_WORKERS") or default_workers())
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or SETTINGS["WEB_THREADS"][0])
timeout = 120  # a spreadsheet upload of a large file is screened inside the request
graceful_timeout = 20
# Keep a client's idle connection open a little longer than gunicorn's 2 s: on a busy machine a
# request can wait that long in the queue, and the connection was closed under it (a reset).
keepalive = 5
proc_name = "joblink"
control_socket_disable = True  # its default path is per user: two servers on one machine would share it
