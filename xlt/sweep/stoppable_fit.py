"""A trial's Ray Train run that ends when Tune stops the trial, so the trial's process can run the next.

Tune stops a trial (ASHA, the screen) by not asking its function for another result: the
function's `tune.report` raises SystemExit once Tune ends the trial or hands its process to the
next trial (ray.tune's FunctionTrainable.reset_config, which waits TUNE_FUNCTION_THREAD_TIMEOUT_S
for the function's thread and otherwise fails the next trial). Ray's TuneReportCallback reports a
run's results to Tune from the run's controller, so the trial's function sits inside `fit()`,
never sees that stop, and its process could not be reused.

Here `fit()` runs in a thread of its own. The run's controller puts each scored report, with its
own actor handle, on a one-deep queue (a mailbox of the sweep's actor, xlt.sweep.mailboxes);
the trial's function reports them to Tune itself. When Tune stops
the trial, that `tune.report` raises SystemExit: the function aborts the run through its
controller (`abort`: its workers shut down, their placement group removed), waits for `fit()` to
end, and ends. Tune's stop of a process it does not keep waits for that (`EndsRunsOnStop`).

Between Tune's decision and that SystemExit, a stopped trial whose process Tune keeps for the next
trial runs on until the next trial is staged (Tune's actor cache), for at most three more reports:
the queue holds one, the controller waits to put the next, and a worker's report slot holds one
more before the worker waits. A trial Tune stops when it is not inside `tune.report` (the sweep
interrupted) ends with its process, as before. docs/reliability.md "Trial processes".
"""

import logging
import os
import threading
import time
from queue import Empty
from typing import Any, Callable

log = logging.getLogger(__name__)

POLL_S = 1.0        # how often the trial's thread looks whether fit() ended without its end-of-run marker
STOP_WAIT_S = 20.0  # how long a stopped trial waits for its run's abort and fit()'s end, together
# Tune's wait for a reused process's previous thread (Ray's default: 2 s), read in this process when
# Tune hands it the next trial: it must outlast STOP_WAIT_S. The environment's value wins.
THREAD_TIMEOUT_S = "30"

_END = "end"  # the marker fit()'s thread puts on the queue after the run's last report

_runs = threading.Condition()  # guards _active: the runs in this process, between fit() and its end
_active = 0


class EndsRunsOnStop:
    """A mixin for the trial's Tune trainable (Tune's `__mixins__` on the trial function): when Tune
    stops the trial and ends its process, its stop waits until the run the stop ended has aborted
    (`fit_reporting_to_tune`). Without the wait the process ends first and takes its run's
    controller with it, mid-abort, and the run's placement group stays held (see `abort`)."""

    def cleanup(self):
        super().cleanup()  # Tune's own: ends the trial's thread at its `tune.report`
        with _runs:
            if not _runs.wait_for(lambda: _active == 0, timeout=STOP_WAIT_S + 5):
                log.warning("a stopped trial's Ray Train run was still running when Tune ended its process")


def report_queue():
    """The queue a run's controller puts its scored reports on: a mailbox of the sweep's actor, one
    item deep (the controller waits until the trial took the last report, as Ray's
    TuneReportCallback does)."""
    import uuid

    from xlt.sweep.mailboxes import Mailbox
    from xlt.sweep.sweep_actor import sweep_actor

    return Mailbox(sweep_actor(), f"reports-{uuid.uuid4().hex}")


def forward_scored_reports(queue, view: Callable[[dict], dict] | None):
    """The Train callback, run in the controller, that puts each report carrying the objective on
    `queue` (through `view` for a replicate), with the controller's handle. Optuna reads `objective`
    from every result it is given, so reports without one stay in the run."""
    import ray
    from ray.train import UserCallback

    class ForwardScoredReports(UserCallback):
        def after_report(self, run_context, metrics, checkpoint):
            if "objective" in metrics[0]:
                shown = view(metrics[0]) if view is not None else dict(metrics[0])
                queue.put((ray.get_runtime_context().current_actor, shown))

    return ForwardScoredReports()


