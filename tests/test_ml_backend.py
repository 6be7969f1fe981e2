"""The model server's protocol as Label Studio 1.23 speaks it (Starlette's test client, the baseline run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from newskit.errors import NewskitError
from newskit.labels.label_config import validate_result
from newskit.labels.schema import load_schema
from newskit.studio.live import LiveModel, Retrainer
from newskit.studio.ml_backend import check_run_fits_schema, create_app
from newskit.training.predict import load_run

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = load_schema(REPO_ROOT / "labels" / "schema.yaml")
TOKEN = "0123456789abcdef-owner-token"


@pytest.fixture(scope="module")
def run():
    return load_run(REPO_ROOT / "training" / "runs" / "baseline")


class CountingRetrainer(Retrainer):
    """A real Retrainer that is never started: it only counts what the app tells it."""

    def __init__(self, live: LiveModel) -> None:
        super().__init__(live, trainer=lambda n: Path("unused"), every=1000, log=lambda _: None)
        self.requested = 0

    def request(self) -> None:
        self.requested += 1


def test_health_and_setup_report_the_model_version_and_ignore_the_token(run, capsys):
    client = TestClient(create_app(LiveModel(run), SCHEMA))
    assert client.get("/health").json() == {"status": "UP", "model_class": "newskit",
                                            "model_version": run.model_version}  # fmt: skip
    setup = client.post("/setup", json={"project": "3.1764850000", "schema": "<View/>",
                                        "hostname": "http://127.0.0.1:8080", "access_token": TOKEN,
                                        "extra_params": None})  # fmt: skip
    assert setup.status_code == 200 and setup.json() == {"model_version": run.model_version}
    assert client.get("/versions").json() == {"versions": [run.model_version]}
    assert TOKEN not in capsys.readouterr().err + client.get("/status").text


def test_predict_gives_one_valid_prediction_per_task_with_version_and_score(run):
    client = TestClient(create_app(LiveModel(run), SCHEMA))
    texts = ["Russland griff Kiew in der Nacht mit Drohnen an.", "Die Außenminister trafen sich in Genf."]
    body = {"tasks": [{"id": i, "data": {"text": t}} for i, t in enumerate(texts)], "project": "3.17",
            "label_config": "<View/>", "params": {"context": None}}  # fmt: skip
    answer = client.post("/predict", json=body).json()
    assert len(answer["results"]) == 2
    expected = run.predict(texts)
    for result, direct in zip(answer["results"], expected, strict=True):
        assert result["model_version"] == run.model_version
        assert result["score"] == direct["confidence"]
        assert validate_result(SCHEMA, result["result"]) == []
        stance = next(item for item in result["result"] if item["from_name"] == "stance")
        assert stance["value"]["choices"] == direct["stance"]["labels"]
    assert client.get("/status").json()["predicted_tasks"] == 2


@pytest.mark.parametrize("body", [{}, {"tasks": []}, {"tasks": [{"data": {"txt": "x"}}]}, ["x"]])
def test_predict_rejects_bad_requests_with_a_reason(run, body):
    response = TestClient(create_app(LiveModel(run), SCHEMA)).post("/predict", json=body)
    assert response.status_code == 400 and response.json()["error"]


def test_webhook_counts_annotation_events_of_its_project_only(run):
    live = LiveModel(run)
    retrainer = CountingRetrainer(live)
    client = TestClient(create_app(live, SCHEMA, retrainer=retrainer, project_id=7))
    project = {"id": 7, "title": "p"}
    assert client.post("/webhook", json={"action": "ANNOTATION_CREATED", "annotation": {"id": 1},
                                         "project": project}).json()["counted"] == 1  # fmt: skip
    client.post("/webhook", json={"action": "ANNOTATIONS_CREATED", "annotation": [{"id": 2}, {"id": 3}],
                                  "project": project})  # fmt: skip
    client.post(
        "/webhook", json={"action": "ANNOTATION_UPDATED", "annotation": {"id": 1}, "project": project}
    )
    client.post("/webhook", json={"action": "TASKS_CREATED", "tasks": [{"id": 1}], "project": project})
    other = client.post("/webhook", json={"action": "ANNOTATION_CREATED", "annotation": {"id": 9},
                                          "project": {"id": 8}})  # fmt: skip
    assert other.json()["status"] == "ignored"
    assert retrainer.status()["annotations_since_training"] == 4
    client.post("/webhook", json={"action": "START_TRAINING", "project": {"id": 7}})
    assert retrainer.requested == 1
    assert client.post("/webhook", content=b"not json").status_code == 400


def test_a_run_of_another_schema_is_refused(run):
    other = SCHEMA.model_copy(update={"tasks": [SCHEMA.tasks[1]]})
    with pytest.raises(NewskitError, match="does not fit schema"):
        check_run_fits_schema(run, other)


def test_serve_errors_are_one_line(tmp_path, capsys, monkeypatch):
    import socket

    from newskit.cli import main

    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    assert main(["serve", str(tmp_path / "nope"), "--retrain-every", "0", "--port", "0"]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: {tmp_path / 'nope'}: not a training run (train_info.json missing) "
        "(hint: run `newskit train` first)"
    ]
    assert main(["serve", str(REPO_ROOT / "training" / "runs" / "baseline"), "--port", "0"]) == 1
    assert "error: no Label Studio API key" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "anything", "--retrain-every", "0", "--port", str(port)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: the model server cannot listen on 127.0.0.1:{port}")
