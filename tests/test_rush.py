"""The enrollment rush, small: about 5,000 applicants, the same three faults, on the
production-like topology (its own PostgreSQL cluster, nginx, two web processes, two workers).

Runs ``python -m bench.rush.run`` as the full run does and checks its data: nothing lost or
duplicated, no refused bad input left a row, every notification delivered or dead-lettered,
no server error outside the fault windows, and every kindergarten queue in nginx's arrival
order to the access log's millisecond (checked here again from the run's own queue data).
"""

import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.rush.load import Results, arrivals
from bench.rush.reconcile import fairness, out_of_order

ROOT = Path(__file__).resolve().parents[1]
APPLICANTS = 5000


def test_small_rush_reconciles_and_is_fair(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.rush.run",
            "--applicants",
            str(APPLICANTS),
            "--seconds",
            "40",
            "--drain-seconds",
            "60",
            "--drain-outbox-seconds",
            "240",
            "--flow-sample",
            "10",
            "--live-sample",
            "10",
            "--raw-requests",
            "500",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert (tmp_path / "rush.json").exists(), run.stdout[-3000:] + run.stderr[-3000:]
    outcome = json.loads((tmp_path / "rush.json").read_text())
    summary, reconciliation = outcome["summary"], outcome["reconciliation"]

    assert all(fault["started"] >= 0 and fault["ended"] > fault["started"] for fault in outcome["faults"])
    # How many arrive within the window depends on the machine; the checks need a sample.
    assert summary["accepted_submissions"] >= 100
    assert summary["sign_ins_live"] > 0, summary["sign_ins_live_failed"]
    assert summary["server_errors_outside_faults"] == 0, summary["errors_outside_faults"]

    assert outcome["drain"]["drained"], outcome["drain"]
    assert reconciliation["missing"] == 0
    assert reconciliation["duplicated"] == 0
    assert reconciliation["id_mismatch"] == 0
    assert reconciliation["bad_inputs_refused"] > 0
    assert reconciliation["bad_inputs_accepted"] == 0
    assert reconciliation["bad_inputs_with_rows"] == 0
    assert reconciliation["good_submissions_refused"] == 0
    assert reconciliation["accepted_on_retry_replay"] > 0  # the deliberate timeouts were retried
    assert reconciliation["population_applications"] == reconciliation["population_distinct_keys"]
    assert reconciliation["population_applications"] == (
        reconciliation["accepted_keys"] + reconciliation["unknown_outcome_with_row"]
    )
    assert reconciliation["notifications_undelivered"] == 0
    assert reconciliation["ok"]

    queues = json.loads((tmp_path / "fairness.json").read_text())
    compared = 0
    for queue, entries in queues.items():
        # In order as the reconciliation judges it: within the access log's resolution.
        assert out_of_order(entries) == 0, f"queue {queue} is not in arrival order"
        assert len({app_id for app_id, _ in entries}) == len(entries), f"queue {queue} repeats an application"
        compared += sum(arrival is not None for _, arrival in entries)
    assert compared >= 30
    assert outcome["fairness"]["ok"]
    assert run.returncode == 0, run.stdout[-3000:]


def test_arrivals_rise_steeply_then_decay():
    moments = arrivals(20_000, 180, random.Random(1))
    assert moments == sorted(moments) and moments[0] >= 0 and moments[-1] <= 180
    per_10s = Counter(int(m // 10) for m in moments)
    assert sum(m < 60 for m in moments) > 0.6 * len(moments)
    assert per_10s[0] > per_10s[5] > per_10s[17]


def _results(*accepted: tuple[str, str]) -> Results:
    results = Results()
    for app_id, queue in accepted:
        results.accepted[f"key-{app_id}"] = {"id": app_id, "queue": queue}
    return results


def test_a_queue_is_in_order_within_the_access_logs_millisecond_but_not_beyond():
    # Two requests a millisecond apart may be logged in either order.
    assert out_of_order([["a", 10.001], ["b", 10.0], ["c", None], ["d", 10.002]]) == 0
    assert out_of_order([["a", 10.0], ["b", 10.0], ["c", 10.001]]) == 0
    # Beyond it, an inversion counts, also past an entry without an arrival.
    assert out_of_order([["a", 10.005], ["b", 10.0]]) == 1
    assert out_of_order([["a", 10.5], ["b", None], ["c", 10.0], ["d", 10.6]]) == 1


def test_fairness_holds_only_for_queues_in_arrival_order():
    results = _results(("a", "q1"), ("b", "q1"), ("c", "q1"), ("d", "q2"))
    in_order = {"q1": [["a", 10.0], ["b", None], ["c", 10.5]], "q2": [["d", 3.0]]}
    assert fairness(in_order, results)["ok"]
    # Within the log's millisecond resolution either order is fair.
    assert fairness({**in_order, "q1": [["a", 10.001], ["b", 10.0], ["c", 10.5]]}, results)["ok"]

    swapped = fairness({**in_order, "q1": [["c", 10.5], ["a", 10.0], ["b", None]]}, results)
    assert not swapped["ok"] and swapped["out_of_order"] == 1
    missing = fairness({**in_order, "q1": [["a", 10.0], ["c", 10.5]]}, results)
    assert not missing["ok"] and missing["incomplete_queues"] == ["q1"]
    repeated = fairness({**in_order, "q2": [["d", 3.0], ["d", 3.0]]}, results)
    assert not repeated["ok"]
