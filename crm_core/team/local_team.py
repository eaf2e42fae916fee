"""``python -m crm_core team up`` / ``team down``: team mode on one machine, to try it (issue 19).

``up`` starts, under ``data/team/`` (or ``--dir``):

- a local PostgreSQL cluster from Debian's packages (crm_core.team.local_postgres) with a ``kehu``
  database, loaded with the demo the first time;
- ``APP_PROCESSES`` app servers (``streamlit run Home.py``) with ``CRM_DATABASE_URL`` set, each on a
  free port of 127.0.0.1, each with its own analytic copy and scheduler (the jobs' leases are
  writes, serialised through PostgreSQL's write lock: a job never runs in both);
- nginx (Debian's) in front, with sticky sessions: a Streamlit session is one websocket plus the
  uploads and media of that session, which must reach the same process. The first response sets a
  ``kehu_node`` cookie (the request's id) and nginx hashes that value to a process, so every later
  request of the browser goes to the same one (``hash … consistent``; nginx's own ``sticky`` is
  in the commercial version only).

and prints the URL. ``down`` stops nginx, the app processes and PostgreSQL; the database stays in
the directory for the next ``up``. What runs where is kept in ``team.json``.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

from crm_core.config import PROJECT_ROOT, TEAM_DIR
from crm_core.team.local_postgres import LocalPostgres, create_database, database_url, free_port

STATE_FILE = "team.json"
DATABASE = "kehu"
APP_PROCESSES = 2
START_SECONDS = 180  # an app process answers its health check within this (it fills its copy first)
NGINX_CONF = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/nginx-tmp/body;
    proxy_temp_path {dir}/nginx-tmp/proxy;
    fastcgi_temp_path {dir}/nginx-tmp/fastcgi;
    uwsgi_temp_path {dir}/nginx-tmp/uwsgi;
    scgi_temp_path {dir}/nginx-tmp/scgi;
    client_max_body_size {upload_mb}m;
    map $cookie_kehu_node $kehu_node {{ "" $request_id; default $cookie_kehu_node; }}
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    upstream kehu {{
        hash $kehu_node consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://kehu;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1d;
            # Stream both ways instead of spilling to temporary files: nginx's workers (www-data when
            # started as root) could not open them under a private directory (a 3.9 MB chart bundle
            # arrived cut off, an upload over 16 KB would fail).
            proxy_request_buffering off;
            proxy_max_temp_file_size 0;
            add_header Set-Cookie "kehu_node=$kehu_node; Path=/; HttpOnly; SameSite=Lax" always;
            add_header X-Kehu-Process $upstream_addr always;  # which app process answered
        }}
    }}
}}
"""


def up(directory: Path = TEAM_DIR, port: int = 8500, customers: int = 2000) -> str:
    """Start everything (see the module docstring); returns the URL to open."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / STATE_FILE).exists():
        raise RuntimeError(f"team mode is already up in {directory}: run 'python -m crm_core team down' first")
    state: dict = {"directory": str(directory)}
    try:
        postgres = LocalPostgres(directory)
        server = postgres.start()
        state["postgres"] = {"cluster_dir": str(postgres.cluster_dir), "temporary": postgres.owns_cluster_dir}
        url = _database(server, customers)
        state["database_url"] = url
        state["apps"] = [_start_app(directory, url, index) for index in range(APP_PROCESSES)]
        for app in state["apps"]:
            _wait_healthy(app["port"])
        state["nginx"] = _start_nginx(directory, port, [app["port"] for app in state["apps"]])
        state["url"] = f"http://127.0.0.1:{port}"
    except BaseException:
        _stop(state)
        raise
    (directory / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")
    return state["url"]


def down(directory: Path = TEAM_DIR) -> bool:
    """Stop what ``up`` started in ``directory``; False when nothing was up."""
    path = directory.resolve() / STATE_FILE
    if not path.exists():
        return False
    _stop(json.loads(path.read_text(encoding="utf-8")))
    path.unlink()
    return True


def _database(server_url: str, customers: int) -> str:
    """The ``kehu`` database (made the first time, with the demo loaded)."""
    import psycopg

    from crm_core.team.bulk_load import load_demo
    from crm_core.team.replica import install_change_log
    from crm_core.team.schema import migrate_postgres

    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
    url = database_url(server_url, DATABASE) if exists else create_database(server_url, DATABASE)
    migrate_postgres(url)
    with psycopg.connect(url) as conn:
        (loaded,) = conn.execute("SELECT count(*) FROM customers").fetchone()
    if not loaded:
        load_demo(url, customers, seed=20240305)
    install_change_log(url)
    return url


def _start_app(directory: Path, url: str, index: int) -> dict:
    port = free_port()
    env = {"CRM_LOG_LEVEL": "INFO", **os.environ, "CRM_DATABASE_URL": url}  # INFO: the refresh lag in the log
    log = open(directory / f"app-{index + 1}.log", "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return {"pid": process.pid, "port": port}


def _wait_healthy(port: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app process on port {port} did not answer in {START_SECONDS} s (see its log)")


def _start_nginx(directory: Path, port: int, app_ports: list[int]) -> dict:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed: apt install nginx")
    temp = directory / "nginx-tmp"
    temp.mkdir(exist_ok=True)
    user = ""
    if os.geteuid() == 0:  # nginx's workers drop to www-data: they write request bodies under temp
        user = "user www-data;\n"
        shutil.chown(temp, "www-data")
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        user=user, dir=directory, port=port, upload_mb=_upload_mb(),
        servers="\n".join(f"        server 127.0.0.1:{p};" for p in app_ports)), encoding="utf-8")
    result = subprocess.run([nginx, "-c", str(conf), "-p", str(directory)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nginx did not start: {result.stderr.strip()}")
    return {"conf": str(conf), "binary": nginx}


def _upload_mb() -> int:
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    return int(config.get("server", {}).get("maxUploadSize", 200))


def _stop(state: dict) -> None:
    """Stop whatever of ``state`` was started, in reverse order; never raises for a part already gone."""
    nginx = state.get("nginx")
    if nginx:
        subprocess.run([nginx["binary"], "-c", nginx["conf"], "-p", state["directory"], "-s", "quit"],
                       capture_output=True)
    for app in state.get("apps", ()):
        _terminate(app["pid"])
    postgres = state.get("postgres")
    if postgres:
        LocalPostgres.attach(Path(postgres["cluster_dir"]), postgres["temporary"]).stop()


def _terminate(pid: int, seconds: float = 20) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(ChildProcessError):  # not our child (team down in another command): signal 0 tells
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(pid, signal.SIGKILL)
