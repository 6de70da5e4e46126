"""The enrollment rush scenario: the opening, the burst and three faults at fixed moments.

At fixed shares of the run (so a short run in the test suite meets the same faults as the
full one): one web process is killed with SIGKILL and started again, then one worker, then
PostgreSQL is stopped for ``down_seconds`` and started again. Each fault's window, from the
kill to the moment the process answers again, is recorded in seconds after the opening, so
that errors can be attributed to it (plus ``GRACE`` seconds while pools reconnect).
"""

import asyncio
import threading
import time
from dataclasses import asdict, dataclass

from bench.rush.load import Load, Results
from bench.rush.population import Applicant

GRACE = 3.0


@dataclass
class Fault:
    name: str
    planned_at: float  # seconds after the opening
    started: float = -1.0
    ended: float = -1.0


def fault_plan(seconds: float) -> list[Fault]:
    return [
        Fault("web process SIGKILL and restart", round(seconds * 0.20, 1)),
        Fault("worker SIGKILL and restart", round(seconds * 0.35, 1)),
        Fault("PostgreSQL restart", round(seconds * 0.50, 1)),
    ]


def in_fault(moment: float, faults: list[Fault]) -> bool:
    """Whether ``moment`` (s after the opening) falls in a fault window or its grace."""
    return any(f.started <= moment <= f.ended + GRACE for f in faults if f.started >= 0)


class Scenario:
    def __init__(self, topology, *, seconds: float, down_seconds: float = 3.0) -> None:
        self.topology = topology
        self.seconds = seconds
        self.down_seconds = down_seconds
        self.faults = fault_plan(seconds)

    def _inject(self, fault: Fault, opened_at: float) -> None:
        fault.started = time.time() - opened_at
        if fault.name.startswith("web"):
            self.topology.kill_web(0)
            self.topology.start_web(0)
        elif fault.name.startswith("worker"):
            self.topology.kill_worker(0)
            self.topology.start_worker(0)
        else:
            self.topology.restart_postgres(self.down_seconds)
        fault.ended = time.time() - opened_at

    def _inject_all(self, opened_at: float, stop: threading.Event) -> None:
        """On a thread of its own, so that a busy load generator cannot delay a fault; the
        topology's calls block until the process answers again."""
        for fault in self.faults:
            if stop.wait(max(0.0, opened_at + fault.planned_at - time.time())):
                return
            self._inject(fault, opened_at)

    async def run(self, applicants: list[Applicant], **load_options) -> Results:
        load = Load(
            self.topology.base_url, self.topology.sms_url, applicants, seconds=self.seconds, **load_options
        )
        opened_at = time.time()
        stop = threading.Event()
        injector = threading.Thread(target=self._inject_all, args=(opened_at, stop), name="faults")
        injector.start()
        try:
            return await load.run(opened_at)
        finally:
            stop.set()
            await asyncio.to_thread(injector.join)

    def windows(self) -> list[dict]:
        return [asdict(f) for f in self.faults]
