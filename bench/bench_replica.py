"""Reports on a streaming replica: what they cost the primary with and without it, the health check,
and how long a fallback takes when the replica is gone.

    .venv/bin/python -m bench.bench_replica [--lines 200000] [--stores 20] [--skus 5000] [--requests 15]

A throwaway primary and hot standby (bench/replication.py, fsync off), a chain's history on the
primary from bench/generate.py (streamed to the replica), then HQ's chain dashboard and the chain's
hot-sellers report through the real app (Flask's test client: routing, guards, queries, templates)
— once with DATABASE_REPLICA_URL, once without. Printed per page: median wall time and the app's
CPU (time.process_time) per request, and the CPU the primary's and the replica's servers spent
(their process trees in /proc) per request. Then: the health check (two round trips), and a page
whose replica died under it (started again on the primary) beside one that found it down at the
check. With the machine's load: figures from a shared machine are ratios first.
"""
import argparse
import os
import statistics
import time

from bench.cluster import process_tree_cpu
from bench.replication import primary_and_replica
from webapp import create_app
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.extensions import db
from webapp.replica import replica_of

PASSWORD = "bench-pass-1"
PAGES = {"dashboard (chain)": "/manage/?store=all", "hot sellers (chain, 30 days)": "/manage/reports/chain/hot-sellers?days=30"}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--lines", type=int, default=200_000)
    p.add_argument("--stores", type=int, default=20)
    p.add_argument("--skus", type=int, default=5_000)
    p.add_argument("--requests", type=int, default=15)
    args = p.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with primary_and_replica() as pair:
        from bench import generate

        generate.main(["--database-url", pair.primary.url(), "--lines", str(args.lines), "--stores", str(args.stores),
                       "--skus", str(args.skus)])
        config = {"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": pair.primary.url()}
        on_primary = create_app(dict(config))
        with on_primary.app_context():
            save_user(None, username="hq", display_name="HQ", role=Role.HQ_ADMIN, stores=[], password=PASSWORD)
            db.session.commit()
        pair.caught_up(timeout=120)
        with_replica = create_app({**config, "DATABASE_REPLICA_URL": pair.replica.url()})

        print(f"\n{'page':32} {'reads from':10} {'wall p50':>9} {'app CPU':>9} {'primary CPU':>12} {'replica CPU':>12}  per request")
        for name, url in PAGES.items():
            for label, app in (("primary", on_primary), ("replica", with_replica)):
                wall, cpu, primary_cpu, replica_cpu = _measure(app, url, args.requests, pair)
                print(f"{name:32} {label:10} {wall * 1000:8.1f}ms {cpu * 1000:8.1f}ms {primary_cpu * 1000:10.1f}ms "
                      f"{replica_cpu * 1000:10.1f}ms")

        replica = replica_of(with_replica)
        checks = []
        for _ in range(20):
            started = time.perf_counter()
            replica._check()
            checks.append(time.perf_counter() - started)
        print(f"\nhealth check (primary's WAL position, then the replica's): p50 {statistics.median(checks) * 1000:.1f} ms, "
              f"once per process every {with_replica.config['REPLICA_CHECK_SECONDS']} s")

        client = _signed_in(with_replica)
        url = PAGES["hot sellers (chain, 30 days)"]
        client.get(url)  # the replica's connection pooled
        pair.replica.stop()
        started = time.perf_counter()
        died_under = client.get(url)
        died = time.perf_counter() - started
        replica.forget()
        started = time.perf_counter()
        found_down = client.get(url)
        down = time.perf_counter() - started
        print(f"replica stopped: the page it died under answered {died_under.status_code} in {died * 1000:.0f} ms "
              f"(read again on the primary); the next, down at the check, {found_down.status_code} in {down * 1000:.0f} ms")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def _signed_in(app):
    client = app.test_client()
    assert client.post("/login", data={"username": "hq", "password": PASSWORD}).status_code == 303
    return client


def _measure(app, url: str, requests: int, pair) -> tuple[float, float, float, float]:
    client = _signed_in(app)
    assert client.get(url).status_code == 200  # warm: pools, templates, the health check
    walls, cpus = [], []
    primary_before, replica_before = process_tree_cpu(pair.primary.pid), process_tree_cpu(pair.replica.pid)
    for _ in range(requests):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200
    primary_cpu = (process_tree_cpu(pair.primary.pid) - primary_before) / requests
    replica_cpu = (process_tree_cpu(pair.replica.pid) - replica_before) / requests
    return statistics.median(walls), statistics.median(cpus), primary_cpu, replica_cpu


if __name__ == "__main__":
    main()
