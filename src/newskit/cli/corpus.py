"""CLI commands for the corpus stage (thin wrappers over the stage functions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newskit.cli.app import app
from newskit.cli.engines import AddressOption, EngineOption, check_engine
from newskit.corpus.ingest import DEFAULT_MAX_BYTES, ingest
from newskit.errors import NewskitError
from newskit.labels.annotations import has_labels, labeled_positions, relink_labels
from newskit.labels.schema import load_schema
from newskit.segment.sentences import ARTICLES_FILE, SENTENCES_FILE, count_articles, split_corpus

MAX_LISTED = 10  # gone sentences printed by split; all of them are in the map and the orphans file


@app.command("ingest")
def ingest_cli(
    paths: list[Path] = typer.Argument(
        None,
        metavar="PATH",
        help="Files or folders to add (.txt, .html, .htm, .jsonl, .csv, .warc, .warc.gz)."
        " None: re-normalize corpus/raw.",
    ),
    corpus: Path = typer.Option(
        Path("corpus"), "--corpus", help="Corpus folder (holds raw/ and articles.jsonl)."
    ),
    max_bytes: int = typer.Option(
        DEFAULT_MAX_BYTES, "--max-bytes", min=1, help="Largest input file accepted."
    ),
    boilerplate: Path | None = typer.Option(
        None, "--boilerplate", help="TOML file of furniture rules that replaces the shipped ones."
    ),
    language: str | None = typer.Option(
        None,
        "--language",
        help="Keep only articles in this language (ISO 639-1 code, e.g. de); count the rest.",
    ),
    engine: EngineOption = "local",
    address: AddressOption = None,
) -> None:
    """Copy inputs into corpus/raw and rebuild corpus/articles.jsonl (cleaned text + metadata)."""
    check_engine(engine, address)
    options = {
        "corpus_dir": corpus,
        "max_bytes": max_bytes,
        "boilerplate_path": boilerplate,
        "language": language,
    }
    if engine == "local":
        report = ingest(list(paths or []), **options)
    else:
        from newskit.corpus.ingest_ray import ingest_sharded

        report = ingest_sharded(list(paths or []), engine=engine, address=address, **options)
    console = Console(soft_wrap=True)
    for reference, kept in report.duplicates:
        console.print(f"duplicate: {reference} has the same text as {kept} (stored once)", highlight=False)
    for skipped in report.skipped:
        console.print(f"skipped: {skipped} (unsupported file type)", highlight=False)
    for reason, count in sorted(report.skipped_records.items()):
        console.print(f"left out: {count} {reason}", highlight=False)
    state = "written" if report.changed else "unchanged"
    console.print(
        f"[bold]{report.articles}[/bold] articles from {report.raw_files} raw files "
        f"({len(report.copied)} new) → {report.articles_path} ({state}); "
        f"{len(report.duplicates)} duplicates, {report.lines_removed} lines and "
        f"{report.fragments_removed} fragments of page furniture removed, "
        f"{report.mojibake_repairs} encoding repairs",
        highlight=False,
    )


@app.command("split")
def split_cli(
    corpus: Path = typer.Option(Path("corpus"), "--corpus", help="Corpus folder (holds articles.jsonl)."),
    engine: EngineOption = "local",
    address: AddressOption = None,
    sharded: bool = typer.Option(
        False, "--sharded", help="Write corpus/sentences/part-*.parquet instead of corpus/sentences.jsonl."
    ),
    labels: Path | None = typer.Option(
        None,
        "--labels",
        help="Labels folder whose annotations follow the sentences (default: labels/ beside the corpus).",
        show_default=False,
    ),
    schema: Path | None = typer.Option(
        None, "--schema", help="Label schema (default: LABELS/schema.yaml).", show_default=False
    ),
) -> None:
    """Split every article of corpus/articles.jsonl into sentences (corpus/sentences.jsonl).

    Labeled sentences are then found again in the new sentences: LABELS/sentence_map.jsonl
    says where each moved, LABELS/annotations.jsonl is rebuilt through it, and annotations of
    sentences that are gone go to LABELS/orphans.jsonl.
    """
    check_engine(engine, address)
    console = Console(soft_wrap=True)
    articles_path = corpus / ARTICLES_FILE
    relink = None
    labels = labels or corpus.parent / "labels"  # the project layout: corpus/ and labels/ side by side
    if has_labels(labels):
        if sharded:
            raise NewskitError(
                f"{labels} holds annotations, and re-linking them reads corpus/sentences.jsonl",
                "split a labeled corpus without --sharded (--engine ray still works)",
            )
        label_schema = load_schema(schema or labels / "schema.yaml")
        before = labeled_positions(labels, label_schema, corpus / SENTENCES_FILE)
        relink = (label_schema, before)
    if engine != "local" or sharded:
        from newskit.segment.split_ray import split_corpus_sharded

        report = split_corpus_sharded(corpus_dir=corpus, engine=engine, address=address, sharded=sharded)
    elif console.is_terminal and articles_path.is_file():
        columns = (TextColumn("splitting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("split", total=count_articles(articles_path))

            def advance(_article: dict[str, Any], _n_sentences: int) -> None:
                progress.advance(task)

            report = split_corpus(corpus_dir=corpus, on_article=advance)
    else:
        report = split_corpus(corpus_dir=corpus)
    console.print(
        f"[bold]{report.sentences}[/bold] sentences from {report.articles} articles"
        f" → {report.sentences_path}",
        highlight=False,
    )
    if relink is not None:
        mapped, rebuilt = relink_labels(
            labels_dir=labels,
            schema=relink[0],
            sentences_path=report.sentences_path,
            previous_positions=relink[1],
        )
        counts = mapped.counts
        console.print(
            f"labeled sentences: {mapped.labeled} ({counts['new']} new, {counts['unchanged']} unchanged, "
            f"{counts['moved']} moved, "
            f"{counts['changed']} changed, {counts['gone']} gone) → {mapped.map_path}; "
            f"{mapped.review} to review, {mapped.orphaned} orphaned",
            highlight=False,
        )
        for row in mapped.gone[:MAX_LISTED]:
            console.print(f"gone: {row['id']} {row['text']!r}", highlight=False)
        if len(mapped.gone) > MAX_LISTED:
            console.print(f"gone: … and {len(mapped.gone) - MAX_LISTED} more", highlight=False)
        console.print(
            f"annotations: {rebuilt.rows} attached → {rebuilt.path}"
            f" ({rebuilt.statuses['moved']} moved, {rebuilt.statuses['changed']} on a changed sentence);"
            f" {rebuilt.statuses['gone']} orphaned → {rebuilt.orphans_path}",
            highlight=False,
        )
