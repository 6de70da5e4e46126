"""Submission throughput and latency through HTTP on PostgreSQL, as a ratio to raw INSERTs.

    .venv/bin/python -m bench.applications.submit [--requests 3000] [--concurrency 32]

Creates a fresh database on 127.0.0.1 (migrated, demo data) and, unless ``--no-redis``, a
throw-away Redis for the cache and sessions as in production; signs in ``--applicants``
generated citizens of several regions, starts gunicorn and submits a criminal record
certificate application (standard review) through ``POST /api/v1/applications`` with an
Idempotency-Key:

- plain: one request, the ID card given as an already uploaded small document;
- attachment: a draft, a fresh 200 KB PNG uploaded to it, then the submission (three
  requests, timed together as one submission);
- raw: the rows the plain submission writes (the number counter upsert, the application, its
  timeline entry, the outbox event and its deliveries), inserted with psycopg, one
  transaction each.

Every phase is bounded by ``--requests`` and ``--max-seconds``. Results go to
bench/results/applications-submit.json; the database is dropped at the end.
"""

import argparse
import asyncio
import io
import json
import os
import secrets
import sys
import uuid
from contextlib import nullcontext
from datetime import date

from bench.applications.client import Client, Response, multipart
from bench.applications.common import ROOT, CpuMeter, drive, environment, gunicorn, redis_server

SERVICE = "criminal-record-certificate"
DATA = {"purpose": "employment", "certificate_language": "uz"}
# District SOATO codes in four regions, so submissions take numbers from four counters.
DISTRICTS = ["1726294", "1726266", "1718401", "1703401"]


def png(size_bytes: int) -> bytes:
    """A real PNG of noise (it does not compress), about ``size_bytes`` long."""
    from PIL import Image

    side = int((size_bytes / 3) ** 0.5)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def applicants(count: int) -> list[dict]:
    """Verified citizens with accounts, signed in; each with a small ID card scan uploaded."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from darcha.modules.documents import api as documents

    person_model = apps.get_model("identity", "Person")
    now = timezone.now()
    small = png(2_000)
    people = []
    for n in range(count):
        pinfl = f"5{n:013d}"
        account = get_user_model().objects.create(
            username=pinfl, phone=f"+99890{n:07d}", phone_confirmed_at=now
        )
        person_model.objects.create(
            pinfl=pinfl,
            birth_date=date(1990, 1, 1),
            sex="M",
            surname="Bench",
            given_name=f"N{n}",
            address_area=DISTRICTS[n % len(DISTRICTS)],
            address_line="-",
            verified_at=now,
            account=account,
        )
        client = Client()
        client.force_login(account)
        upload = io.BytesIO(small)
        upload.name = "id.png"
        card = documents.document_intake(
            upload=upload, owner_id=str(account.pk), max_bytes=1024 * 1024, purpose="application:id-card"
        )
        people.append({"session": client.cookies["sessionid"].value, "card": card.id})
    return people


def inserts_per_table() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins FROM pg_stat_user_tables")
        return dict(cursor.fetchall())


async def http_phase(base: str, people: list[dict], args, attachment: bytes | None) -> dict:
    csrf = secrets.token_hex(16)  # an unmasked 32-character CSRF secret, sent as cookie and header
    client = Client(base, timeout=30)
    statuses: dict[int, int] = {}

    async def post(person, url, *, headers=None, **kw) -> Response:
        headers = {
            "Cookie": f"sessionid={person['session']}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Referer": base + "/",
            **(headers or {}),
        }
        response = await client.post(url, headers=headers, **kw)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        return response

    async def submit(w: int, i: int) -> bool:
        person = people[i % len(people)]
        body: dict = {"service": SERVICE, "data": DATA, "documents": {"id-card": [person["card"]]}}
        if attachment is not None:
            draft = await post(
                person, "/api/v1/applications/drafts", json_body={"service": SERVICE, "data": DATA}
            )
            if draft.status_code != 201:
                return False
            draft_id = draft.json()["id"]
            upload, content_type = multipart(
                {"code": "id-card"}, {"file": ("id-card.png", attachment, "image/png")}
            )
            uploaded = await post(
                person,
                f"/api/v1/applications/drafts/{draft_id}/documents",
                body=upload,
                content_type=content_type,
            )
            if uploaded.status_code != 201:
                return False
            body = {"draft_id": draft_id}
        response = await post(
            person, "/api/v1/applications", json_body=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        return response.status_code == 201

    result = await drive(
        submit, count=args.requests, concurrency=args.concurrency, max_seconds=args.max_seconds
    )
    return {**result, "statuses": statuses}


async def raw_phase(database_url: str, args) -> dict:
    """The plain submission's own rows, copied from one it made, inserted with plain SQL."""
    import psycopg
    from psycopg.rows import dict_row
    from psycopg.types.json import Jsonb

    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn:
        application = await (await conn.execute("SELECT * FROM applications_application LIMIT 1")).fetchone()
        entry = await (
            await conn.execute(
                "SELECT * FROM applications_timelineentry WHERE application_id = %s", [application["id"]]
            )
        ).fetchone()
        event = await (
            await conn.execute(
                "SELECT * FROM events_outboxevent WHERE payload->>'application_id' = %s",
                [str(application["id"])],
            )
        ).fetchone()
        deliveries = await (
            await conn.execute("SELECT * FROM events_delivery WHERE event_id = %s", [event["id"]])
        ).fetchall()
    entry.pop("id")
    for delivery in deliveries:
        delivery.pop("id")

    def insert(table: str, *rows: dict) -> tuple[str, list]:
        """One INSERT of ``rows`` (as Django's bulk_create writes the deliveries)."""
        values = [Jsonb(v) if isinstance(v, dict | list) else v for row in rows for v in row.values()]
        one = f"({', '.join(['%s'] * len(rows[0]))})"
        return f"INSERT INTO {table} ({', '.join(rows[0])}) VALUES {', '.join([one] * len(rows))}", values

    connections = [await psycopg.AsyncConnection.connect(database_url) for _ in range(args.concurrency)]

    async def one(w: int, i: int) -> bool:
        conn = connections[w]
        region = DISTRICTS[i % len(DISTRICTS)][:4]
        async with conn.transaction():
            cursor = await conn.execute(
                "INSERT INTO applications_numbercounter (year, region, last) VALUES (99, %s, 1) "
                "ON CONFLICT (year, region) DO UPDATE SET last = applications_numbercounter.last + 1 "
                "RETURNING last",
                [region],
            )
            (sequence,) = await cursor.fetchone()
            app_id = uuid.uuid4()
            row = {
                **application,
                "id": app_id,
                "number": f"99-{region}-{sequence:06d}",
                "tracking_code": f"R{i:09d}",
                "idempotency_key": f"raw-{app_id.hex}",
                "area_code": DISTRICTS[i % len(DISTRICTS)],
            }
            await conn.execute(*insert("applications_application", row))
            await conn.execute(*insert("applications_timelineentry", {**entry, "application_id": app_id}))
            event_id = uuid.uuid4()
            payload = {**event["payload"], "application_id": str(app_id), "number": row["number"]}
            await conn.execute(*insert("events_outboxevent", {**event, "id": event_id, "payload": payload}))
            await conn.execute(*insert("events_delivery", *({**d, "event_id": event_id} for d in deliveries)))
        return True

    try:
        return await drive(
            one, count=args.requests, concurrency=args.concurrency, max_seconds=args.max_seconds
        )
    finally:
        for conn in connections:
            await conn.close()


