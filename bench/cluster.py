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
