"""RQ plumbing: queue names, deterministic job ids, enqueue. The run row is the truth; the job only
carries the run id."""

from __future__ import annotations

from flask import current_app
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

from webapp.extensions import get_redis

JOB_FUNC = "webapp.runs.jobs.execute_run"
# Results are not used (the run row holds them); failed jobs are kept a day for debugging.
RESULT_TTL_SECONDS = 3600
FAILURE_TTL_SECONDS = 86400


def queue_name(default_queue: str = "default") -> str:
    return f"{current_app.config['RQ_QUEUE']}-{default_queue}"


def lock_prefix() -> str:
    return current_app.config["RQ_QUEUE"]


def get_queue(default_queue: str = "default") -> Queue:
    return Queue(queue_name(default_queue), connection=get_redis())


def job_id_for(run_id: int) -> str:
    # Prefixed like the queues, so two installations sharing one Redis database never share job ids.
    return f"{current_app.config['RQ_QUEUE']}-run-{run_id}"


def fetch_job(job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=get_redis())
    except NoSuchJobError:
        return None


def enqueue_run(run_id: int, *, default_queue: str, timeout_seconds: int, description: str = "") -> str:
    """Enqueue the job of a run. Re-enqueueing replaces a leftover job with the same id."""
    job_id = job_id_for(run_id)
    old = fetch_job(job_id)
    if old is not None:
        old.delete()
    get_queue(default_queue).enqueue(
        JOB_FUNC, run_id, job_id=job_id, job_timeout=timeout_seconds, result_ttl=RESULT_TTL_SECONDS,
        failure_ttl=FAILURE_TTL_SECONDS, description=description or f"run {run_id}",
    )
    return job_id
