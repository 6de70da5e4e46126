"""The rush load generator: asyncio and the benchmarks' light HTTP client, bounded in
connections, requests and time.

Each applicant arrives at their moment (see ``arrivals``), then, like a parent at the
opening: signs in (only the live sample; the rest hold a session from before the
opening), opens the service's catalog page, submits the form through
``POST /api/v1/applications`` with an ``Idempotency-Key`` and polls the status once.

- ``timeout_share`` of applicants give their first submission a client timeout shorter than
  the server needs, then retry with the same key, as a phone on a weak network does;
- ``bad_share`` send bad input (an invalid PINFL, a missing field or an overlong text) and
  must be refused with a 4xx;
- every submission (with the same key) and every sign-in step is retried on a timeout, a lost
  connection, a 503 (after the ``Retry-After`` it names) or another 5xx, at most ``ATTEMPTS``
  times; the service page and the status poll are not.

Only 127.0.0.1 is accepted as the target. Every request is recorded (moment sent, latency,
kind, status, error) for the report and every outcome per key for the reconciliation.

The generator shares the two cores with the portal it measures: with httpx it took 0.5–0.8
of a core during the burst, more than the web processes, so it speaks HTTP/1.1 through
``bench.applications.client`` (a new connection per request, as to gunicorn's sync workers).
"""

import asyncio
import bisect
import itertools
import math
import random
import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from bench.applications.client import Client, ConnectionLost, Response
from bench.rush.population import PASSWORD, Applicant, code_in

ATTEMPTS = 8
SHORT_TIMEOUT = 0.05  # seconds: shorter than any submission takes, so the first try times out
TIMEOUT = 30.0
RETRY_AFTER_CAP = 3.0
CODE_POLLS = 100  # times 0.1 s: how long a live sign-in waits for its SMS code
POLL_AFTER = 0.5  # seconds between the acceptance and the status poll
BAD_KINDS = ("invalid-pinfl", "missing-field", "overlong-text")


def arrivals(count: int, seconds: float, rng: random.Random) -> list[float]:
    """Arrival moments (s after the opening), sorted: a steep first seconds' ramp, most people
    in the first minute, then an exponential decay until ``seconds``."""
    tau = max(seconds / 4, 5.0)
    steps = 4000
    grid = [seconds * i / steps for i in range(steps + 1)]
    density = [(1 - math.exp(-t / 3)) * math.exp(-t / tau) for t in grid]
    cumulative = [0.0]
    for a, b in itertools.pairwise(density):
        cumulative.append(cumulative[-1] + (a + b) / 2)
    # Inverse transform sampling: the grid step where the cumulative mass reaches a uniform draw.
    return sorted(grid[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])] for _ in range(count))


def bad_input(applicant: Applicant, kind: str) -> dict:
    """The applicant's answers spoilt in one of the BAD_KINDS ways the form must refuse."""
    data = dict(applicant.data)
    if kind == "invalid-pinfl":
        pinfl = data["child_pinfl"]
        data["child_pinfl"] = pinfl[:13] + str((int(pinfl[13]) + 1) % 10)
    elif kind == "missing-field":
        data.pop("district")
    else:
        data["birth_certificate_number"] = "I-TN " + "7" * 5000
    return data


@dataclass
class Results:
    """What the clients saw. ``requests`` rows: (sent at, seconds, kind, status, error)."""

    opened_at: float = 0.0  # time.time() at the opening instant
    requests: list[tuple[float, float, str, int, str]] = field(default_factory=list)
    accepted: dict[str, dict] = field(default_factory=dict)  # key -> application the client saw
    refused_bad: dict[str, int] = field(default_factory=dict)  # key -> status of a bad input
    bad_not_refused: dict[str, int] = field(default_factory=dict)
    refused_good: dict[str, str] = field(default_factory=dict)  # key -> status and answer
    # Keys whose outcome the client never learnt (out of attempts, or still waiting at the end).
    unknown: set[str] = field(default_factory=set)
    sign_in_seconds: list[float] = field(default_factory=list)
    # From an applicant's first press of "submit" to the acceptance, retries and waits included.
    acceptance_seconds: list[float] = field(default_factory=list)
    sign_in_failed: Counter = field(default_factory=Counter)  # step -> live sign-ins that failed there
    arrival_lag: list[float] = field(default_factory=list)  # waits for a free client slot
    applicants_started: int = 0
    stopped_by: str = ""


