"""gunicorn's settings for JobLink in one place, for `joblink serve`, the Dockerfile and
docker-compose.yml alike: ``gunicorn -c python:webapp.gunicorn_conf webapp.wsgi:app``.

Address, workers and threads come from the declared settings WEB_BIND, WEB_WORKERS and
WEB_THREADS (README "Configuration"); command-line options given after ``-c`` override them.
"""
import os

from webapp.config import SETTINGS
from webapp.server import default_workers

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
