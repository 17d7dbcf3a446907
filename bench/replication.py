"""A throwaway PostgreSQL primary and its streaming replica, for tests/test_replica.py and
bench/bench_replica.py:

    with primary_and_replica() as pair:
        pair.primary.url(), pair.replica.url()      # postgresql+psycopg://postgres@127.0.0.1:PORT/huotong
        pair.caught_up()                             # wait until the replica has replayed everything

The primary has a replication role (``replicator``) and its own ``pg_hba.conf`` line for it; the
replica is made with ``pg_basebackup -R -X stream`` and runs as a hot standby. Each listens on a free
port of 127.0.0.1 and keeps its socket in one temp directory; both are stopped and the directory
deleted on exit, also when the body failed. As root the servers run as ``postgres``. fsync is off
(nothing here must survive a crash), which makes the clusters quick to make.
"""
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

from sqlalchemy import create_engine, text

TOOLS = ("initdb", "pg_ctl", "pg_basebackup")


def server_binaries() -> str | None:
    """The folder holding initdb, pg_ctl and pg_basebackup (PGBIN, else the newest installed), or None."""
    found = [os.environ["PGBIN"]] if os.environ.get("PGBIN") else sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    for folder in reversed(found):
        if all(os.access(os.path.join(folder, tool), os.X_OK) for tool in TOOLS):
            return folder
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_server(*command: str) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run the server tools as `postgres`."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def run(*command: str) -> None:
    done = subprocess.run(as_server(*command), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def scalar(url: str, sql: str):
    """One statement on its own connection, autocommit; its first value (None when it returns no rows)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            result = connection.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


@dataclass
class Cluster:
    """One throwaway PostgreSQL server: its data directory and port."""

    bin: str
    folder: str
    name: str
    port: int

    @property
    def data(self) -> str:
        return os.path.join(self.folder, self.name)

    def url(self, user="postgres", database="huotong") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c wal_level=replica -c max_wal_senders=4 -c hot_standby=on -c max_connections=40")
        run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", f"{self.data}.log", "-w", "-t", "60",
            "-o", options, "start")

    def stop(self) -> None:
        subprocess.run(as_server(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"),
                       capture_output=True)

    @property
    def pid(self) -> int | None:
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def log(self) -> str:
        try:
            return open(f"{self.data}.log", encoding="utf-8", errors="replace").read()[-3000:]
        except OSError:
            return ""


@dataclass
class Pair:
    primary: Cluster
    replica: Cluster

    def caught_up(self, timeout: float = 20) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        position = scalar(self.primary.url(), "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if scalar(self.replica.url(), f"SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn"):
                return
            time.sleep(0.05)
        raise AssertionError(f"the replica did not catch up in {timeout} s:\n{self.replica.log()}")


@contextlib.contextmanager
def primary_and_replica(database: str = "huotong"):
    folder_bin = server_binaries()
    if folder_bin is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup); set PGBIN")
    folder = tempfile.mkdtemp(prefix="huotong-replica-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary = Cluster(folder_bin, folder, "primary", free_port())
    replica = Cluster(folder_bin, folder, "replica", free_port())
    try:
        run(os.path.join(folder_bin, "initdb"), "-D", primary.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync")  # throwaway: nothing need reach the disk
        with open(os.path.join(primary.data, "pg_hba.conf"), "w") as hba:  # the replication user's line
            hba.write("local all all trust\nhost all all 127.0.0.1/32 trust\n"
                      "host replication replicator 127.0.0.1/32 trust\n")
        primary.start()
        scalar(primary.url(database="postgres"), "CREATE ROLE replicator WITH REPLICATION LOGIN")
        scalar(primary.url(database="postgres"), f"CREATE DATABASE {database}")
        # -c fast: checkpoint now (a spread checkpoint would keep the backup waiting for minutes)
        run(os.path.join(folder_bin, "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "replicator",
            "-D", replica.data, "-R", "-X", "stream", "-c", "fast", "--no-sync")
        replica.start()
        yield Pair(primary, replica)
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(folder, ignore_errors=True)
