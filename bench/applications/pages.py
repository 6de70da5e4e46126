"""Officer inbox and citizen cabinet with a million applications, as a ratio to a bare view.

    .venv/bin/python -m bench.applications.pages [--rows 1000000] [--requests 400] [--keep-db]
    .venv/bin/python -m bench.applications.pages --reuse-db NAME   # skip the load

Loads the applications in one INSERT … SELECT generate_series: every agency and district,
every state of the standard review workflow, 20,000 applicants, over 400 days; the demo
receiver Xolmatova Nodira (maktabgacha, Tashkent city) has 50,000 in her scope and the demo
citizen Karimov Jasur 30. Then renders each page ``--in-process-requests`` times one at a
time in this process (queries, time without queueing, time in queries) and measures p50/p95
of /office/applications/ and /cabinet/applications/ through gunicorn, interleaved with the
bare view, bounded by ``--requests`` and ``--max-seconds``. Results go to
bench/results/applications-pages.json. The database is dropped unless kept or reused.
"""

import argparse
import asyncio
import json
import os
import sys
import time

from bench.applications.common import ROOT, drive, environment, gunicorn

OFFICER, CITIZEN = "41702832630400", "31403882630011"  # Xolmatova Nodira, Karimov Jasur
SCOPE = "1726"  # her appointment: Tashkent city
IN_SCOPE, CITIZEN_ROWS, APPLICANTS = 50_000, 30, 20_000
# The most the applications tests allow (test_pages_office, test_pages_citizen), plus, for
# the cabinet, the count its 30 rows need for the pager (the test's fit on one page).
QUERY_CAPS = {"inbox": 26, "cabinet": 12}

LOAD = """
INSERT INTO identity_account (id, password, is_superuser, username, phone, email, language, is_active,
    is_staff, created_at, failed_sign_ins, notify_email, notify_in_app, notify_sms, totp_last_step,
    totp_secret)
SELECT gen_random_uuid(), '!', false, 'bench' || g, '', '', 'uz', true, false, now(), 0, false, true, false,
    0, ''
FROM generate_series(1, %(applicants)s) g;

WITH states AS (
    SELECT array_agg(e->>'code' ORDER BY i) AS codes,
        array_agg(coalesce((e->>'terminal')::boolean, false) ORDER BY i) AS terminals
    FROM applications_workflow w JOIN applications_workflowversion v ON v.id = w.current_version_id,
        jsonb_array_elements(v.definition->'states') WITH ORDINALITY AS x(e, i)
    WHERE w.name = 'standard-review'
), areas AS (
    SELECT array_agg(code ORDER BY code) AS districts,
        array_agg(code ORDER BY code) FILTER (WHERE code LIKE %(scope)s || '%%') AS scope
    FROM reference_area WHERE level = 'district'
), agencies AS (
    SELECT array_agg(code ORDER BY code) AS codes FROM reference_agency WHERE code <> 'maktabgacha'
), accounts AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM identity_account WHERE username LIKE 'bench%%'
), rows AS (
    SELECT g,
        CASE WHEN g <= %(in_scope)s THEN 'maktabgacha'
             ELSE agencies.codes[g %% cardinality(agencies.codes) + 1] END AS agency,
        CASE WHEN g <= %(in_scope)s THEN areas.scope[g %% cardinality(areas.scope) + 1]
             ELSE areas.districts[g %% cardinality(areas.districts) + 1] END AS area,
        CASE WHEN g > %(in_scope)s AND g <= %(in_scope)s + %(citizen_rows)s
             THEN (SELECT id FROM identity_account WHERE username = %(citizen)s)
             ELSE accounts.ids[g %% cardinality(accounts.ids) + 1] END AS applicant,
        now() - make_interval(secs => (g * 34.56)::int %% (400 * 86400)) AS at,
        states.codes[g %% cardinality(states.codes) + 1] AS state,
        states.terminals[g %% cardinality(states.codes) + 1] AS terminal
    FROM generate_series(1, %(rows)s) g, states, areas, agencies, accounts
)
INSERT INTO applications_application (id, number, tracking_code, service_code, service_version,
    service_title, form_name, form_version, workflow_name, workflow_version, applicant_account_id,
    submitted_by_id, party_kind, party_ref, subject_person_id, channel, centre_code, agency_code,
    area_code, state, state_entered_at, state_due, terminal, submitted_at, deadline, paused_days,
    decision_code, decision_reason, decision_text, decision_details, result_document_id, data, documents,
    idempotency_key, request_hash, version, updated_at, arrived_at)
SELECT gen_random_uuid(), lpad((g %% 100)::text, 2, '0') || '-' || left(area, 4) || '-'
        || lpad((g / 100)::text, 6, '0'),
    'B' || lpad(g::text, 9, '0'), 'bench-service', 1,
    '{"uz": "Ariza", "uz_cyrl": "Ариза", "ru": "Заявление", "en": "Application"}', 'bench-form', 1,
    'standard-review', 1, applicant, applicant, 'self', '', '', 'online', '', agency, area,
    state, at, CASE WHEN terminal THEN NULL ELSE at::date + 5 END, terminal, at,
    at::date + 15, 0, '', '', '', '{}', '', '{}', '{}', 'bench-' || g, '', 1, at, at
FROM rows;
"""


