"""A production-like Darcha on this machine, started and stopped by one command.

A private PostgreSQL cluster, N gunicorn web processes (each on its own port, so one can be
killed alone), M ``darcha worker`` processes draining the events outbox (the queue the
production settings use: PostgreSQL with SKIP LOCKED), nginx in front as the load balancer,
the machine's Redis for the cache, and the local SMS gateway (bench/rush/sms_gateway.py).
Everything listens on 127.0.0.1 on free ports and lives under one work directory.

python -m bench.rush.topology up [--web 2 --workers 2 --threads 1] [--keep]

docs/operations.md describes the same topology on several machines.
"""

import argparse
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import redis

from bench.applications.common import free_port

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_TEMPLATE = Path(__file__).with_name("nginx.conf.template")
REDIS_URL = os.environ.get("DARCHA_RUSH_REDIS_URL", "redis://127.0.0.1:6379/0")
START_TIMEOUT = 120.0
# Requests the balancer lets into the web processes at once, per thread serving them: enough
# to keep each busy while another waits on the database, few enough not to queue for seconds.
IN_FLIGHT_PER_THREAD = 8
WORKER_NICENESS = 10  # nice(1): below the web processes, which people wait on


def postgres_bin() -> Path:
    """The newest PostgreSQL server installed from Debian's packages."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return versions[-1].parent


def wait_until(check, what: str, timeout: float = START_TIMEOUT, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode}")
        if result := check():
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.1)


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Topology:
    """Context manager. Everything on 127.0.0.1, on free ports, under workdir."""

    def __init__(
        self,
        workdir: Path,
        *,
        web: int = 2,
        workers: int = 2,
        web_threads: int = 1,
        in_flight: int = 0,
        env: dict[str, str] | None = None,
        keep: bool = False,
    ) -> None:
        self.workdir = Path(workdir).resolve()
        self.web_count, self.worker_count, self.web_threads = web, workers, web_threads
        self.in_flight = in_flight or IN_FLIGHT_PER_THREAD * web * web_threads
        self.extra_env = dict(env or {})
        self.keep = keep
        self.pg_port, self.nginx_port, self.sms_port = free_port(), free_port(), free_port()
        self.web_ports = [free_port() for _ in range(web)]
        self.base_url = f"http://127.0.0.1:{self.nginx_port}"
        self.database_url = f"postgres://postgres@127.0.0.1:{self.pg_port}/darcha"
        self.sms_url = f"http://127.0.0.1:{self.sms_port}"
        self.sms_token = secrets.token_hex(16)
        self.secret_key = secrets.token_urlsafe(50)
        # Keys of this run in the shared Redis, removed on stop.
        self.cache_prefix = f"darcha-rush-{secrets.token_hex(4)}"
        self.postgres: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.sms: subprocess.Popen | None = None
        self.webs: list[subprocess.Popen | None] = [None] * web
        self.workers: list[subprocess.Popen | None] = [None] * workers

    # --- paths and environment -------------------------------------------------------------
    def logs(self) -> Path:
        return self.workdir / "logs"

    def env(self) -> dict[str, str]:
        """Environment for ``python -m darcha.cli …`` or Django code against this topology."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("DARCHA_")}
        inherited.pop("DJANGO_SETTINGS_MODULE", None)
        return {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "darcha.config.settings",
            "DATABASE_URL": self.database_url,
            "DARCHA_DATA_DIR": str(self.workdir / "data"),
            "DARCHA_SECRET_KEY": self.secret_key,
            "DARCHA_DEBUG": "0",
            "DARCHA_ALLOWED_HOSTS": "127.0.0.1",
            "DARCHA_PUBLIC_URL": self.base_url,
            "DARCHA_REDIS_URL": REDIS_URL,
            "DARCHA_CACHE_KEY_PREFIX": self.cache_prefix,
            "DARCHA_SMS_BACKEND": "http",
            "DARCHA_SMS_GATEWAY_URL": f"{self.sms_url}/sms",
            "DARCHA_SMS_GATEWAY_TOKEN": self.sms_token,
            # nginx is the only way in, and it sets X-Request-Start on every request.
            "DARCHA_TRUSTED_PROXY_HEADERS": "1",
            # Secure cookies and HSTS need TLS, which this loopback topology does not speak;
            # everything else is as in production.
            "DARCHA_PRODUCTION": "0",
            **self.extra_env,
        }

    # --- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> "Topology":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self) -> None:
        """Database, schema and demo data, then web, workers and nginx; returns when
        ``/readyz`` answers 200 through nginx."""
        for path in (self.logs(), self.workdir / "data", self.workdir / "nginx" / "tmp"):
            path.mkdir(parents=True, exist_ok=True)
        self._start_sms_gateway()
        self._init_postgres()
        self._start_postgres()
        with psycopg.connect(self._admin_dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE darcha")
        self._darcha("manage", "migrate", "--noinput")
        self._darcha("seed")
        # All processes load Django at once; then each is waited for.
        for i in range(self.web_count):
            self._spawn_web(i)
        for i in range(self.worker_count):
            self._spawn_worker(i)
        for i in range(self.web_count):
            self._wait_web(i)
        for i in range(self.worker_count):
            self._wait_worker(i)
        self._start_nginx()

    def stop(self) -> None:
        """Stops every process (nothing is left running) and removes the work directory
        unless ``keep`` was given."""
        processes = [self.nginx, *self.webs, *self.workers, self.sms]
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        for process in processes:
            _reap(process, timeout=15)
        self.nginx, self.sms = None, None
        self.webs = [None] * self.web_count
        self.workers = [None] * self.worker_count
        self._stop_postgres()
        self._forget_cache()
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # --- web and worker processes ----------------------------------------------------------
    def start_web(self, i: int) -> None:
        """Starts web process ``i`` and waits until it answers ``/readyz`` itself."""
        self._spawn_web(i)
        self._wait_web(i)

    def _spawn_web(self, i: int) -> None:
        command = [
            PY,
            "-m",
            "gunicorn",
            "darcha.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.web_ports[i]}",
            "--workers",
            "1",
            "--threads",
            str(self.web_threads),
            "--graceful-timeout",
            "10",
            "--access-logfile",
            str(self.logs() / f"web-{i}-access.log"),
        ]
        self.webs[i] = self._spawn(command, f"web-{i}")

    def _wait_web(self, i: int) -> None:
        url = f"http://127.0.0.1:{self.web_ports[i]}/readyz"
        wait_until(lambda: http_status(url) == 200, f"web {i}", process=self.webs[i])

    def kill_web(self, i: int) -> None:
        """SIGKILL to web process ``i`` (gunicorn's arbiter and its worker)."""
        _kill(self.webs[i])
        self.webs[i] = None

    def start_worker(self, i: int) -> None:
        self._spawn_worker(i)
        self._wait_worker(i)

    def _spawn_worker(self, i: int) -> None:
        # Workers share the cores with the web processes here: at a lower priority, the
        # notifications wait in the outbox during the burst instead of the people's requests.
        command = ["nice", "-n", str(WORKER_NICENESS), PY, "-m", "darcha.cli", "worker"]
        self.workers[i] = self._spawn(command, f"worker-{i}")
        # Each process leads its own session, so with the kernel's autogroups (the default)
        # nice(1) ranks it only within its own group: the group's niceness is what counts.
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.workers[i].pid}/autogroup").write_text(str(WORKER_NICENESS))

    def _wait_worker(self, i: int) -> None:
        # A worker has no port: ready means it loaded Django and stayed up for a moment.
        time.sleep(1.0)
        if self.workers[i].poll() is not None:
            raise RuntimeError(f"worker {i} exited with {self.workers[i].returncode}; see {self.logs()}")

    def kill_worker(self, i: int) -> None:
        _kill(self.workers[i])
        self.workers[i] = None

    # --- PostgreSQL ----------------------------------------------------------------------
    def restart_postgres(self, down_seconds: float = 3.0) -> None:
        """Fast shutdown (clients are disconnected), ``down_seconds`` down, start again."""
        self._stop_postgres()
        time.sleep(down_seconds)
        self._start_postgres()

    def _init_postgres(self) -> None:
        pg_dir = self.workdir / "pg"
        pg_dir.mkdir()
        owner = pwd.getpwnam("postgres")
        if os.geteuid() == 0:
            # initdb refuses root: the cluster belongs to the postgres user, which must be
            # able to reach the work directory (search permission only).
            os.chown(pg_dir, owner.pw_uid, owner.pw_gid)
            for directory in (self.workdir, *self.workdir.parents):
                mode = directory.stat().st_mode
                if not mode & stat.S_IXOTH:
                    directory.chmod(mode | stat.S_IXOTH)
        self._as_postgres(
            [
                str(postgres_bin() / "initdb"),
                "-D",
                str(pg_dir / "data"),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            wait=True,
            log="postgres-initdb",
        )

    def _start_postgres(self) -> None:
        connections = self.web_count * (self.web_threads + 2) + self.worker_count * 2 + 20
        settings = {
            "port": self.pg_port,
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": "",
            "max_connections": max(connections, 50),
            "shared_buffers": "256MB",
            "work_mem": "8MB",
            "maintenance_work_mem": "64MB",
            "effective_cache_size": "1GB",
            "max_wal_size": "1GB",
            # Durability is part of what the rush checks: fsync and synchronous commit stay on.
            "fsync": "on",
            "synchronous_commit": "on",
        }
        options = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
        self.postgres = self._as_postgres(
            [str(postgres_bin() / "postgres"), "-D", str(self.workdir / "pg" / "data"), *options],
            wait=False,
            log="postgres",
        )
        wait_until(self._postgres_answers, "PostgreSQL", process=self.postgres)

    def _stop_postgres(self) -> None:
        # SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing committed is lost.
        _signal_group(self.postgres, signal.SIGINT)
        _reap(self.postgres, timeout=30)
        self.postgres = None

    def _postgres_answers(self) -> bool:
        try:
            with psycopg.connect(self._admin_dsn(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def _admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres"

    def _as_postgres(self, command: list[str], *, wait: bool, log: str) -> subprocess.Popen:
        user = {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}
        with (self.logs() / f"{log}.log").open("ab") as out:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd="/", **user
            )
        if wait and process.wait() != 0:
            raise RuntimeError(f"{command[0]} failed; see {self.logs() / f'{log}.log'}")
        return process

    # --- nginx, SMS gateway and helpers ----------------------------------------------------
    def _start_nginx(self) -> None:
        prefix = self.workdir / "nginx"
        # nginx opens <prefix>/logs/error.log before it reads the configuration.
        (prefix / "logs").mkdir(exist_ok=True)
        servers = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in self.web_ports
        )
        config = (
            NGINX_TEMPLATE.read_text()
            .replace("@UPSTREAM_SERVERS@", servers)
            .replace("@PORT@", str(self.nginx_port))
            .replace("@IN_FLIGHT@", str(self.in_flight))
            .replace("logs/", f"{self.logs()}/")
        )
        (prefix / "nginx.conf").write_text(config)
        # The master runs as root here and its workers as "nobody": they write the temp files.
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(prefix / "tmp", nobody.pw_uid, nobody.pw_gid)
        self.nginx = self._spawn([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")], "nginx")
        wait_until(lambda: http_status(f"{self.base_url}/readyz") == 200, "nginx", process=self.nginx)

    def _start_sms_gateway(self) -> None:
        self.sms = self._spawn(
            [
                PY,
                "-m",
                "bench.rush.sms_gateway",
                "--port",
                str(self.sms_port),
                "--token",
                self.sms_token,
                "--journal",
                str(self.workdir / "data" / "sms.jsonl"),
            ],
            "sms-gateway",
        )
        wait_until(
            lambda: http_status(f"{self.sms_url}/messages?to=%2B998000000000") == 200,
            "SMS gateway",
            process=self.sms,
        )

    def _forget_cache(self) -> None:
        try:
            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(match=f"{self.cache_prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass  # Redis is not ours; if it is gone, there is nothing of ours left in it either.

    def _darcha(self, *args: str) -> None:
        with (self.logs() / "setup.log").open("ab") as out:
            subprocess.run(
                [PY, "-m", "darcha.cli", *args], cwd=ROOT, env=self.env(), stdout=out, stderr=out, check=True
            )

    def _spawn(self, command: list[str], name: str) -> subprocess.Popen:
        # Each process leads its own group, so a kill reaches gunicorn's worker too.
        with (self.logs() / f"{name}.log").open("ab") as out:
            return subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


def _signal_group(process: subprocess.Popen | None, sig: int) -> None:
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def _reap(process: subprocess.Popen | None, *, timeout: float) -> None:
    if process is None:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()
    # Children (gunicorn's worker) may outlive their leader by a moment: end the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _kill(process: subprocess.Popen | None) -> None:
    _signal_group(process, signal.SIGKILL)
    _reap(process, timeout=10)


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.rush.topology", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the topology in the foreground; Ctrl-C stops it")
    up.add_argument("--web", type=int, default=2, help="web processes behind nginx")
    up.add_argument("--workers", type=int, default=2, help="darcha worker processes")
    up.add_argument("--threads", type=int, default=1, help="threads per web process")
    up.add_argument("--workdir", type=Path, help="default: a new temporary directory")
    up.add_argument("--keep", action="store_true", help="keep the work directory (logs, data) after stop")
    args = p.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="darcha-rush-"))
    topology = Topology(workdir, web=args.web, workers=args.workers, web_threads=args.threads, keep=args.keep)
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"Starting in {workdir} …", flush=True)
    try:
        with topology:
            print(f"Portal:      {topology.base_url}/")
            print(f"Database:    {topology.database_url}")
            print(f"SMS gateway: {topology.sms_url}/messages?to=%2B998…")
            print(f"Logs:        {topology.logs()}")
            print("Ctrl-C stops everything.", flush=True)
            signal.pause()
    except KeyboardInterrupt:
        print("Stopping …", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
