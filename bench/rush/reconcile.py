"""After the rush: does the database agree with what the clients saw, and was the queue fair?

Plain SQL with psycopg against the run's database, after the workers have drained the
outbox (``drain`` waits, bounded, until no delivery is pending and no SMS is queued):

- every submission a client saw accepted exists exactly once, with the id the client saw;
- no bad input that was refused left a row, and no bad input was accepted;
- the applications of the population are exactly the keys clients saw accepted (plus those
  whose outcome a client never learnt, reported apart);
- every accepted application's notification was delivered (the SMS is ``sent`` and the
  gateway's journal has it) or is in the dead-letter list (a dead delivery or message);
- fairness: within each kindergarten queue the application's order follows the arrival order
  nginx logged for the request that created it (``$msec``, joined by ``$request_id``).
"""

import json
import re
import time
from collections import defaultdict
from pathlib import Path

import psycopg

from bench.rush.load import Results

SUBMITTED = "applications.submitted"
MESSAGE_QUEUED = "notifications.message_queued"
STATUS_TEMPLATE = "applications.status_changed"


def drain(database_url: str, *, timeout: float) -> dict:
    """Waits until the outbox is worked off (or ``timeout``); says how it ended."""
    started = time.monotonic()
    while True:
        with psycopg.connect(database_url) as conn:
            pending = conn.execute(
                "SELECT count(*) FROM events_delivery WHERE status = 'pending'"
            ).fetchone()[0]
            queued = conn.execute(
                "SELECT count(*) FROM notifications_message WHERE status = 'queued'"
            ).fetchone()[0]
        waited = time.monotonic() - started
        if (pending == 0 and queued == 0) or waited >= timeout:
            return {
                "drained": pending == 0 and queued == 0,
                "seconds": round(waited, 1),
                "pending": pending,
                "queued_sms": queued,
            }
        time.sleep(1.0)


def gateway_message_ids(journal: Path) -> set[str]:
    """The message ids the local SMS gateway received (its journal, one JSON per line)."""
    if not journal.exists():
        return set()
    with journal.open(encoding="utf-8") as lines:
        return {json.loads(line)["message_id"] for line in lines if line.strip()}


def reconcile(database_url: str, results: Results, *, sms_journal: Path) -> dict:
    accepted = results.accepted
    keys = [*accepted, *results.refused_bad, *results.bad_not_refused, *results.unknown]
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, id::text, submitted_by_id::text FROM applications_application "
            "WHERE idempotency_key = ANY(%s)",
            [keys],
        ).fetchall()
        population_rows = conn.execute(
            "SELECT count(*), count(DISTINCT a.idempotency_key) FROM applications_application a "
            "JOIN identity_person p ON p.account_id = a.submitted_by_id WHERE p.surname = 'Rush'"
        ).fetchone()
        submitted = conn.execute(
            "SELECT e.payload->>'application_id', d.status FROM events_outboxevent e "
            "JOIN events_delivery d ON d.event_id = e.id WHERE e.type = %s",
            [SUBMITTED],
        ).fetchall()
        messages = conn.execute(
            "SELECT m.recipient_id, m.id::text, m.status FROM notifications_message m "
            "WHERE m.template = %s AND m.channel = 'sms'",
            [STATUS_TEMPLATE],
        ).fetchall()
        dead_sends = {
            message_id
            for (message_id,) in conn.execute(
                "SELECT e.payload->>'message_id' FROM events_outboxevent e "
                "JOIN events_delivery d ON d.event_id = e.id WHERE e.type = %s AND d.status = 'dead'",
                [MESSAGE_QUEUED],
            )
        }
    by_key = defaultdict(list)
    for key, app_id, account_id in rows:
        by_key[key].append((app_id, account_id))
    missing = [k for k in accepted if not by_key.get(k)]
    duplicated = [k for k in accepted if len(by_key.get(k, ())) > 1]
    mismatched = [
        k for k, seen in accepted.items() if len(by_key.get(k, ())) == 1 and by_key[k][0][0] != seen["id"]
    ]
    bad_rows = [k for k in (*results.refused_bad, *results.bad_not_refused) if by_key.get(k)]
    unknown_with_row = [k for k in results.unknown if by_key.get(k)]

    deliveries = defaultdict(set)
    for app_id, status in submitted:
        deliveries[app_id].add(status)
    sms = {recipient: (message_id, status) for recipient, message_id, status in messages}
    received = gateway_message_ids(sms_journal)
    delivered = dead_lettered = 0
    undelivered: list[str] = []
    for seen in accepted.values():
        statuses = deliveries.get(seen["id"], set())
        message_id, message_status = sms.get(seen["account_id"], ("", ""))
        if "dead" in statuses or message_status == "dead" or message_id in dead_sends:
            dead_lettered += 1
        elif statuses == {"done"} and message_status in ("sent", "delivered") and message_id in received:
            delivered += 1
        else:
            undelivered.append(seen["id"])
    total, distinct = population_rows
    expected_rows = len(accepted) + len(unknown_with_row)
    report = {
        "accepted_keys": len(accepted),
        "accepted_created_here": sum(1 for s in accepted.values() if s["created"]),
        "accepted_on_retry_replay": sum(1 for s in accepted.values() if not s["created"]),
        "missing": len(missing),
        "duplicated": len(duplicated),
        "id_mismatch": len(mismatched),
        "bad_inputs_refused": len(results.refused_bad),
        "bad_inputs_accepted": len(results.bad_not_refused),
        "bad_inputs_with_rows": len(bad_rows),
        "unknown_outcome_keys": len(results.unknown),
        "unknown_outcome_with_row": len(unknown_with_row),
        "good_submissions_refused": len(results.refused_good),
        "population_applications": total,
        "population_distinct_keys": distinct,
        "rows_equal_keys": total == distinct == expected_rows,
        "notifications_delivered": delivered,
        "notifications_dead_lettered": dead_lettered,
        "notifications_undelivered": len(undelivered),
        "examples": {"missing": missing[:5], "duplicated": duplicated[:5], "undelivered": undelivered[:5]},
    }
    report["ok"] = (
        not missing
        and not duplicated
        and not mismatched
        and not bad_rows
        and not results.bad_not_refused
        and report["rows_equal_keys"]
        and not undelivered
    )
    return report


