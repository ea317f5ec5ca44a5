"""The RQ worker with the app: `flask worker [--burst]`.

We keep RQ's default forking Worker: each job runs in a fresh work horse process, so a crashed or
SIGKILLed job cannot take the worker down and the WORKER_LOST path is what really happens in production.
The horse inherits the CLI's app context; the SQLAlchemy pool inherited from the parent is dropped in the
child (dispose(close=False)) so parent and child never share a MySQL connection."""

from __future__ import annotations

import socket
import uuid

from flask import Flask
from rq import Worker

from webapp.extensions import db, get_redis
from webapp.runs.queue import get_queue


class AppWorker(Worker):
    def main_work_horse(self, job, queue):
        db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def worker_queues(names: tuple[str, ...] = ("default",)) -> list:
    return [get_queue(name) for name in names]


def run_worker(app: Flask, *, burst: bool = False, name: str | None = None, with_scheduler: bool = True) -> bool:
    """Run a worker on the app's queues until stopped (or until the queues are empty with `burst`).
    The RQ scheduler thread moves retries scheduled with an interval back into the queue."""
    with app.app_context():
        db.engine.dispose()  # no connection opened before the fork is handed down to work horses
        worker = AppWorker(worker_queues(), connection=get_redis(),
                           name=name or f"gmv-{socket.gethostname()}-{uuid.uuid4().hex[:8]}")
        return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")