def load(rows: int) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            LOAD,
            {
                "rows": rows,
                "applicants": APPLICANTS,
                "in_scope": IN_SCOPE,
                "citizen_rows": CITIZEN_ROWS,
                "citizen": CITIZEN,
                "scope": SCOPE,
            },
        )
        # As autovacuum does soon after a bulk insert: VACUUM sets the visibility map, so the
        # inbox counts read their index alone.
        cursor.execute("VACUUM ANALYZE")
    return round(time.perf_counter() - started, 1)


def sessions() -> dict[str, str]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from darcha.modules.identity import api as identity

    cookies = {}
    for name, username in (("inbox", OFFICER), ("cabinet", CITIZEN)):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        if name == "inbox":
            session = client.session
            session[identity.SESSION_SECOND_FACTOR] = "totp"
            session.save()
        cookies[name] = client.cookies["sessionid"].value
    return cookies


def in_process(cookies: dict[str, str], paths: dict[str, str], repeat: int) -> dict[str, dict]:
    """Each page rendered in this process, one request at a time over the loaded database: its
    queries on the first (cold caches) and later requests, and the time of a request and of its
    queries without queueing behind other clients."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.applications.common import percentiles

    report = {}
    for name, path in paths.items():
        client = Client()
        client.cookies["sessionid"] = cookies[name]
        counts, seconds, db_seconds = [], [], []
        for _ in range(repeat + 1):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, f"{path} answered {response.status_code}"
            counts.append(len(queries.captured_queries))
            db_seconds.append(sum(float(q["time"]) for q in queries.captured_queries))
        assert counts[-1] <= QUERY_CAPS[name], f"{path} made {counts[-1]} queries"
        report[name] = {
            "queries_cold": counts[0],
            "queries": counts[-1],
            "request_ms": percentiles(seconds[1:]),
            "db_ms": percentiles(db_seconds[1:]),
        }
    return report


async def measure(base: str, paths: dict[str, str], cookies: dict[str, str], args) -> dict:
    import httpx

    results: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for name, path in paths.items():  # warm every worker's caches
            for _ in range(args.concurrency * 2):
                await client.get(path, headers={"Cookie": f"sessionid={cookies.get(name, '')}"})
        for _ in range(args.rounds):
            for name, path in paths.items():
                headers = {"Cookie": f"sessionid={cookies.get(name, '')}"}

                async def get(w: int, i: int, name=name, path=path, headers=headers) -> bool:
                    client.cookies.clear()
                    response = await client.get(path, headers=headers)
                    # A page that lost its content (a redirect to sign in, an error page) does not count.
                    return response.status_code == 200 and (name == "bare" or b"<main" in response.content)

                run = await drive(
                    get,
                    count=args.requests // args.rounds,
                    concurrency=args.concurrency,
                    max_seconds=args.max_seconds,
                )
                results.setdefault(name, []).append(run)
    best = {name: min(runs, key=lambda r: r["latency_ms"]["p95"]) for name, runs in results.items()}
    return best


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400, help="requests per page")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--in-process-requests", type=int, default=20, help="sequential, per page")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60, help="time cap per page and round")
    parser.add_argument("--web-workers", type=int, default=os.cpu_count() or 2)  # one a core
    parser.add_argument("--reuse-db", metavar="NAME", help="a database loaded by an earlier --keep-db run")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    name = args.reuse_db or f"darcha_bench_pages_{os.getpid()}"
    report: dict = {
        "database": "postgresql",
        "web_workers": args.web_workers,
        "concurrency": args.concurrency,
    }
    with environment(name, create=not args.reuse_db, drop=not (args.reuse_db or args.keep_db)):
        from django.db import connection

        if not args.reuse_db:
            report["load_seconds"] = load(args.rows)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM applications_application")
            report["applications"] = cursor.fetchone()[0]
        cookies = sessions()
        paths = {"bare": "/bench/bare", "inbox": "/office/applications/", "cabinet": "/cabinet/applications/"}
        report["in_process"] = in_process(
            cookies, {k: v for k, v in paths.items() if k != "bare"}, args.in_process_requests
        )
        connection.close()
        with gunicorn(args.web_workers) as base:
            best = asyncio.run(measure(base, paths, cookies, args))
    report["pages"] = best
    bare = best["bare"]["latency_ms"]
    report["p95_vs_bare"] = {
        k: round(r["latency_ms"]["p95"] / max(bare["p95"], 0.1), 1) for k, r in best.items()
    }
    print(json.dumps(report, indent=2))
    if args.keep_db and not args.reuse_db:
        print(
            f"kept database {name}: rerun with --reuse-db {name}, then dropdb -h 127.0.0.1 -U postgres {name}"
        )
    for page in ("inbox", "cabinet"):
        lat, alone = best[page]["latency_ms"], report["in_process"][page]
        print(
            f"{page}: p50 {lat['p50']} ms, p95 {lat['p95']} ms "
            f"({report['p95_vs_bare'][page]}x the bare view), "
            f"{alone['queries']} queries ({alone['queries_cold']} cold); one at a time in process "
            f"p95 {alone['request_ms']['p95']} ms, of which queries {alone['db_ms']['p95']} ms"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "applications-pages.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
