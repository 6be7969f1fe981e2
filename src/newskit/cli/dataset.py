"""CLI commands for the dataset stage: ``build`` and ``publish`` (thin wrappers over the stage functions)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from newskit.cli.app import app


@app.command("build")
def build_cli(
    corpus: Path = typer.Option(
        Path("corpus"), "--corpus", help="Corpus folder (articles.jsonl, sentences.jsonl)."
    ),
    annotations: Path = typer.Option(
        Path("labels/annotations.jsonl"), "--annotations", help="Normalized annotation rows (JSONL)."
    ),
    snapshot: Path | None = typer.Option(
        None, "--snapshot", help="Build from this Label Studio snapshot instead of --annotations."
    ),
    schema: Path = typer.Option(Path("labels/schema.yaml"), "--schema", help="The label schema (YAML)."),
    out: Path = typer.Option(Path("dataset"), "--out", help="The dataset folder to write."),
    policy: str = typer.Option(
        "majority", "--policy", help="Adjudication: majority, unanimous or reviewer:<annotator>."
    ),
    ratios: str = typer.Option(
        "0.8,0.1,0.1", "--ratios", help="train,validation,test shares of the sentences."
    ),
    seed: int = typer.Option(13, "--seed", help="Seed of the article-grouped split."),
) -> None:
    """Build the Hugging Face dataset folder: parquet splits by article, adjudication report, dataset card."""
    from newskit.cli.tables import output_console
    from newskit.dataset.assign import parse_ratios
    from newskit.dataset.build import build_dataset
    from newskit.dataset.summary import print_build_summary

    report = build_dataset(
        corpus_dir=corpus,
        annotations_path=annotations,
        snapshot_path=snapshot,
        schema_path=schema,
        out_dir=out,
        policy=policy,
        ratios=parse_ratios(ratios),
        seed=seed,
    )
    print_build_summary(report, output_console())


@app.command("publish")
def publish_cli(
    repo_id: str = typer.Option(..., "--repo-id", help="The dataset repository on the Hub: ORG/NAME."),
    dataset: Path = typer.Option(Path("dataset"), "--dataset", help="The built dataset folder."),
    private: bool = typer.Option(False, "--private", help="Create the repository as private."),
) -> None:
    """Upload the dataset folder to the Hugging Face Hub (token from the HF_TOKEN environment variable)."""
    from newskit.dataset.publish import publish_dataset

    url = publish_dataset(repo_id=repo_id, dataset_dir=dataset, private=private)
    Console(soft_wrap=True).print(f"published {dataset} → {url}", highlight=False)
