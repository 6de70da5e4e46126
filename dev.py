#!/usr/bin/env python3
"""Set up and run Darcha from a fresh clone with nothing but Python 3.11 and pip.

python3 dev.py up      create .venv, install the locked dependencies, start the portal
python3 dev.py test    the same set-up, then the whole test suite
python3 dev.py lint    ruff and the import-linter contracts
"""

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
UV_VERSION = "0.13.8"
CHROMIUM = os.environ.get("DARCHA_CHROMIUM", "/usr/bin/chromium")


def run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)  # noqa: S603


def ensure_environment() -> None:
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    if not (BIN / "uv").exists():
        run(
            BIN / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"uv=={UV_VERSION}",
        )
    run(BIN / "uv", "sync", "--locked", "--quiet")


def apt_install(package: str, why: str) -> bool:
    """Installs a Debian package when we may (root, apt-get); False when we may not."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        return False
    print(f"Installing Debian's {package} {why} …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)  # noqa: S603, S607
    return True


def ensure_chromium() -> bool:
    if shutil.which("chromium") or Path(CHROMIUM).exists():
        return True
    return apt_install("chromium", "for the browser tests")


def ensure_nginx() -> None:
    # The load balancer of the rush topology (bench/rush/topology.py), which a test starts.
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        apt_install("nginx-light", "for the rush topology")


def exec_in_env(program: str, *args: str) -> None:
    os.chdir(ROOT)
    path = str(BIN / program)
    os.execv(path, [path, *args])  # noqa: S606


def main(argv: list[str]) -> None:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "up":
        ensure_environment()
        exec_in_env("darcha", "up", *rest)
    elif command == "test":
        ensure_environment()
        marks: list[str] = []
        ensure_nginx()
        if not ensure_chromium():
            if os.environ.get("CI"):
                sys.exit("Chromium is required for the browser tests in CI.")
            print("Chromium is not installed: browser tests are left out of this run.", flush=True)
            marks = ["-m", "not browser"]
        exec_in_env("pytest", "-n", os.environ.get("DARCHA_TEST_PROCESSES", "auto"), *marks, *rest)
    elif command == "lint":
        ensure_environment()
        run(BIN / "ruff", "check", ".")
        exec_in_env("lint-imports")
    else:
        print(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
