"""A throwaway local PostgreSQL cluster made from Debian's packages (``apt install postgresql``).

``LocalPostgres(root_dir).start()`` runs ``initdb`` and ``pg_ctl start`` with the newest server
under ``/usr/lib/postgresql/*/bin`` and returns the cluster's URL
(``postgresql://postgres@127.0.0.1:<port>/postgres``); ``stop()`` stops it. Also a context manager.
It never touches a system cluster Debian may have started on 5432: its own data directory, its own
unix-socket directory, a free port on 127.0.0.1.

``initdb`` refuses to run as root, so as root every server command runs as the ``postgres`` user
(``runuser -u postgres --``) in a directory that user owns. When that user cannot reach
``root_dir`` (pytest's tmp directories are mode 700 under root), the cluster goes into a fresh
directory under the system temp directory instead, removed again by ``stop()``.

Raises ``PostgresNotFound`` when no server binaries are installed and ``RuntimeError`` (with the
end of the server log) when the server does not start.
"""
from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg

from crm_core.sql import quote_identifier

BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER = "postgres"  # Debian's account for the server; also the cluster's superuser name
START_ATTEMPTS = 3  # a free port can be taken by someone else between our check and the server's bind
START_TIMEOUT_SECONDS = 60
# Only trust connections: this cluster listens on 127.0.0.1 and a socket in a directory only its
# owner can enter, lives for one test session or one local trial, and holds no one's real data.
# Never use this file for a server other people can reach.
PG_HBA = (
    "local all all trust\n"
    "host  all all 127.0.0.1/32 trust\n"
)


class PostgresNotFound(RuntimeError):
    """No PostgreSQL server binaries: install Debian's ``postgresql`` package."""


def server_bin_dir(pattern: str = BIN_GLOB) -> Path:
    """The ``bin`` directory of the newest installed PostgreSQL (by major version as a number:
    15 is newer than 9.6), the one holding ``initdb``. Raises PostgresNotFound when none."""
    found = [Path(d) for d in glob.glob(pattern) if (Path(d) / "initdb").exists()]
    if not found:
        raise PostgresNotFound(f"no PostgreSQL server under {pattern} (Debian: apt-get install postgresql)")
    return max(found, key=lambda d: _version_key(d.parent.name))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` instead of its own."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def create_database(url: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` (UTF8, as the cluster) on the server of ``url``, a copy of database
    ``template`` when given (a file copy: no statement of it runs again); returns its URL."""
    copy_of = "" if template is None else f" TEMPLATE {quote_identifier(template)}"
    with psycopg.connect(url, autocommit=True) as conn:  # CREATE DATABASE cannot run in a transaction
        conn.execute(f"CREATE DATABASE {quote_identifier(name)}{copy_of}")
    return database_url(url, name)


def drop_database(url: str, name: str) -> None:
    """Drop database ``name`` on the server of ``url``, ending any session still connected to it."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_identifier(name)} WITH (FORCE)")


