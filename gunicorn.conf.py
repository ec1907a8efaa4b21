"""Production defaults for gunicorn; it reads this file when started from the project root.

    gunicorn                      # takatsuki_welfare.wsgi on GUNICORN_BIND
    GUNICORN_WORKERS=4 gunicorn   # any setting below can be overridden from the environment

Workers are stateless sync processes (sessions live in the database or Redis, see
docs/scaling.md), so more of them, or more machines behind the proxy, add capacity.
Variables come from the environment or the .env file Django reads; command-line options win
over this file.
"""

import os
from pathlib import Path

import environ

# The same variables file as Django's settings (ENV_FILE, else .env); real variables win.
environ.Env.read_env(
    os.environ.get("ENV_FILE") or str(Path(__file__).resolve().parent / ".env"), overwrite=False
)


def _int(name, default):
    """An integer variable; empty means the default."""
    return int(os.environ.get(name) or default)


def _cores():
    """CPUs this process may use (respects container and taskset limits)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "takatsuki_welfare.wsgi:application"
# Behind a reverse proxy on the same host; a container publishing the port uses 0.0.0.0:8000.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers: a page's cost is mostly Python (template rendering), so threads would only
# contend for the GIL. Two per core plus one keeps the CPUs busy while some workers wait on
# PostgreSQL. Each holds one database connection (CONN_MAX_AGE), so workers x app servers must
# stay below PostgreSQL's max_connections.
worker_class = "sync"
workers = _int("GUNICORN_WORKERS", 2 * _cores() + 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)

# Load Django once in the master and fork: workers share its memory pages and a broken
# configuration stops start-up instead of every worker. Code changes need a restart, not HUP.
preload_app = True

# Recycle each worker after about this many requests (jitter keeps them from restarting
# together), which bounds slow memory growth. 0 turns recycling off.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The proxy logs requests; an access log here is off unless GUNICORN_ACCESS_LOG names a file
# or "-" (stdout). Errors go to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn 24+ opens a control socket at ~/.gunicorn/gunicorn.ctl, shared by every instance of
# the user (the benchmark beside a running server would collide): off unless a path is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Worker heartbeats on tmpfs: a slow or full disk must not make the master kill healthy workers.
# gunicorn creates them with mkstemp (private, unique names).
_SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM


def when_ready(server):
    """Close any database connection the master opened while loading the app, before forking.

    Django opens none at import, but a connection (or psycopg pool) inherited by several
    workers would share one socket and corrupt each other's queries.
    """
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        if connection.alias in getattr(connection, "_connection_pools", {}):
            connection.close_pool()