def fit_reporting_to_tune(trainer, queue) -> dict[str, Any]:
    """`trainer.fit()`, its scored reports (from `forward_scored_reports` on `queue`) reported to
    Tune from this thread, the trial's; returns the run's last metrics and raises what `fit()`
    raised. When Tune stops the trial, aborts the run and re-raises Tune's SystemExit."""
    from ray import tune

    global _active
    os.environ.setdefault("TUNE_FUNCTION_THREAD_TIMEOUT_S", THREAD_TIMEOUT_S)
    outcome: dict[str, Any] = {}

    def fit() -> None:
        try:
            outcome["result"] = trainer.fit()
        except BaseException as err:  # noqa: BLE001 - handed to the trial's thread, which raises it
            outcome["error"] = err
        queue.put(_END)

    runner = threading.Thread(target=fit, name="xlt-train-fit", daemon=True)
    with _runs:
        _active += 1
    runner.start()
    controller = None
    try:
        while True:
            try:
                item = queue.get(timeout=POLL_S)
            except Empty:
                if runner.is_alive():
                    continue
                break  # fit() ended and its marker never came (the queue failed): its outcome says why
            if item == _END:
                break
            controller, metrics = item
            tune.report(metrics)
        runner.join()
    except BaseException:  # SystemExit: Tune stopped the trial; whatever it is, the run must not outlive it
        _stop(controller, runner, queue)
        raise
    finally:
        with _runs:  # first: a close that fails (the sweep's actor gone) must not leave this run counted
            _active -= 1
            _runs.notify_all()
        if not runner.is_alive():
            try:
                queue.shutdown()
            except Exception as err:  # noqa: BLE001 - the run is over; its mailbox's close is housekeeping
                log.warning("closing the run's mailbox failed: %s: %s", type(err).__name__, err)
    if "error" in outcome:
        raise outcome["error"]
    return dict(outcome["result"].metrics or {})


def _stop(controller, runner: threading.Thread, queue) -> None:
    """Abort a stopped trial's run (a stop comes after a report, which carries the controller) and
    wait for its fit() to end, meanwhile taking, and dropping, what the controller or fit()'s thread
    still puts on the queue: a controller waiting on a full queue would not take the abort."""
    import ray
    from ray.exceptions import RayActorError

    deadline = time.monotonic() + STOP_WAIT_S
    aborting = abort(controller) if controller is not None else None
    pending = [aborting] if aborting is not None else []
    while (pending or runner.is_alive()) and time.monotonic() < deadline:
        try:
            queue.get(timeout=0.2)
        except Empty:
            pass
        except RayActorError:  # the sweep's actor is gone, and its mailbox with it: nothing waits on it
            time.sleep(0.2)
        if pending:
            done, pending = ray.wait(pending, timeout=0)
            for ref in done:
                try:
                    ray.get(ref)
                except RayActorError:
                    pass  # the abort ends with the controller's own exit
    if pending:
        _kill(controller, f"a stopped trial's Ray Train run did not abort within {STOP_WAIT_S:.0f} s")
    if runner.is_alive():
        log.warning("a stopped trial's fit() did not end within %.0f s of its abort", STOP_WAIT_S)


def abort(controller):
    """Ask a Ray Train run's controller to abort, as Ray's own Ctrl-C handler does (Ray Train's
    TrainController.abort, not a public API; checked against ray 2.60): the controller shuts its
    workers down, removes their placement group and exits. Returns the call's reference, or None
    where the controller has no abort (it is then killed). Killing the controller leaves the
    placement group, and the workers' CPUs and GPUs, held wherever Ray has no State API (a Ray
    started without its dashboard, as xlt's embedded one): Ray Train's placement-group cleaner asks
    that API whether the controller is alive. tests/test_faults.py checks every group ends removed."""
    try:
        method = controller.abort
    except AttributeError:
        _kill(controller, "this Ray's Train controller has no abort")
        return None
    return method.remote()


def _kill(controller, why: str) -> None:
    """The fallback where a run cannot be aborted: kill its controller, and say what it may leave held."""
    import ray

    log.warning("%s: a stopped trial's controller is killed, and its workers' placement group may stay held "
                "on a Ray without a dashboard", why)
    ray.kill(controller)
