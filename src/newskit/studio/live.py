"""The model behind ``newskit serve``: the run that serves now, and retraining in the background.

:class:`LiveModel` holds the serving run; a new run replaces it in one step, so a prediction
always uses one complete model. :class:`Retrainer` counts annotation events and, after every
``every`` of them and ``debounce`` seconds without a new one, trains a new model in its own
thread (one training at a time). Predictions never wait for it: the previous model keeps
serving until the new one is loaded, and keeps serving if the training fails.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.training.predict import Run, load_run

Trainer = Callable[[int], Path]  # training number → folder of the new run (raises on failure)
OnNewModel = Callable[[Run], str]  # called with the new run once it serves; returns a note


def log_to_stderr(message: str) -> None:
    """The default log: one line on stderr."""
    print(message, file=sys.stderr, flush=True)


class LiveModel:
    """The run that answers predictions now; :meth:`swap` replaces it atomically."""

    def __init__(self, run: Run) -> None:
        self._run = run
        self._lock = threading.Lock()

    @property
    def run(self) -> Run:
        with self._lock:
            return self._run

    def swap(self, run: Run) -> Run:
        """Serve ``run`` from now on; return the run it replaces."""
        with self._lock:
            previous, self._run = self._run, run
        return previous


def _reason(exc: BaseException) -> str:
    if isinstance(exc, NewskitError):
        return exc.one_line().removeprefix("error: ")
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


class Retrainer:
    """Retrain after every ``every`` annotation events, debounced, one training at a time."""

    def __init__(
        self,
        live: LiveModel,
        trainer: Trainer,
        *,
        every: int,
        debounce: float = 10.0,
        first_number: int = 1,
        on_new_model: OnNewModel | None = None,
        load: Callable[[Path], Run] = load_run,
        log: Callable[[str], None] = log_to_stderr,
    ) -> None:
        if every < 1:
            raise NewskitError(f"--retrain-every must be at least 1, got {every}", "or 0 to switch it off")
        if debounce < 0:
            raise NewskitError(f"--debounce must not be negative, got {debounce}")
        self.live, self.trainer, self.every, self.debounce = live, trainer, every, debounce
        self.on_new_model, self.load, self.log = on_new_model, load, log
        self._number = first_number
        self._pending = 0
        self._forced = False
        self._last_event = 0.0
        self._training = False
        self._stopped = False
        self._history: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="newskit-retrainer", daemon=True)

    # -- events --------------------------------------------------------------------------------

    def annotation_events(self, count: int = 1) -> None:
        """``count`` annotations were created or updated in the project."""
        if count <= 0:
            return
        with self._cond:
            self._pending += count
            self._last_event = time.monotonic()
            self._cond.notify_all()

    def request(self) -> None:
        """Train as soon as possible, however few new annotations there are ("Start training")."""
        with self._cond:
            self._forced = True
            self._last_event = time.monotonic()
            self._cond.notify_all()

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Retrainer:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop waiting for events; a training under way finishes first (up to ``timeout``)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """True once no training runs or is due (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._training or self._due():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
        return True

    def status(self) -> dict[str, Any]:
        """What serves, what was trained, what waits: for ``GET /status``."""
        with self._cond:
            return {
                "model_version": self.live.run.model_version,
                "training": self._training,
                "annotations_since_training": self._pending,
                "retrain_every": self.every,
                "debounce_seconds": self.debounce,
                "trainings": [dict(t) for t in self._history],
            }

    # -- the training thread -------------------------------------------------------------------

    def _due(self) -> bool:
        return self._forced or self._pending >= self.every

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and not self._due():
                    self._cond.wait()
                # Debounce: wait until the annotations stop coming for ``debounce`` seconds.
                while not self._stopped and (quiet := time.monotonic() - self._last_event) < self.debounce:
                    self._cond.wait(self.debounce - quiet)
                if self._stopped:
                    return
                events, self._pending, self._forced = self._pending, 0, False
                number, self._number = self._number, self._number + 1
                self._training = True
                record: dict[str, Any] = {
                    "number": number,
                    "annotation_events": events,
                    "started": datetime.now(UTC).isoformat(timespec="seconds"),
                    "outcome": "running",
                    "previous_model_version": self.live.run.model_version,
                }
                self._history.append(record)
                self._cond.notify_all()
            self._train(number, events, record)
            with self._cond:
                self._training = False
                self._cond.notify_all()

    def _train(self, number: int, events: int, record: dict[str, Any]) -> None:
        started = time.monotonic()
        previous = record["previous_model_version"]
        self.log(f"retraining {number}: {events} new annotation(s); {previous} keeps serving meanwhile")
        try:
            run = self.load(self.trainer(number))
        except Exception as exc:  # any failure leaves the old model serving; the reason is kept
            reason = _reason(exc)
            record.update(outcome="failed", error=reason, seconds=round(time.monotonic() - started, 1))
            self.log(f"retraining {number} failed: {reason}; {previous} keeps serving")
            return
        self.live.swap(run)
        record.update(outcome="ok", model_version=run.model_version)
        self.log(f"retraining {number} done: {run.model_version} serves now (was {previous})")
        if self.on_new_model is not None:
            try:
                record["note"] = self.on_new_model(run)
            except Exception as exc:  # the model serves; only Label Studio's copy is behind
                record["note"] = f"could not refresh Label Studio: {_reason(exc)}"
            self.log(f"retraining {number}: {record['note']}")
        record["seconds"] = round(time.monotonic() - started, 1)
