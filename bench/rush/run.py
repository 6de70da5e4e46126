"""The enrollment rush, start to end, in one command.

    .venv/bin/python -m bench.rush.run [--applicants 200000] [--seconds 180] [--profile]

Starts the production-like topology (bench/rush/topology.py: private PostgreSQL, nginx, two
gunicorn web processes, two ``darcha worker`` processes, the local SMS gateway), generates
the population (bench/rush/population.py), opens school enrollment and kindergarten
placement and sends the burst (bench/rush/load.py) while the scenario kills a web process,
a worker and restarts PostgreSQL (bench/rush/scenario.py). Then it waits for the workers
to drain the outbox, reconciles the database with what the clients saw and checks the
kindergarten queues' fairness (bench/rush/reconcile.py), measures the raw-SQL reference
for the same rows (as bench/applications/submit.py does), and writes
``<out>/rush.json``, ``<out>/rush.png`` and ``<out>/fairness.json`` (bench/rush/report.py).

The load is bounded: ``--seconds`` of arrivals, then at most ``--drain-seconds`` for the
journeys under way; ``--max-requests`` caps the requests. Only 127.0.0.1 is contacted.
Exit status 0 when reconciliation and fairness hold, 1 otherwise.
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.applications.common import ROOT
from bench.applications.submit import raw_phase
from bench.rush import reconcile, report
from bench.rush.topology import Topology

RESULTS = ROOT / "bench" / "results"
RAW_CONCURRENCY = 32  # as bench/applications/submit.py measures its reference


def profile_web(topology: Topology, seconds: float, out: Path) -> list[subprocess.Popen]:
    """py-spy flame graphs (SVG) of each web process's gunicorn worker for ``seconds``, as
    ``<out stem>-web<i>.svg``; py-spy's own messages go to ``<out stem>.log``."""
    spy = Path(sys.executable).with_name("py-spy")
    out.parent.mkdir(parents=True, exist_ok=True)
    recorders = []
    with out.with_suffix(".log").open("a") as log:
        for i, web in enumerate(topology.webs):
            workers = subprocess.run(
                ["pgrep", "-P", str(web.pid)], capture_output=True, text=True, check=False
            ).stdout.split()
            for pid in workers:
                command = [
                    str(spy), "record", "--pid", pid, "--duration", str(int(seconds)), "--rate", "50",
                    "--format", "flamegraph", "--output", str(out.with_stem(f"{out.stem}-web{i}")),
                    "--nonblocking",
                ]  # fmt: skip
                recorders.append(subprocess.Popen(command, stdout=log, stderr=log))
    return recorders


def portal_queues(results) -> dict[str, list[str]]:
    """Each kindergarten queue the clients applied to, in the portal's own order (its selector)."""
    from darcha.modules.applications import api

    codes = sorted({seen["queue"] for seen in results.accepted.values() if seen["queue"]})
    # A kindergarten's code starts with its district's: 1726294-12 is no. 12 of 1726294.
    return {
        code: [entry.application_id for entry in api.kindergarten_queue(code.split("-")[0], code)]
        for code in codes
    }


