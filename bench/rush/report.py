"""Figures of a rush run: throughput, latency and errors over time, as numbers and a PNG.

``summarise`` turns the clients' request records into per-second throughput, per-window
latency percentiles and errors by kind, each error marked inside or outside the fault
windows; ``chart`` draws them with the fault windows shaded.
"""

from collections import Counter, defaultdict
from pathlib import Path

from bench.applications.common import percentiles
from bench.rush.load import Results
from bench.rush.scenario import Fault, in_fault

WINDOW = 5  # seconds per latency point
FIRST_MINUTE = 60.0


def error_kind(kind: str, status: int, error: str) -> str:
    """The class of one request's outcome; "" for a success or an expected refusal."""
    if error == "busy":
        return "busy, retry later (balancer)"
    if error:
        return "timeout (deliberate)" if kind.endswith("-short") else error
    if status == 503:
        return "503 retry later"
    if status >= 500:
        return f"{status}"
    if 400 <= status < 500 and not kind.startswith("bad-input"):
        return f"{status}"
    return ""


def summarise(results: Results, faults: list[Fault], seconds_run: float) -> dict:
    accepted_at = Counter()
    requests_at = Counter()
    latency_windows = defaultdict(list)
    errors = Counter()
    errors_outside = Counter()
    errors_at = defaultdict(Counter)
    submit_latencies, first_minute_latencies = [], []
    for sent, took, kind, status, error in results.requests:
        second = int(sent + took)
        requests_at[second] += 1
        if kind.startswith("submit") and status in (200, 201):
            accepted_at[second] += 1
        if kind == "submit" and status and not error:
            submit_latencies.append(took)
            latency_windows[int(sent // WINDOW)].append(took)
            if sent < FIRST_MINUTE:
                first_minute_latencies.append(took)
        if problem := error_kind(kind, status, error):
            errors[problem] += 1
            errors_at[second][problem] += 1
            if problem != "timeout (deliberate)" and not in_fault(sent + took, faults):
                errors_outside[problem] += 1
    horizon = int(max(seconds_run, max(requests_at, default=0) + 1))
    first_minute = min(FIRST_MINUTE, horizon)
    in_first_minute = sum(n for s, n in accepted_at.items() if s < first_minute)
    peak = max((sum(accepted_at[s + i] for i in range(10)) / 10 for s in range(horizon)), default=0.0)
    server_errors_outside = sum(n for kind, n in errors_outside.items() if kind[0] == "5")
    return {
        "requests": len(results.requests),
        "applicants_started": results.applicants_started,
        "stopped_by": results.stopped_by,
        "accepted_submissions": len(results.accepted),
        "sustained_first_minute_per_second": round(in_first_minute / first_minute, 1),
        "peak_10s_per_second": round(peak, 1),
        "submit_latency_ms": percentiles(submit_latencies),
        "submit_latency_first_minute_ms": percentiles(first_minute_latencies),
        "acceptance_ms": percentiles(results.acceptance_seconds),
        "sign_in_latency_ms": percentiles(results.sign_in_seconds),
        "sign_ins_live": len(results.sign_in_seconds),
        "sign_ins_live_failed": dict(results.sign_in_failed),
        "arrival_lag_ms": percentiles(results.arrival_lag),
        "errors": dict(errors),
        "errors_outside_faults": dict(errors_outside),
        "server_errors_outside_faults": server_errors_outside,
        "series": {
            "second": list(range(horizon)),
            "accepted_per_second": [accepted_at[s] for s in range(horizon)],
            "requests_per_second": [requests_at[s] for s in range(horizon)],
            "latency_window_s": WINDOW,
            "latency_ms": {str(w * WINDOW): percentiles(v) for w, v in sorted(latency_windows.items())},
            "errors_per_second": {str(s): dict(c) for s, c in sorted(errors_at.items())},
        },
    }


def chart(summary: dict, faults: list[Fault], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    series = summary["series"]
    seconds = series["second"]
    figure, (throughput, latency, errors) = pyplot.subplots(3, 1, figsize=(11, 10), sharex=True)
    throughput.plot(seconds, series["requests_per_second"], label="requests/s", color="#9aa5b1", linewidth=1)
    throughput.plot(seconds, series["accepted_per_second"], label="accepted submissions/s", color="#1a7f37")
    throughput.set_ylabel("per second")
    windows = sorted(int(w) for w in series["latency_ms"])
    for name, color in (("p50", "#1f6feb"), ("p95", "#d29922"), ("p99", "#cf222e")):
        latency.plot(windows, [series["latency_ms"][str(w)][name] for w in windows], label=name, color=color)
    latency.set_ylabel(f"submission latency, ms ({series['latency_window_s']} s windows)")
    latency.set_yscale("log")
    kinds = sorted({k for c in series["errors_per_second"].values() for k in c})
    for kind in kinds:
        errors.plot(
            seconds, [series["errors_per_second"].get(str(s), {}).get(kind, 0) for s in seconds], label=kind
        )
    errors.set_ylabel("errors per second")
    errors.set_xlabel("seconds after the opening")
    for axis in (throughput, latency, errors):
        for fault in faults:
            if fault.started >= 0:
                axis.axvspan(fault.started, fault.ended, color="#ffb3b3", alpha=0.4)
        axis.grid(True, alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(loc="upper right", fontsize=8)
    throughput.set_title(
        title + "\n(shaded: fault windows — web SIGKILL, worker SIGKILL, PostgreSQL restart)"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def lines(report: dict) -> list[str]:
    """A few lines to print at the end of a run."""
    s, r, f = report["summary"], report["reconciliation"], report["fairness"]
    return [
        f"applicants: {report['population']} generated, {s['applicants_started']} arrived "
        f"({s['stopped_by']})",
        f"accepted submissions: {s['accepted_submissions']}; sustained first minute "
        f"{s['sustained_first_minute_per_second']}/s, peak 10 s {s['peak_10s_per_second']}/s",
        f"submission latency ms: {s['submit_latency_ms']}; "
        f"first minute {s['submit_latency_first_minute_ms']}",
        f"from the first press to acceptance ms: {s['acceptance_ms']}",
        f"sign-in latency ms (live sample of {s['sign_ins_live']}): {s['sign_in_latency_ms']}",
        f"errors: {s['errors']}; outside fault windows: {s['errors_outside_faults']}",
        f"raw SQL reference: {report['raw']['per_second']}/s; ratio raw/HTTP {report['ratio_to_raw']}",
        f"reconciliation ok: {r['ok']} (missing {r['missing']}, duplicated {r['duplicated']}, "
        f"bad with rows {r['bad_inputs_with_rows']}, undelivered {r['notifications_undelivered']})",
        f"fairness ok: {f['ok']} ({f['queues']} queues, {f['compared']} applications compared, "
        f"{f['out_of_order']} out of order)",
    ]