class Load:
    def __init__(
        self,
        base_url: str,
        sms_url: str,
        applicants: list[Applicant],
        *,
        seconds: float,
        connections: int = 128,
        max_journeys: int = 128,
        max_requests: int = 2_000_000,
        drain_seconds: float = 60.0,
        timeout_share: float = 0.10,
        bad_share: float = 0.01,
        seed: int = 5,
    ):
        for url in (base_url, sms_url):
            if urlsplit(url).hostname != "127.0.0.1":
                raise ValueError(f"the rush runs only against 127.0.0.1, not {url}")
        self.base_url, self.sms_url = base_url.rstrip("/"), sms_url.rstrip("/")
        self.applicants = applicants
        self.seconds, self.drain_seconds = seconds, drain_seconds
        self.connections, self.max_journeys, self.max_requests = connections, max_journeys, max_requests
        rng = random.Random(seed)
        self.arrivals = arrivals(len(applicants), seconds, rng)
        # Who times out on purpose and who sends bad input: fixed by the seed.
        self.short_timeout = {a.index for a in applicants if rng.random() < timeout_share}
        self.bad = {a.index: rng.choice(BAD_KINDS) for a in applicants if rng.random() < bad_share}
        self.csrf = secrets.token_hex(16)  # an unmasked CSRF secret, sent as cookie and header
        self.results = Results()
        self.sent = 0
        self.connection_slots = asyncio.Semaphore(connections)

    # --- requests ---------------------------------------------------------------------------
    def _headers(self, session: str, extra: dict | None = None) -> dict:
        cookie = f"csrftoken={self.csrf}" + (f"; sessionid={session}" if session else "")
        return {"Cookie": cookie, "X-CSRFToken": self.csrf, "Referer": self.base_url + "/", **(extra or {})}

    async def _request(
        self, client: Client, kind: str, method: str, url: str, *, timeout: float = TIMEOUT, **kw
    ) -> Response | None:
        """One recorded request; returns the response, or None after a timeout or a lost
        connection. ``kw``: ``headers`` and, for a POST, ``form`` or ``json_body``."""
        self.sent += 1
        t0 = time.time()
        status, error, response = 0, "", None
        async with self.connection_slots:
            try:
                if method == "GET":
                    response = await client.request("GET", url, timeout=timeout, **kw)
                else:
                    response = await client.post(url, timeout=timeout, **kw)
                status = response.status_code
                if status == 503 and response.headers.get("x-darcha-busy"):
                    error = "busy"  # the balancer's admission limit, not the portal
            except TimeoutError:
                error = "timeout"
            except ConnectionLost:
                error = "connection"
        self.results.requests.append((t0 - self.results.opened_at, time.time() - t0, kind, status, error))
        return response

    # --- one applicant -----------------------------------------------------------------------
    async def _answered(
        self, client: Client, kind: str, method: str, url: str, *, first_timeout=TIMEOUT, **kw
    ) -> Response | None:
        """The request, repeated as a person would after a timeout, a lost connection or a 5xx
        (a 503 after its Retry-After), at most ATTEMPTS times: the answer, or None. A first
        try with a shorter timeout is recorded as ``<kind>-short``."""
        for attempt in range(ATTEMPTS):
            early = attempt == 0 and first_timeout != TIMEOUT
            response = await self._request(
                client, f"{kind}-short" if early else kind, method, url,
                timeout=first_timeout if early else TIMEOUT, **kw,
            )  # fmt: skip
            if response is not None and response.status_code < 500:
                return response
            wait = 0.2 * (attempt + 1)
            if response is not None and response.status_code == 503:
                wait = min(float(response.headers.get("retry-after") or 1), RETRY_AFTER_CAP)
            await asyncio.sleep(wait)
        return None

    async def _sign_in(self, client: Client, applicant: Applicant) -> str:
        """The sign-in pages over HTTP: password, then the SMS code read from the gateway.
        Returns the session cookie, or "" after counting the step that failed."""
        t0 = time.time()
        page = await self._answered(client, "sign-in", "GET", "/sign-in/", headers=self._headers(""))
        if page is None or page.status_code != 200:
            self.results.sign_in_failed["page"] += 1
            return ""
        started = time.time() - 1
        form = {"identifier": applicant.pinfl, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf}
        response = await self._answered(
            client, "sign-in", "POST", "/sign-in/", headers=self._headers(""), form=form
        )
        pending = response.cookies.get("sessionid") if response is not None else None
        if response is None or response.status_code != 303 or not pending:
            self.results.sign_in_failed["password"] += 1
            return ""
        code = None
        gateway = Client(self.sms_url, timeout=5)
        for _ in range(CODE_POLLS):
            answer = await gateway.request("GET", "/messages?" + urlencode({"to": applicant.phone}))
            if code := code_in(answer.json(), started):
                break
            await asyncio.sleep(0.1)
        if code is None:
            self.results.sign_in_failed["sms code"] += 1
            return ""
        response = await self._answered(
            client,
            "sign-in",
            "POST",
            "/sign-in/code/",
            headers=self._headers(pending),
            form={"code": code, "csrfmiddlewaretoken": self.csrf},
        )
        session = response.cookies.get("sessionid") if response is not None else None
        if response is None or response.status_code != 303 or not session:
            self.results.sign_in_failed["code"] += 1
            return ""
        self.results.sign_in_seconds.append(time.time() - t0)
        return session

    async def _submit(self, client: Client, applicant: Applicant, session: str) -> dict | None:
        key = uuid.uuid4().hex
        bad = self.bad.get(applicant.index)
        body = {
            "service": applicant.service,
            "data": bad_input(applicant, bad) if bad else applicant.data,
            "documents": applicant.documents,
        }
        headers = self._headers(session, {"Idempotency-Key": key})
        short = applicant.index in self.short_timeout
        self.results.unknown.add(key)
        pressed = time.time()
        response = await self._answered(
            client,
            "bad-input" if bad else "submit",
            "POST",
            "/api/v1/applications",
            first_timeout=SHORT_TIMEOUT if short else TIMEOUT,
            json_body=body,
            headers=headers,
        )
        if response is not None:
            status = response.status_code
            self.results.unknown.discard(key)
            if bad:
                outcome = self.results.refused_bad if 400 <= status < 500 else self.results.bad_not_refused
                outcome[key] = status
                return None
            if status in (200, 201):
                self.results.acceptance_seconds.append(time.time() - pressed)
                seen = response.json()
                self.results.accepted[key] = {
                    "id": seen["id"],
                    "number": seen["number"],
                    "account_id": applicant.account_id,
                    "service": applicant.service,
                    # A kindergarten's queue; the school enrolment has none.
                    "queue": applicant.data.get("preferred_kindergarten", ""),
                    "created": status == 201,
                    "request_id": response.headers.get("x-request-id", ""),
                }
                return seen
            self.results.refused_good[key] = f"{status} {response.text[:300]}"
        return None

    async def _journey(self, client: Client, applicant: Applicant) -> None:
        session = applicant.session
        if not session:
            session = await self._sign_in(client, applicant)
            if not session:
                return
        await self._request(
            client, "page", "GET", f"/services/{applicant.service}/", headers=self._headers(session)
        )
        seen = await self._submit(client, applicant, session)
        if seen is not None:
            await asyncio.sleep(POLL_AFTER)
            await self._request(
                client, "status", "GET", f"/api/v1/applications/{seen['id']}", headers=self._headers(session)
            )

    # --- the run ----------------------------------------------------------------------------
    async def run(self, opened_at: float | None = None) -> Results:
        """Runs until every applicant arrived, the time cap or the request cap, then lets the
        journeys under way finish for up to ``drain_seconds``. The opening is ``opened_at``
        (``time.time()``; now by default)."""
        # Each request carries exactly its applicant's cookies (the client keeps none).
        slots = asyncio.Semaphore(self.max_journeys)
        tasks: set[asyncio.Task] = set()
        self.results.opened_at = opened_at or time.time()
        client = Client(self.base_url, timeout=TIMEOUT)

        async def journey(applicant: Applicant) -> None:
            try:
                await self._journey(client, applicant)
            finally:
                slots.release()

        self.results.stopped_by = "all arrived"
        for applicant, moment in zip(self.applicants, self.arrivals, strict=True):
            delay = moment - (time.time() - self.results.opened_at)
            if delay > 0:
                await asyncio.sleep(delay)
            if time.time() - self.results.opened_at >= self.seconds:
                self.results.stopped_by = "time cap"
                break
            if self.sent >= self.max_requests:
                self.results.stopped_by = "request cap"
                break
            await slots.acquire()
            self.results.arrival_lag.append(max(0.0, time.time() - self.results.opened_at - moment))
            self.results.applicants_started += 1
            task = asyncio.create_task(journey(applicant))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            done, pending = await asyncio.wait(set(tasks), timeout=self.drain_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for task in done:
                if task.exception() is not None:
                    raise task.exception()
        return self.results