class LocalPostgres:
    """A private PostgreSQL cluster under ``root_dir`` (see the module docstring)."""

    def __init__(self, root_dir: str | Path, bin_dir: Path | None = None):
        self.root_dir = Path(root_dir)
        self._bin_dir = bin_dir
        self.as_root = os.geteuid() == 0
        self.cluster_dir: Path | None = None  # data/, socket/ and server.log live here
        self._own_temp_dir = False  # True when cluster_dir is our fallback under the temp directory
        self.port: int | None = None
        self.url: str | None = None

    # -- public ----------------------------------------------------------------------------------
    def start(self) -> str:
        """initdb (first time) and start the server; returns the URL of its ``postgres`` database."""
        if self.url is not None:
            return self.url
        bin_dir = self._bin_dir or server_bin_dir()
        self.cluster_dir = self._make_cluster_dir()
        try:
            return self._start_server(bin_dir)
        except BaseException:
            self.stop()  # a fallback directory is removed even when __exit__ will not run
            raise

    def _start_server(self, bin_dir: Path) -> str:
        data = self.cluster_dir / "data"
        if not (data / "PG_VERSION").exists():
            self._initdb(bin_dir, data)
        last_error = ""
        for _ in range(START_ATTEMPTS):
            port = free_port()
            result = self._pg_ctl(bin_dir, "start", "-w", "-t", str(START_TIMEOUT_SECONDS),
                                  "-l", str(self.cluster_dir / "server.log"), "-o", self._server_options(port))
            if result.returncode == 0:
                self.port = port
                self.url = f"postgresql://{SERVER_USER}@127.0.0.1:{port}/postgres"
                return self.url
            last_error = result.stdout + result.stderr + self._log_tail()
        raise RuntimeError(f"PostgreSQL did not start in {self.cluster_dir}:\n{last_error}")

    @classmethod
    def attach(cls, cluster_dir: Path, temporary: bool) -> LocalPostgres:
        """The cluster a ``start()`` in another process made in ``cluster_dir`` (``temporary``: its
        fallback directory, removed by ``stop()``), for stopping it (``team down``)."""
        server = cls(cluster_dir.parent)
        server.cluster_dir, server._own_temp_dir = cluster_dir, temporary
        return server

    @property
    def owns_cluster_dir(self) -> bool:
        """The cluster lives in a fallback directory ``stop()`` removes (see the module docstring)."""
        return self._own_temp_dir

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended); removes the fallback directory."""
        if self.cluster_dir is not None and (self.cluster_dir / "data" / "postmaster.pid").exists():
            self._pg_ctl(self._bin_dir or server_bin_dir(), "stop", "-w", "-m", "fast")
        self.url = None
        self.port = None
        if self._own_temp_dir and self.cluster_dir is not None:
            shutil.rmtree(self.cluster_dir, ignore_errors=True)
            self.cluster_dir = None
            self._own_temp_dir = False

    def __enter__(self) -> LocalPostgres:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- steps -----------------------------------------------------------------------------------
    def _make_cluster_dir(self) -> Path:
        if self.cluster_dir is not None:
            return self.cluster_dir
        self.root_dir.mkdir(parents=True, exist_ok=True)
        if self.as_root and not self._server_user_can_enter(self.root_dir):
            cluster = Path(tempfile.mkdtemp(prefix="kehu-pg-"))
            self._own_temp_dir = True
        else:
            cluster = self.root_dir / "postgres"
            cluster.mkdir(mode=0o700, exist_ok=True)
        (cluster / "socket").mkdir(mode=0o700, exist_ok=True)
        if self.as_root:
            for path in (cluster, cluster / "socket"):
                shutil.chown(path, SERVER_USER, SERVER_USER)
        return cluster

    def _server_user_can_enter(self, path: Path) -> bool:
        return subprocess.run(["runuser", "-u", SERVER_USER, "--", "test", "-x", str(path)],
                              capture_output=True).returncode == 0

    def _initdb(self, bin_dir: Path, data: Path) -> None:
        # UTF8 whatever the machine's locale: customer names are Chinese. --no-sync: a throwaway
        # cluster, nothing to lose if the machine dies during initdb.
        result = self._run([str(bin_dir / "initdb"), "-D", str(data), "-U", SERVER_USER, "-E", "UTF8",
                            "--locale=C.UTF-8", "--auth=trust", "--no-sync", "--no-instructions"])
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed in {data}:\n{result.stdout}{result.stderr}")
        # Rewriting the file initdb made keeps its owner (the server user) and mode.
        (data / "pg_hba.conf").write_text(PG_HBA, encoding="utf-8")

    def _server_options(self, port: int) -> str:
        # pg_ctl hands -o to a shell: every value quoted.
        return " ".join(["-p", str(port), "-c", "listen_addresses=127.0.0.1",
                         "-k", shlex.quote(str(self.cluster_dir / "socket"))])

    def _pg_ctl(self, bin_dir: Path, action: str, *args: str) -> subprocess.CompletedProcess:
        return self._run([str(bin_dir / "pg_ctl"), action, "-D", str(self.cluster_dir / "data"), *args])

    def _run(self, command: list[str]) -> subprocess.CompletedProcess:
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        # cwd: a directory the server user may enter (root's home is not one).
        return subprocess.run(command, cwd=self.cluster_dir, capture_output=True, text=True)

    def _log_tail(self, lines: int = 20) -> str:
        log = self.cluster_dir / "server.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
