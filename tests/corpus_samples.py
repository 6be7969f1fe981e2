"""Small corpora for the push and pull tests (written into tmp_path, never into the repository)."""

from __future__ import annotations

import shutil
from pathlib import Path

from newskit.jsonio import write_jsonl

REPO_ROOT = Path(__file__).resolve().parent.parent

ARTICLES = [
    ("a1", "Angriff auf Kiew", "Tagesschau", "2024-03-01", "https://example.org/a1"),
    ("a2", "Gespräche in Genf", None, None, None),
]
SENTENCES = {
    "a1": ["Russland griff Kiew mit Drohnen an.", "Zwei Menschen starben.", "Die Luftabwehr war aktiv."],
    "a2": ["Die Delegationen trafen sich in Genf.", "Ein Ergebnis gab es nicht."],
}


def write_small_corpus(corpus_dir: Path) -> list[str]:
    """A hand-made two-article corpus; returns its sentence ids in corpus order."""
    articles, sentences = [], []
    for article_id, title, source, date, url in ARTICLES:
        text = ""
        for index, sentence in enumerate(SENTENCES[article_id]):
            start = len(text)
            text += sentence + " "
            sentences.append(
                {
                    "id": f"{article_id}:{start}-{start + len(sentence)}",
                    "article_id": article_id,
                    "index": index,
                    "start": start,
                    "end": start + len(sentence),
                    "text": sentence,
                }
            )
        articles.append(
            {
                "id": article_id,
                "title": title,
                "source": source,
                "date": date,
                "url": url,
                "text": text.strip(),
            }
        )
    write_jsonl(corpus_dir / "articles.jsonl", articles)
    write_jsonl(corpus_dir / "sentences.jsonl", sentences)
    return [s["id"] for s in sentences]


def seed_or_small_corpus(corpus_dir: Path) -> Path:
    """Copy the shipped seed corpus into ``corpus_dir`` if it has been built, else write the small one."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    seed = REPO_ROOT / "corpus"
    if (seed / "articles.jsonl").exists() and (seed / "sentences.jsonl").exists():
        for name in ("articles.jsonl", "sentences.jsonl"):
            shutil.copyfile(seed / name, corpus_dir / name)
    else:
        write_small_corpus(corpus_dir)
    return corpus_dir


class StandInRun:
    """A tiny stand-in for ``newskit.training.predict.Run``: confidence from the text length."""

    model_version = "stand-in-1"

    def predict(self, texts: list[str]) -> list[dict]:
        outputs = []
        for text in texts:
            confidence = round(min(1.0, len(text) / 50), 4)
            outputs.append(
                {
                    "event_types": {
                        "labels": ["strike"] if "Drohnen" in text else ["none"],
                        "probabilities": {},
                    },
                    "stance": {"labels": ["neutral"], "probabilities": {}},
                    "confidence": confidence,
                }
            )
        return outputs