def cpu_use(phase: dict, cpu: CpuMeter) -> None:
    """CPU per submission by kind of process, and the rate the machine's cores could carry at
    that cost if nothing else ran: what bounds the throughput."""
    phase["cpu_ms_per_submission"] = cpu.per_item_ms(phase["done"])
    phase["cpu_bound_per_second"] = round(os.cpu_count() * 1000 / phase["cpu_ms_per_submission"]["all"], 1)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000, help="submissions per phase")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=90, help="time cap per phase")
    parser.add_argument("--applicants", type=int, default=200)
    # One sync worker a core: a submission is CPU-bound, and more workers than cores only add
    # switching (see docs/PERFORMANCE.md, "Submission, fifth run").
    parser.add_argument("--web-workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--web-threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--redis",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="cache and sessions in a throw-away redis-server, as in production (default)",
    )
    args = parser.parse_args()

    name = f"darcha_bench_submit_{os.getpid()}"
    with (
        redis_server() if args.redis else nullcontext("") as redis_url,
        environment(name, create=True, drop=True, redis_url=redis_url) as database_url,
    ):
        from django.db import connections

        people = applicants(args.applicants)
        attachment = png(200 * 1024)
        report = {
            "database": "postgresql",
            "web_workers": args.web_workers,
            "web_threads": args.web_threads,
            "redis": args.redis,
            "concurrency": args.concurrency,
            "requests": args.requests,
            "attachment_bytes": len(attachment),
            "service": SERVICE,
        }
        with gunicorn(args.web_workers, args.web_threads) as base:
            # Warm-up: one submission per applicant, so that each session's first request (which
            # records the session for the person's list of devices) is not measured.
            warm_up = argparse.Namespace(**{**vars(args), "requests": len(people)})
            asyncio.run(http_phase(base, people, warm_up, None))
            before = inserts_per_table()
            with CpuMeter() as cpu:
                report["plain"] = asyncio.run(http_phase(base, people, args, None))
            cpu_use(report["plain"], cpu)
            after = inserts_per_table()
            report["rows_per_plain_submission"] = {
                table: round((after[table] - before.get(table, 0)) / max(report["plain"]["done"], 1), 2)
                for table in sorted(after)
                if after[table] != before.get(table, 0)
            }
            report["attachment"] = asyncio.run(http_phase(base, people, args, attachment))
        connections.close_all()
        with CpuMeter() as cpu:
            report["raw"] = asyncio.run(raw_phase(database_url, args))
        cpu_use(report["raw"], cpu)
    raw = report["raw"]
    report["ratio_to_raw"] = {
        phase: {
            "throughput": round(raw["per_second"] / max(report[phase]["per_second"], 0.1), 1),
            "p99": round(report[phase]["latency_ms"]["p99"] / max(raw["latency_ms"]["p99"], 0.1), 1),
        }
        for phase in ("plain", "attachment")
    }
    print(json.dumps(report, indent=2))
    for phase in ("plain", "attachment", "raw"):
        r = report[phase]
        print(
            f"{phase}: {r['per_second']} submissions/s, p50/p95/p99 {r['latency_ms']} ms, "
            f"{r['failed']} failed"
            + (f"; CPU ms each {r['cpu_ms_per_submission']}" if "cpu_ms_per_submission" in r else "")
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "applications-submit.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