# One line of nginx's "rush" log format: $msec $request_id $status "$request" … request_time=…
ACCESS_LINE = re.compile(
    r'^(?P<msec>\d+\.\d+) (?P<request_id>[0-9a-f]+) (?P<status>\d+) "(?P<request>[^"]*)"'
    r".* request_time=(?P<request_time>\d+\.\d+)"
)
# $msec and $request_time are both logged to the millisecond, so an arrival derived from
# them is within a millisecond either way: closer arrivals are not told apart.
RESOLUTION = 0.002


def nginx_arrivals(logs: Path) -> dict[str, float]:
    """request id -> the moment nginx received it, for every submission nginx logged.

    nginx writes $msec when it logs, at the end of the request; the arrival is that moment
    less $request_time (the time since it read the request's first bytes), rounded to the
    log's millisecond so that two requests of the same millisecond compare as equal rather
    than by the noise of the float subtraction."""
    arrivals = {}
    with (logs / "nginx-access.log").open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            found = ACCESS_LINE.match(line)
            if found and found["request"].startswith("POST /api/v1/applications "):
                arrivals[found["request_id"]] = round(float(found["msec"]) - float(found["request_time"]), 3)
    return arrivals


def kindergarten_queues(queue_order: dict[str, list[str]], results: Results, logs: Path) -> dict[str, list]:
    """Each kindergarten queue in the portal's order, as [application id, nginx arrival or
    None] pairs. The arrival is known where a client saw the 201 that created the
    application (its X-Request-Id); an application made by a request whose answer the client
    never got (a deliberate timeout, then a replayed 200) has None."""
    arrivals = nginx_arrivals(logs)
    created_by = {seen["id"]: seen["request_id"] for seen in results.accepted.values() if seen["created"]}
    return {
        queue: [[app_id, arrivals.get(created_by.get(app_id, ""))] for app_id in ids]
        for queue, ids in queue_order.items()
    }


def out_of_order(entries: list) -> int:
    """How many of a queue's [application id, nginx arrival or None] entries (in the portal's
    order) nginx saw arrive before one placed ahead of them. Arrivals closer than the log's
    resolution may come in either order: the portal breaks ties by itself, deterministically."""
    count, last = 0, 0.0
    for _app_id, arrival in entries:
        if arrival is None:
            continue
        if arrival < last - RESOLUTION:
            count += 1
        last = max(last, arrival)
    return count


def fairness(queues: dict[str, list], results: Results) -> dict:
    """Whether every queue's order follows nginx's arrival order (``out_of_order``) and holds
    every accepted application for it, once."""
    expected = defaultdict(set)
    for seen in results.accepted.values():
        if seen["queue"]:
            expected[seen["queue"]].add(seen["id"])
    inversions, compared, incomplete = 0, 0, []
    for queue, entries in queues.items():
        inversions += out_of_order(entries)
        compared += sum(arrival is not None for _, arrival in entries)
        if len(entries) != len({a for a, _ in entries}) or not expected[queue] <= {a for a, _ in entries}:
            incomplete.append(queue)
    incomplete += [q for q in expected if q not in queues]
    return {
        "queues": len(queues),
        "compared": compared,
        "without_arrival": sum(1 for entries in queues.values() for _, arrival in entries if arrival is None),
        "out_of_order": inversions,
        "incomplete_queues": incomplete[:10],
        "ok": inversions == 0 and not incomplete and compared > 0,
    }
