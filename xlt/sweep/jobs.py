"""Sweeps as Ray Jobs: submit to a cluster's job server, follow status and logs by sweep name.

The job carries the sweep file (its `working_dir`) and the xlt package (`py_modules`); the
cluster's nodes provide the heavy dependencies (torch, ray, transformers), installed by the
cluster configs' setup commands or image.
"""

import shlex
import shutil
import tempfile
import time
from pathlib import Path

import xlt
from xlt.config import SweepConfig

AGENT_WAIT_S = 60  # how long to wait for a fresh head's job agent


def _client(address: str):
    from ray.job_submission import JobSubmissionClient

    return JobSubmissionClient(address)


def submit(cfg: SweepConfig, sweep_file: Path, overrides: list[str], address: str, python: str = "python") -> str:
    """Submit `xlt sweep run` as a Ray Job; returns its submission id (`xlt-<name>-<time>`)."""
    staging = Path(tempfile.mkdtemp(prefix="xlt-job-"))
    shutil.copy(sweep_file, staging / "sweep.yaml")
    args = " ".join(shlex.quote(o) for o in overrides)
    submission_id = f"xlt-{cfg.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    client = _client(address)
    for attempt in range(AGENT_WAIT_S // 2):
        try:
            client.submit_job(
                entrypoint=f"{shlex.quote(python)} -m xlt.cli sweep run sweep.yaml {args}".strip(),
                submission_id=submission_id,
                # the job's driver joins the cluster as the cluster is set up (its token auth included)
                runtime_env={"working_dir": str(staging), "py_modules": [str(Path(xlt.__file__).parent)]},
                metadata={"xlt_sweep": cfg.name},
            )
            return submission_id
        except RuntimeError as err:  # a head that has just started has no job agent yet
            if "No available agent" not in str(err) or attempt == AGENT_WAIT_S // 2 - 1:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def latest_job(name: str, address: str):
    """The most recent job of sweep `name` (a submission id is also accepted)."""
    jobs = [j for j in _client(address).list_jobs()
            if j.submission_id == name or (j.submission_id or "").startswith(f"xlt-{name}-")]
    if not jobs:
        raise LookupError(f"no job of sweep {name!r} on {address}")
    return max(jobs, key=lambda j: j.start_time or 0)


def status(name: str, address: str) -> tuple[str, str]:
    job = latest_job(name, address)
    return job.submission_id, str(job.status.value if hasattr(job.status, "value") else job.status)


def logs(name: str, address: str) -> str:
    job = latest_job(name, address)
    return _client(address).get_job_logs(job.submission_id)
