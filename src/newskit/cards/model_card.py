"""``newskit card``: a model card rendered from ``metrics.json`` and ``train_info.json``.

The YAML header (``model-index`` with the test-split macro and micro F1 of every task)
is written by huggingface_hub's ``ModelCardData``/``EvalResult``; the body comes from
a template filled only with measured values. Facts the data cannot tell (model id,
dataset id, license) show the placeholder ``[More Information Needed]``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from newskit.cards.tables import (
    calibration_table,
    grid_table,
    hyperparameter_table,
    learning_curve_table,
    per_class_table,
    summary_table,
    thresholds_table,
)
from newskit.errors import NewskitError
from newskit.jsonio import atomic_write
from newskit.training.models import TRUSTED_TYPES
from newskit.training.predict import load_run
from newskit.training.run_files import load_metrics

PLACEHOLDER = "[More Information Needed]"
DEFAULT_CARDS_DIR = Path("model_cards")
TAGS = ["newskit", "sklearn", "skops", "text-classification", "german", "news", "stance-detection"]


def _dataset_card_facts(dataset_card: Path | None) -> dict[str, Any]:
    """``pretty_name`` and ``license`` from the dataset card's YAML header, when there is one."""
    if dataset_card is None or not Path(dataset_card).is_file():
        return {}
    from huggingface_hub import DatasetCard

    try:
        return DatasetCard.load(Path(dataset_card)).data.to_dict()
    except Exception as exc:  # a malformed header: name it instead of guessing
        raise NewskitError(
            f"{dataset_card}: cannot read the dataset card ({exc})", "rebuild the dataset"
        ) from None


def _relative(target: Path, start: Path) -> str:
    """A link from the card's folder to ``target`` (POSIX separators)."""
    return Path(os.path.relpath(Path(target).resolve(), Path(start).resolve())).as_posix()


def card_data(metrics: dict, run_name: str, config, dataset_facts: dict):
    """The YAML header: model-index with test macro/micro F1 per task, and the card metadata."""
    from huggingface_hub import EvalResult, ModelCardData

    dataset_id = config.card.dataset_id
    dataset_name = dataset_facts.get("pretty_name") or dataset_id or PLACEHOLDER
    results = [
        EvalResult(
            task_type="text-classification",
            task_name="sentence classification",  # the Hub groups results by dataset, not task name
            dataset_type=dataset_id or "local",
            dataset_name=dataset_name,
            dataset_split="test",
            metric_type="f1",
            metric_name=f"{average} F1 ({field})",
            metric_config=average,
            metric_value=task["test"]["model"][f"{average}_f1"],
        )
        for field, task in metrics["tasks"].items()
        for average in ("macro", "micro")
    ]
    return ModelCardData(
        model_name=config.card.model_id or run_name,
        language="de",
        license=config.card.license or dataset_facts.get("license") or "other",
        library_name="sklearn",
        pipeline_tag="text-classification",
        tags=TAGS,
        datasets=[dataset_id] if dataset_id else None,
        eval_results=results,
    )


def render_card(
    *, run_dir: Path, out_path: Path, dataset_card: Path | None = None, metrics: dict | None = None
) -> str:
    """The card text (deterministic); ``out_path`` is where it will live (for relative links)."""
    from huggingface_hub import ModelCard

    run = load_run(run_dir)
    metrics = metrics if metrics is not None else load_metrics(run_dir)
    if metrics.get("model_version") != run.model_version:
        raise NewskitError(
            f"{run_dir}: metrics.json is from other models ({metrics.get('model_version')})",
            f"re-run `newskit evaluate {run_dir}`",
        )
    facts = _dataset_card_facts(dataset_card)
    card_dir = Path(out_path).parent
    tasks = []
    for field, task in metrics["tasks"].items():
        task_info = run.info["tasks"][field]
        tasks.append(
            {
                "field": field,
                "kind": "multi-label" if task["kind"] == "multi" else "single-label",
                "labels": ", ".join(f"`{label}`" for label in task["labels"]),
                "summary": summary_table(task),
                "per_class": per_class_table(task),
                "learning_curve": learning_curve_table(task),
                "grid": grid_table(task_info),
                "thresholds": thresholds_table(task_info) if task["kind"] == "multi" else None,
                "test_size": f"{task['test']['n_sentences']} sentences, "
                f"articles: {task['test']['n_articles']}",
                "ci": task["test"]["model"]["macro_f1_ci"],
                "cv": task["cv"],
                "plots": {
                    name: _relative(Path(run_dir) / path, card_dir) for name, path in task["plots"].items()
                },
            }
        )
    template = resources.files("newskit").joinpath("cards/template.md").read_text(encoding="utf-8")
    card = ModelCard.from_template(
        card_data(metrics, run.name, run.config, facts),
        template_str=template,
        placeholder=PLACEHOLDER,
        run_name=run.name,
        model_version=run.model_version,
        model_id=run.config.card.model_id or PLACEHOLDER,
        dataset_name=facts.get("pretty_name") or run.config.card.dataset_id or PLACEHOLDER,
        dataset_link=_relative(dataset_card, card_dir) if facts else None,
        info=run.info,
        metrics=metrics,
        tasks=tasks,
        hyperparameters=hyperparameter_table(run.info),
        calibration=calibration_table(metrics),
        trusted_types=list(TRUSTED_TYPES),
        info_min_articles=run.config.evaluation.bootstrap_min_articles,
        fields=[task.field for task in run.tasks],
    )
    return card.content.rstrip("\n") + "\n"


def write_card(*, run_dir: Path, out_path: Path | None = None, dataset_card: Path | None = None) -> Path:
    """Render the card of ``run_dir`` and write it (default ``model_cards/<run name>.md``)."""
    run_dir = Path(run_dir)
    out_path = Path(out_path or DEFAULT_CARDS_DIR / f"{run_dir.name}.md")
    text = render_card(run_dir=run_dir, out_path=out_path, dataset_card=dataset_card)
    with atomic_write(out_path) as handle:
        handle.write(text)
    return out_path