def run(args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="darcha-rush-"))
    with Topology(
        workdir, web=args.web, workers=args.workers, web_threads=args.threads, in_flight=args.in_flight
    ) as topology:
        os.environ.update(topology.env())
        import django

        django.setup()
        from django.db import connections

        from bench.rush import population
        from bench.rush.scenario import Scenario

        started = time.monotonic()
        people = population.generate(
            args.applicants,
            flow_sample=args.flow_sample,
            live_sample=args.live_sample,
            sms_url=topology.sms_url,
        )
        generated_in = time.monotonic() - started
        connections.close_all()
        print(f"population of {len(people)} ready in {generated_in:.0f} s; opening", flush=True)
        scenario = Scenario(topology, seconds=args.seconds, down_seconds=args.down_seconds)
        # The machine is shared: its load before and after the burst says how far to trust the figures.
        load_average = {"at_opening": os.getloadavg()[0]}
        recorders = (
            profile_web(topology, min(args.seconds, 60), args.out / "rush-profile.svg")
            if args.profile
            else []
        )
        results = asyncio.run(
            scenario.run(
                people,
                connections=args.connections,
                max_journeys=args.max_journeys,
                max_requests=args.max_requests,
                drain_seconds=args.drain_seconds,
            )
        )
        for recorder in recorders:
            recorder.wait(timeout=120)
        seconds_run = time.time() - results.opened_at
        load_average["at_end"] = os.getloadavg()[0]
        print("load done; draining the outbox", flush=True)
        drained = reconcile.drain(topology.database_url, timeout=args.drain_outbox_seconds)
        reconciliation = reconcile.reconcile(
            topology.database_url, results, sms_journal=workdir / "data" / "sms.jsonl"
        )
        queues = reconcile.kindergarten_queues(portal_queues(results), results, topology.logs())
        fairness = reconcile.fairness(queues, results)
        connections.close_all()
        raw = asyncio.run(
            raw_phase(
                topology.database_url,
                argparse.Namespace(concurrency=RAW_CONCURRENCY, requests=args.raw_requests, max_seconds=30),
            )
        )
    summary = report.summarise(results, scenario.faults, seconds_run)
    accepted_rate = max(summary["sustained_first_minute_per_second"], 0.1)
    outcome = {
        "command": "python -m bench.rush.run " + " ".join(sys.argv[1:]),
        "machine_cores": os.cpu_count(),
        "load_average": load_average,
        "topology": {
            "web": args.web,
            "web_threads": args.threads,
            "workers": args.workers,
            "in_flight": topology.in_flight,
        },
        "population": len(people),
        "population_seconds": round(generated_in, 1),
        "sessions": {
            "direct": sum(1 for p in people if p.sign_in == "direct"),
            "sign_in_flow_before_opening": args.flow_sample,
            "sign_in_live": args.live_sample,
        },
        "seconds": args.seconds,
        "faults": scenario.windows(),
        "summary": summary,
        "drain": drained,
        "reconciliation": reconciliation,
        "fairness": fairness,
        "raw": raw,
        "ratio_to_raw": round(raw["per_second"] / accepted_rate, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "rush.json").write_text(json.dumps(outcome, indent=2))
    (args.out / "fairness.json").write_text(json.dumps(queues))
    report.chart(
        summary,
        scenario.faults,
        args.out / "rush.png",
        f"Enrollment rush: {len(people):,} applicants, {args.web} web × {args.threads} threads, "
        f"{args.workers} workers, {os.cpu_count()} cores",
    )
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applicants", type=int, default=200_000, help="population size")
    parser.add_argument("--seconds", type=float, default=180, help="arrival window (time cap)")
    parser.add_argument("--drain-seconds", type=float, default=60, help="cap for journeys under way after it")
    parser.add_argument(
        "--drain-outbox-seconds", type=float, default=300, help="cap for the workers to drain"
    )
    parser.add_argument("--max-requests", type=int, default=2_000_000, help="request cap")
    parser.add_argument("--connections", type=int, default=128, help="client connections to nginx")
    parser.add_argument(
        "--max-journeys",
        type=int,
        default=128,
        help="applicants under way at once (more than --connections would time the client's own queue)",
    )
    parser.add_argument("--flow-sample", type=int, default=50, help="real sign-ins before the opening")
    parser.add_argument("--live-sample", type=int, default=20, help="real sign-ins during the burst")
    parser.add_argument("--down-seconds", type=float, default=3, help="PostgreSQL down time")
    parser.add_argument("--raw-requests", type=int, default=5000, help="raw-SQL reference inserts")
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per web process")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--in-flight", type=int, default=0, help="the balancer's admission limit (default: 8 a web thread)"
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the web processes (first minute)")
    parser.add_argument("--out", type=Path, default=RESULTS / "rush")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the topology is stopped
    outcome = run(args)
    for line in report.lines(outcome):
        print(line)
    print(f"results: {args.out}/rush.json, chart: {args.out}/rush.png")
    return 0 if outcome["reconciliation"]["ok"] and outcome["fairness"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
