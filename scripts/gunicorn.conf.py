"""gunicorn's settings for Huotong, as measured on a 2-core machine (README: "Running in production").

    gunicorn -c scripts/gunicorn.conf.py 'webapp:create_app()'
    WEB_WORKERS=4 WEB_THREADS=8 BIND=0.0.0.0:8000 gunicorn -c scripts/gunicorn.conf.py 'webapp:create_app()'

Options given on the command line win over these (``-w 2 --threads 1``).
"""
import gc
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# One process per core; threads in each (gthread) overlap one request's waits for PostgreSQL (a commit's
# fsync, a row lock) with another's Python. A flash sale's burst of 500 buyers was answered sooner by
# 2 × 8 threads than by 2 or 4 sync workers; a peak day's CPU per order is the same either way.
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
threads = int(os.environ.get("WEB_THREADS", 8))
# Each thread keeps its PostgreSQL connection: with fewer pooled than threads, the requests beyond them
# open a connection and close it after (a new PostgreSQL backend each time). Read by webapp/config.py.
os.environ.setdefault("DATABASE_POOL_SIZE", str(threads))
# A burst of connections waits in the kernel's accept queue rather than being refused (the kernel's
# net.core.somaxconn caps it: 4096 on current kernels).
backlog = 2048
# Behind nginx with upstream keep-alive, one connection carries many requests; a phone straight to the
# server (no proxy) holds a thread no longer than this.
keepalive = 5
# The workers' heartbeat file on tmpfs: no disk write per request loop, never blocked by a busy disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Memory stays flat over a long day; the jitter keeps the workers from restarting at once.
max_requests = 5000
max_requests_jitter = 500
# The app is made once, in the master, and warmed there (mappers configured, every template compiled):
# each worker forked — at start and after max_requests — answers its first request at full speed.
preload_app = True


def on_starting(server) -> None:
    server.log.info("Huotong: %s workers × %s threads", server.cfg.workers, server.cfg.threads)


def when_ready(server) -> None:
    from webapp import warm

    warm(server.app.wsgi())
    gc.collect()
    gc.freeze()  # what the master made stays shared with the workers, not copied by the collector's writes
