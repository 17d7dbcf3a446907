"""A throwaway PostgreSQL cluster for benchmarks and tests (what scripts/with-postgres.sh does, in Python).

    with Cluster(durable=True, stat_statements=True) as pg:
        url = pg.url("huotong")

Durable means production settings (fsync on, synchronous_commit on, full_page_writes on); the test
clusters switch fsync off. As root the server runs as the ``postgres`` user. The cluster lives in a
temp directory and is stopped and deleted on exit.
"""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


def server_binaries() -> str | None:
    """The folder with initdb/pg_ctl (PGBIN, else the newest /usr/lib/postgresql/*/bin), or None."""
    found = os.environ.get("PGBIN") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)
    return found if found and os.access(os.path.join(found, "initdb"), os.X_OK) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, *, durable: bool = True, stat_statements: bool = False, settings: dict | None = None,
                 folder: str | None = None):
        self.bin = server_binaries()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL server binaries (set PGBIN)")
        self.dir = folder or tempfile.mkdtemp(prefix="huotong-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.settings = {"listen_addresses": "127.0.0.1", "max_connections": "200",
                         "fsync": "on" if durable else "off", "synchronous_commit": "on" if durable else "off",
                         "full_page_writes": "on" if durable else "off", **(settings or {})}
        if stat_statements:
            self.settings["shared_preload_libraries"] = "pg_stat_statements"
        self.pid: int | None = None

    # -- running commands as the server's user

    def _as_server(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        if os.getuid() == 0:
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, check=True, capture_output=True, text=True, **kw)

    def _own(self, path: str) -> None:
        if os.getuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def init(self) -> "Cluster":
        self._own(self.dir)
        self._as_server([f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                         "--locale=C.UTF-8"])
        return self

    def start(self) -> "Cluster":
        options = " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        self._as_server([f"{self.bin}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w",
                         "-o", f"-p {self.port} -k {self.dir} {options}", "start"])
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            self.pid = int(f.readline())
        return self

    def stop(self, mode: str = "fast") -> None:
        try:
            self._as_server([f"{self.bin}/pg_ctl", "-D", self.data, "-m", mode, "stop"])
        except subprocess.CalledProcessError:
            pass
        self.pid = None

    def createdb(self, name: str) -> str:
        self._as_server([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name])
        return self.url(name)

    def psql(self, name: str, sql: str) -> str:
        return self._as_server([f"{self.bin}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                "-d", name, "-Atc", sql]).stdout.strip()

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def replica(self) -> "Cluster":
        """A streaming replica of this cluster (``pg_basebackup -R -c fast``: no wait for a spread checkpoint), started; its own temp folder."""
        copy = Cluster(durable=self.settings["fsync"] == "on", settings={
            k: v for k, v in self.settings.items() if k not in ("listen_addresses",)})
        copy._own(copy.dir)
        copy._as_server([f"{self.bin}/pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                         "-D", copy.data, "-R", "-X", "stream", "-c", "fast"])
        return copy.start()

    def cpu_seconds(self) -> float:
        """CPU (user + system) of the server and its backends, living and ended, from /proc."""
        return process_tree_cpu(self.pid) if self.pid else 0.0

    def __enter__(self) -> "Cluster":
        return self.init().start()

    def __exit__(self, *exc) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def pooler_binary() -> str | None:
    """PgBouncer's binary (PGBOUNCER, else on the PATH or where Debian puts it), or None."""
    found = os.environ.get("PGBOUNCER") or shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    return found if os.access(found, os.X_OK) else None


class PgBouncer:
    """A throwaway PgBouncer in front of a PostgreSQL server, in transaction pooling by default:

        with PgBouncer("postgresql+psycopg://postgres@127.0.0.1:5432/x", pool_size=4) as bouncer:
            url = bouncer.url("huotong")       # the same database, through the pooler

    Every database of that server is reachable by its name (``* = host=… port=…``) and by its ``aliases`` (each
    a pool of its own), with trust auth for the
    user of the server's URL (the test clusters trust 127.0.0.1). ``pool_size`` server connections at most
    per database and user, however many clients. As root it runs as the ``postgres`` user (PgBouncer refuses
    root: ``--user postgres``). It lives in a temp directory and is stopped and deleted on exit."""

    def __init__(self, server_url: str, *, pool_mode: str = "transaction", pool_size: int = 20,
                 max_client_conn: int = 1000, aliases: dict | None = None, settings: dict | None = None):
        from sqlalchemy.engine import make_url

        self.binary = pooler_binary()
        if self.binary is None:
            raise RuntimeError("no pgbouncer binary (apt-get install pgbouncer, or set PGBOUNCER)")
        server = make_url(server_url)
        self.user = server.username or "postgres"
        self.dir = tempfile.mkdtemp(prefix="huotong-pgbouncer-")
        self.port = free_port()
        self.settings = {
            "listen_addr": "127.0.0.1", "listen_port": str(self.port), "unix_socket_dir": "",
            "auth_type": "trust", "auth_file": os.path.join(self.dir, "users.txt"),
            "admin_users": self.user, "stats_users": self.user,
            "pool_mode": pool_mode, "default_pool_size": str(pool_size), "min_pool_size": "0",
            "reserve_pool_size": "0", "max_client_conn": str(max_client_conn), "max_db_connections": "0",
            "server_reset_query": "DISCARD ALL",  # session pooling only; transaction pooling never runs it
            "ignore_startup_parameters": "extra_float_digits",
            "logfile": os.path.join(self.dir, "pgbouncer.log"), "pidfile": os.path.join(self.dir, "pgbouncer.pid"),
            **(settings or {})}
        where = f"host={server.host or '127.0.0.1'} port={server.port or 5432}"
        # aliases: {"huotong_counter": ("huotong", 2)}: a pool of its own (2 server connections) to that database
        self.databases = "".join(f"{alias} = {where} dbname={name} pool_size={size}\n"
                                 for alias, (name, size) in (aliases or {}).items()) + f"* = {where}"
        self.process: subprocess.Popen | None = None

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{name}"

    def start(self) -> "PgBouncer":
        ini = os.path.join(self.dir, "pgbouncer.ini")
        with open(ini, "w") as f:
            f.write(f"[databases]\n{self.databases}\n\n[pgbouncer]\n")
            f.writelines(f"{k} = {v}\n" for k, v in self.settings.items())
        with open(self.settings["auth_file"], "w") as f:
            f.write(f'"{self.user}" ""\n')
        args = [self.binary, ini]
        if os.getuid() == 0:
            for path in (self.dir, ini, self.settings["auth_file"]):
                shutil.chown(path, "postgres", "postgres")
            args = [self.binary, "--user", "postgres", ini]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer did not start: {self.log()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pgbouncer did not listen on {self.port}: {self.log()[-2000:]}")

    def show(self, what: str) -> list[dict]:
        """A ``SHOW …`` of PgBouncer's admin console (POOLS, SERVERS, CLIENTS, STATS): its rows as dicts."""
        return self.console(f"SHOW {what}")

    def console(self, command: str) -> list[dict]:
        """A command of PgBouncer's admin console (SHOW POOLS, RECONNECT db, …): its rows as dicts, if any.
        (The console speaks the simple query protocol only: psycopg's client-side cursor.)"""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="pgbouncer",
                             autocommit=True, cursor_factory=psycopg.ClientCursor) as connection:
            cursor = connection.execute(command)
            if cursor.description is None:
                return []
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def server_connections(self, database: str) -> int:
        """The server connections PgBouncer holds open to ``database`` now (active, idle, used, tested)."""
        return sum(int(row[k]) for row in self.show("POOLS") if row["database"] == database
                   for k in ("sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login"))

    def log(self) -> str:
        try:
            with open(self.settings["logfile"]) as f:
                return f.read()
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """CPU of PgBouncer itself, from /proc."""
        return process_tree_cpu(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def __enter__(self) -> "PgBouncer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from the state on (field 3)


def process_tree_cpu(root: int) -> float:
    """utime + stime of ``root`` and every living descendant, plus what ended children left in
    cutime + cstime (a reaped child's CPU is added to its parent's)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        fields = _stat(pid)
        if fields is None:
            continue
        # fields[11..14] = utime, stime, cutime, cstime (proc(5) fields 14-17)
        total += sum(int(v) for v in fields[11:15])
        todo.extend(children.get(pid, []))
    return total / TICKS
