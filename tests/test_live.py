"""The retrainer of ``newskit serve``: counted, debounced, one training at a time, failures contained."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from newskit.errors import NewskitError
from newskit.studio.live import LiveModel, Retrainer


@dataclass
class FakeRun:
    model_version: str


class FakeTrainer:
    """Trains "models" named after the training number; can block or fail on demand."""

    def __init__(self, fail: set[int] | None = None) -> None:
        self.calls: list[int] = []
        self.fail = fail or set()
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()

    def __call__(self, number: int) -> Path:
        self.calls.append(number)
        self.started.set()
        assert self.release.wait(10)
        if number in self.fail:
            raise NewskitError(
                f"task stance: the training data has only one class (training {number})", "label"
            )
        return Path(f"live-{number:03d}")


def make(
    trainer: FakeTrainer, every: int = 3, debounce: float = 0.0, **options
) -> tuple[LiveModel, Retrainer]:
    live = LiveModel(FakeRun("base"))
    retrainer = Retrainer(
        live, trainer, every=every, debounce=debounce, load=lambda path: FakeRun(path.name),
        log=lambda _: None, **options,
    )  # fmt: skip
    return live, retrainer.start()


def test_no_training_before_n_annotations_then_one_that_replaces_the_model():
    trainer = FakeTrainer()
    live, retrainer = make(trainer, every=3)
    retrainer.annotation_events(2)
    assert retrainer.wait_idle(5)
    time.sleep(0.2)
    assert trainer.calls == [] and live.run.model_version == "base"
    retrainer.annotation_events(1)
    assert retrainer.wait_idle(5)
    assert trainer.calls == [1]
    assert live.run.model_version == "live-001"
    status = retrainer.status()
    assert status["trainings"][0]["outcome"] == "ok" and status["trainings"][0]["annotation_events"] == 3
    assert status["annotations_since_training"] == 0
    retrainer.stop(1)


def test_a_burst_of_annotations_gives_one_training_after_the_quiet_period():
    trainer = FakeTrainer()
    _, retrainer = make(trainer, every=1, debounce=0.5)
    for _ in range(5):
        retrainer.annotation_events(1)
        time.sleep(0.05)
    time.sleep(0.2)
    assert trainer.calls == []  # still within the quiet period after the last event
    assert retrainer.wait_idle(5)
    assert trainer.calls == [1]
    assert retrainer.status()["trainings"][0]["annotation_events"] == 5
    retrainer.stop(1)


def test_one_training_at_a_time_and_predictions_never_wait():
    trainer = FakeTrainer()
    trainer.release.clear()
    live, retrainer = make(trainer, every=1)
    retrainer.annotation_events(1)
    assert trainer.started.wait(5)
    retrainer.annotation_events(4)  # arrive while training 1 runs
    time.sleep(0.3)
    assert trainer.calls == [1]  # not a second training in parallel
    assert live.run.model_version == "base"  # the old model serves, without waiting
    assert retrainer.status()["training"] is True
    trainer.release.set()
    assert retrainer.wait_idle(5)
    assert trainer.calls == [1, 2]  # the events that came meanwhile gave the next training
    assert live.run.model_version == "live-002"
    retrainer.stop(1)


def test_a_failed_training_leaves_the_old_model_serving_and_says_why():
    trainer = FakeTrainer(fail={1})
    logged: list[str] = []
    live, retrainer = make(trainer, every=1)
    retrainer.log = logged.append
    retrainer.annotation_events(1)
    assert retrainer.wait_idle(5)
    assert live.run.model_version == "base"
    failed = retrainer.status()["trainings"][0]
    assert failed["outcome"] == "failed"
    assert "only one class (training 1)" in failed["error"] and "hint: label" in failed["error"]
    assert any("failed" in line and "base keeps serving" in line for line in logged)
    retrainer.annotation_events(1)  # the next one works again
    assert retrainer.wait_idle(5)
    assert live.run.model_version == "live-002"
    retrainer.stop(1)


def test_start_training_request_trains_without_n_annotations_and_refreshes():
    trainer = FakeTrainer()
    refreshed: list[str] = []
    _, retrainer = make(
        trainer, every=100, on_new_model=lambda run: refreshed.append(run.model_version) or "ok"
    )
    retrainer.request()
    assert retrainer.wait_idle(5)
    assert trainer.calls == [1] and refreshed == ["live-001"]
    assert retrainer.status()["trainings"][0]["note"] == "ok"
    retrainer.stop(1)


def test_a_refresh_that_fails_keeps_the_new_model_and_notes_it():
    def broken(_run):
        raise NewskitError("cannot reach Label Studio at http://x (import predictions)", "is it running?")

    live, retrainer = make(FakeTrainer(), every=1, on_new_model=broken)
    retrainer.annotation_events(1)
    assert retrainer.wait_idle(5)
    assert live.run.model_version == "live-001"
    assert retrainer.status()["trainings"][0]["note"].startswith(
        "could not refresh Label Studio: cannot reach"
    )
    retrainer.stop(1)


@pytest.mark.parametrize(("every", "debounce"), [(0, 1.0), (1, -1.0)])
def test_bad_settings_are_one_line_errors(every, debounce):
    with pytest.raises(NewskitError):
        Retrainer(LiveModel(FakeRun("base")), FakeTrainer(), every=every, debounce=debounce)
