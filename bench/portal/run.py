"""Home and cabinet throughput under a production-like server, as a ratio to a bare view.

    .venv/bin/python -m bench.portal.run [--seconds 10] [--web-workers 4]

Starts gunicorn with several worker processes on PostgreSQL (a fresh database on
127.0.0.1, or DATABASE_URL), loads the demo data, signs a demo citizen in, and measures
requests per second with wrk (Debian package `wrk`) for a bare view returning a constant,
the home page and the cabinet, interleaved, in the same run. Only 127.0.0.1 is loaded;
every run is bounded in time.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django(env: dict, *args: str) -> str:
    return subprocess.run(
        [PY, "-m", "darcha.cli", *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def prepare_database(env: dict) -> str | None:
    if os.environ.get("DATABASE_URL"):
        return None
    name = f"darcha_bench_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    return name


SIGN_IN = """
import django, os
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
# A demo mother of young children (README); her cabinet has the most to show.
client.force_login(get_user_model().objects.get(username="42207912630020"))
print(client.cookies["sessionid"].value)
"""


def wrk(url: str, seconds: int, cookie: str = "") -> dict:
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", out))
    return {"rps": rps, "non_2xx": int(non_2xx.group(1)) if non_2xx else 0, "latency": latency}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is required: apt-get install wrk")

    data_dir = tempfile.mkdtemp(prefix="darcha-bench-")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.portal.settings", "DARCHA_DATA_DIR": data_dir}
    env.pop("DARCHA_DEBUG", None)
    created_db = prepare_database(env)
    server = None
    try:
        django(env, "manage", "migrate", "--noinput")
        django(env, "seed")
        cookie = subprocess.run(
            [PY, "-c", SIGN_IN], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        port = free_port()
        server = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "bench.portal.wsgi:application",
                "--workers",
                str(args.web_workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        targets = {"bare": ("/bench/bare", ""), "home": ("/", ""), "cabinet": ("/cabinet/", cookie)}
        for path, c in targets.values():  # warm caches and check the pages answer 200
            req = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={c}"} if c else {})
            with urllib.request.urlopen(req, timeout=10) as resp:
                assert resp.status == 200 and resp.url.endswith(path), f"{path} did not answer 200"
        results: dict[str, list[dict]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, (path, c) in targets.items():
                results[name].append(wrk(base + path, args.seconds, c))
        best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
        report = {
            "web_workers": args.web_workers,
            "database": "postgresql",
            "rps": {name: r["rps"] for name, r in best.items()},
            "latency": {name: r["latency"] for name, r in best.items()},
            "errors": {name: r["non_2xx"] for name, r in best.items()},
            "cost_vs_bare": {name: round(best["bare"]["rps"] / r["rps"], 2) for name, r in best.items()},
        }
        print(json.dumps(report, indent=2))
        for name in ("home", "cabinet"):
            print(
                f"{name}: {best[name]['rps']:.0f} req/s, costs {report['cost_vs_bare'][name]}x the bare view "
                f"({best['bare']['rps']:.0f} req/s)"
            )
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "portal.json").write_text(json.dumps(report, indent=2))
        return 0
    finally:
        if server:
            server.terminate()
            server.wait(timeout=20)
        if created_db:
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", created_db], check=False
            )
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
