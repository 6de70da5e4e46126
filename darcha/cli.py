"""The ``darcha`` command: run, seed and check a Darcha installation."""

import argparse
import os
import signal
import subprocess
import sys
import threading


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "darcha.config.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def seed(_args: argparse.Namespace | None = None) -> int:
    """Load reference data, templates, service definitions and demo data; safe to repeat."""
    from darcha.config import setup_data

    setup_data.seed_all(demo=True)
    print("Reference data, service definitions and demo data are loaded.")
    return 0


def check(_args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from darcha.config import setup_data

    call_command("check", fail_level="ERROR")
    problems = setup_data.check_all()
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) found." if problems else "No problems found.")
    return 1 if problems else 0


def worker(_args: argparse.Namespace) -> int:
    from darcha.config import setup_data
    from darcha.platform.events import worker as event_worker

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    event_worker.run(stop, periodic=setup_data.run_periodic)
    return 0


def up(args: argparse.Namespace) -> int:
    from darcha.config import setup_data

    print("Applying migrations…")
    _migrate()
    if setup_data.is_empty():
        print("Empty database: loading reference and demo data…")
        seed()
    else:
        # Definitions and reference data may have changed since the last run; loading
        # them is idempotent and keeps the demo data that is already there.
        setup_data.seed_all(demo=False)
    bind = f"{args.host}:{args.port}"
    web = subprocess.Popen(  # noqa: S603 — fixed argument list, no shell
        [
            sys.executable,
            "-m",
            "gunicorn",
            "darcha.config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
    )
    workers = [
        subprocess.Popen([sys.executable, "-m", "darcha.cli", "worker"])
        for _ in range(args.queue_workers)
    ]
    print(f"Darcha is running at http://{bind}/ — developer inbox at http://{bind}/dev/inbox (Ctrl-C stops).")
    children = [web, *workers]

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        web.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            child.wait(timeout=15)
    return 0


def audit_verify(_args: argparse.Namespace) -> int:
    from darcha.platform import audit

    problems = audit.verify()
    for problem in problems:
        print(f"entry {problem.seq}: {problem.reason}")
    print("The audit chain is intact." if not problems else f"{len(problems)} problem(s) in the audit chain.")
    return 1 if problems else 0


def events_dead(_args: argparse.Namespace) -> int:
    from darcha.platform.events import operations

    for delivery in operations.dead_letters()[:200]:
        error = delivery.last_error.strip().splitlines()[-1:] or [""]
        print(f"{delivery.id}\t{delivery.event.type}\t{delivery.handler}\t{delivery.attempts}\t{error[0]}")
    return 0


def events_replay(args: argparse.Namespace) -> int:
    from darcha.platform.events import operations

    count = operations.replay(None if args.all else args.ids)
    print(f"{count} delivery(ies) queued again.")
    return 0


def manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["darcha manage", *args.rest])
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="darcha", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("up", help="migrate, load demo data when empty, start web and worker")
    run.add_argument("--host", default=os.environ.get("DARCHA_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("DARCHA_PORT", "8000")))
    run.add_argument("--workers", type=int, default=2, help="web worker processes")
    run.add_argument("--queue-workers", type=int, default=1, help="background worker processes")
    run.set_defaults(fn=up)
    sub.add_parser("worker", help="deliver events and run background work").set_defaults(fn=worker)
    sub.add_parser("seed", help="load reference data, service definitions and demo data").set_defaults(
        fn=seed
    )
    sub.add_parser("check", help="check configuration and data; non-zero exit on problems").set_defaults(
        fn=check
    )
    audit = sub.add_parser("audit", help="audit log tools").add_subparsers(
        dest="audit_command", required=True
    )
    audit.add_parser("verify", help="verify the hash chain").set_defaults(fn=audit_verify)
    events = sub.add_parser("events", help="outbox tools").add_subparsers(
        dest="events_command", required=True
    )
    events.add_parser("dead", help="list dead letters").set_defaults(fn=events_dead)
    replay = events.add_parser("replay", help="queue dead letters again")
    replay.add_argument("ids", nargs="*", type=int)
    replay.add_argument("--all", action="store_true")
    replay.set_defaults(fn=events_replay)
    mg = sub.add_parser("manage", help="run a Django management command", add_help=False)
    mg.add_argument("rest", nargs=argparse.REMAINDER)
    mg.set_defaults(fn=manage)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _setup()
    if args.command == "events" and args.events_command == "replay" and not (args.all or args.ids):
        print("Name delivery ids or --all.", file=sys.stderr)
        return 2
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
