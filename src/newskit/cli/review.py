"""``newskit review``: likely label errors (offline), optionally sent to Label Studio as a review queue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newskit.cli.app import app
from newskit.cli.labels import UrlOption


@app.command("review")
def review_cli(
    dataset: Annotated[Path, typer.Option(help="Dataset folder (`newskit build`).")] = Path("dataset"),
    config: Annotated[Path, typer.Option(help="Training config (TOML): features and model grid.")] = Path(
        "training/baseline.toml"
    ),
    out: Annotated[Path, typer.Option(help="Review file (a summary .json is written beside it).")] = Path(
        "labels/review.jsonl"
    ),
    push: Annotated[bool, typer.Option("--push", help="Send the flagged sentences to Label Studio.")] = False,
    project: Annotated[
        str | None,
        typer.Option(help="Review project title (default: <schema name>-review).", show_default=False),
    ] = None,
    corpus: Annotated[Path, typer.Option(help="Corpus folder (for --push).")] = Path("corpus"),
    schema: Annotated[Path, typer.Option(help="Label schema (for --push).")] = Path("labels/schema.yaml"),
    limit: Annotated[int | None, typer.Option(help="Push only the N highest-ranked sentences.")] = None,
    url: UrlOption = None,
) -> None:
    """Rank the sentences whose gold label is most likely wrong (out-of-fold CV + cleanlab)."""
    from newskit.training.review import review, summary_path

    if push:  # before the review's minutes of work: a missing key is known at once
        from newskit.studio.settings import api_key_from_env, url_from_env

        url, api_key = url_from_env(url), api_key_from_env()
    summary = review(dataset_dir=dataset, config_path=config, out_path=out)
    for field, task in summary["tasks"].items():
        typer.echo(
            f"{field}: {task['flagged']} of {task['checked']} sentences flagged ({task['share']:.1%}); "
            f"out-of-fold macro F1 {task['oof_macro_f1']} with {task['model']['model']}"
        )
    typer.echo(f"wrote {out} ({summary['flagged']} rows, most likely wrong first) and {summary_path(out)}")
    if not push:
        return
    from newskit.studio.review_queue import push_review

    report = push_review(
        url=url,
        api_key=api_key,
        review_path=out,
        project_title=project,
        corpus_dir=corpus,
        schema_path=schema,
        limit=limit,
    )
    created = "created" if report.created_project else "existing"
    typer.echo(f"Review project {report.project_title!r} ({created}, id {report.project_id}) at {report.url}")
    typer.echo(
        f"{report.sentences} flagged sentences: {report.already_present} already queued, "
        f"{report.imported} imported"
    )
