"""Small hand-made inputs for the build tests, following the shared file contracts exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

from newskit.dataset.build import build_dataset
from newskit.jsonio import write_jsonl

TINY_SCHEMA = """\
name: tiny-war
version: "1"
guidelines_version: "0.3"
language: de
description: A tiny schema for tests.
tasks:
  - name: event_type
    field: event_types
    kind: multi
    title: Ereignis
    exclusive: [none]
    labels:
      - id: strike
        display: Angriff
        description: Raketen und Drohnen.
        acled: Explosions/Remote violence
        plover: [ASSAULT]
      - {id: diplomacy, display: Diplomatie, description: Gespräche., plover: [CONSULT, AGREE]}
      - {id: none, display: Kein Ereignis, description: Nichts davon.}
  - name: stance
    field: stance
    kind: single
    title: Haltung
    labels:
      - {id: pro_ukraine, display: pro Ukraine}
      - {id: pro_russia, display: pro Russland}
      - {id: neutral, display: neutral}
"""


def write_schema(folder: Path) -> Path:
    """Write the tiny schema and return its path."""
    path = folder / "schema.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TINY_SCHEMA, encoding="utf-8")
    return path


def make_article(
    number: int, sentences: list[str], *, source: str = "Beispielblatt", date: str | None = "2025-03-0{d}"
) -> tuple[dict, list[dict]]:
    """One article record and its sentence records (ids follow the contract: article id + offsets)."""
    text = " ".join(sentences)
    article_id = hashlib.sha256(f"{number}:{text}".encode()).hexdigest()[:16]
    article = {
        "id": article_id,
        "title": f"Artikel {number}",
        "source": source,
        "url": f"https://example.org/{number}",
        "date": date.format(d=number % 9 + 1) if date else None,
        "author": None,
        "text": text,
        "raw_path": f"raw/{number:03d}.txt",
        "raw_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "raw_record": None,
        "cleaning": {},
    }
    records, start = [], 0
    for index, sentence in enumerate(sentences):
        end = start + len(sentence)
        records.append(
            {
                "id": f"{article_id}:{start}-{end}",
                "article_id": article_id,
                "index": index,
                "start": start,
                "end": end,
                "text": sentence,
            }
        )
        start = end + 1
    return article, records


def write_corpus(folder: Path, articles: list[tuple[dict, list[dict]]]) -> Path:
    """Write articles.jsonl and sentences.jsonl into ``folder``."""
    write_jsonl(folder / "articles.jsonl", [article for article, _ in articles])
    write_jsonl(folder / "sentences.jsonl", [s for _, sentences in articles for s in sentences])
    return folder


def annotation(
    sentence_id: str,
    annotator: str,
    event_type: list[str] | None,
    stance: str | None,
    *,
    number: int = 1,
    cancelled: bool = False,
    updated_at: str = "2025-04-01T10:00:00Z",
) -> dict:
    """One normalized annotation row (labels/annotations.jsonl contract)."""
    return {
        "sentence_id": sentence_id,
        "annotator": annotator,
        "event_type": event_type,
        "stance": stance,
        "cancelled": cancelled,
        "created_at": updated_at,
        "updated_at": updated_at,
        "lead_time": 3.5,
        "task_id": number,
        "annotation_id": number,
        "project": "tiny",
        "snapshot": "snapshots/20250401T100000Z__tiny.json",
    }


SHARED = "Russland griff in der Nacht erneut die Energieversorgung der Hauptstadt Kiew mit Drohnen an."


def expected_event_types(text: str) -> list[str]:
    """The event types the fixture annotations give a sentence of :func:`article_texts`."""
    return ["strike"] if "Drohnen" in text else ["diplomacy"] if "Hilfe" in text else ["none"]


def article_texts(number: int) -> list[str]:
    return [
        f"Dies ist der erste Satz von Artikel {number} über den Krieg.",
        f"Die Regierung in Kiew forderte am Tag {number} neue Hilfe von den Partnern.",
        f"Ein Sprecher des Kremls wies die Berichte am Tag {number} scharf zurück.",
    ]


def make_inputs(tmp_path: Path) -> dict:
    """Eight articles; articles 2 and 6 share a near-identical agency sentence; one unlabeled sentence."""
    articles = []
    for number in range(8):
        texts = article_texts(number)
        if number == 2:
            texts.append(SHARED)
        if number == 6:
            texts.append(SHARED.replace(" an.", " an, hieß es."))
        articles.append(make_article(number, texts, source="Agentur" if number % 2 else "Zeitung"))
    corpus = write_corpus(tmp_path / "corpus", articles)
    sentences = [s for _, records in articles for s in records]
    rows = []
    for number, sentence in enumerate(sentences[:-1]):  # the very last sentence stays unlabeled
        labels = expected_event_types(sentence["text"])
        stance = "pro_russia" if "Kreml" in sentence["text"] else "neutral"
        rows.append(
            annotation(
                sentence["id"],
                "newskit-maintainers",
                labels,
                stance,
                number=number,
                updated_at=f"2025-04-{number % 20 + 1:02d}T08:00:00Z",
            )
        )
    rows.append(annotation(sentences[0]["id"], "newskit-maintainers", None, None, number=999, cancelled=True))
    write_jsonl(tmp_path / "labels" / "annotations.jsonl", rows)
    schema_path = write_schema(tmp_path / "labels")
    return {
        "corpus": corpus,
        "annotations": tmp_path / "labels" / "annotations.jsonl",
        "schema": schema_path,
        "sentences": sentences,
        "root": tmp_path,
    }


def build(inputs: dict, out: Path, **options):
    """Run :func:`build_dataset` on :func:`make_inputs` (options: policy, ratios, seed)."""
    return build_dataset(
        corpus_dir=inputs["corpus"],
        annotations_path=inputs["annotations"],
        snapshot_path=options.get("snapshot"),
        schema_path=inputs["schema"],
        out_dir=out,
        policy=options.get("policy", "majority"),
        ratios=options.get("ratios", (0.8, 0.1, 0.1)),
        seed=options.get("seed", 13),
    )
