"""A small, realistic dataset folder for the training tests (FIXTURE DATA, not annotations).

Sentences come from the German seed articles in ``corpus/raw``; their labels are
assigned by a deterministic keyword rule so the tests have something learnable.
The folder has the layout of the dataset contract: ``data/<split>.parquet`` plus a
``README.md`` whose YAML header declares ``configs`` and ``dataset_info``.
"""

from __future__ import annotations

import re
from pathlib import Path

import datasets
import ftfy
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "corpus" / "raw"

EVENT_LABELS = ["attack", "diplomacy", "humanitarian", "none"]
STANCE_LABELS = ["pro_ukraine", "neutral", "pro_russia"]
# Which articles (by sorted file order) go to which split: 3 train, 1 validation, 1 test.
SPLIT_OF_ARTICLE = ["train", "train", "train", "validation", "test"]

_RULES = {
    "attack": r"angriff|drohne|rakete|beschuss|beschoss|getötet|explosion|front|soldat|armee|militär",
    "diplomacy": r"gespräch|verhandl|friede|kreml|eu-|selenskyj|trump|putin|treffen|abkommen",
    "humanitarian": r"heizung|strom|zivil|wasser|kälte|energie|flücht|verletzt|krankenh",
}
_SENTENCE_END = re.compile(r"(?<=[.!?“])\s+(?=[A-ZÄÖÜ„])")


def fixture_sentences(text: str) -> list[str]:
    """Split text into sentences with a crude regex (fixture only; the kit uses newskit.segment)."""
    sentences = []
    for paragraph in text.split("\n"):
        for sentence in _SENTENCE_END.split(paragraph.strip()):
            if len(sentence.split()) >= 4:
                sentences.append(sentence)
    return sentences


def fixture_labels(sentence: str) -> tuple[list[int], int | None]:
    """Deterministic keyword rule → (event type indices, stance index or None)."""
    lowered = sentence.lower()
    events = [EVENT_LABELS.index(name) for name, pattern in _RULES.items() if re.search(pattern, lowered)]
    if not events:
        events = [EVENT_LABELS.index("none")]
    if "russ" in lowered or "kreml" in lowered or "moskau" in lowered:
        stance = STANCE_LABELS.index("pro_russia")
    elif "ukrain" in lowered or "kiew" in lowered or "selenskyj" in lowered:
        stance = STANCE_LABELS.index("pro_ukraine")
    else:
        stance = STANCE_LABELS.index("neutral")
    if len(sentence) % 17 == 0:  # a few sentences without a stance decision, as real data has
        stance = None
    return events, stance


def fixture_features() -> datasets.Features:
    """The dataset contract's features with the fixture label sets."""
    string = datasets.Value("string")
    return datasets.Features(
        {
            "id": string,
            "article_id": string,
            "sentence_index": datasets.Value("int32"),
            "text": string,
            "context_before": string,
            "context_after": string,
            "title": string,
            "source": string,
            "url": string,
            "date": string,
            "event_types": datasets.List(datasets.ClassLabel(names=EVENT_LABELS)),
            "stance": datasets.ClassLabel(names=STANCE_LABELS),
            "n_annotations": datasets.Value("int32"),
            "agreement": datasets.Value("bool"),
        }
    )


def build_fixture_dataset(folder: Path) -> Path:
    """Write ``folder/data/{train,validation,test}.parquet`` and ``folder/README.md``; return folder."""
    rows: dict[str, list[dict]] = {"train": [], "validation": [], "test": []}
    for number, raw in enumerate(sorted(SEEDS_DIR.glob("*.txt"))):
        text = ftfy.fix_text(raw.read_text(encoding="utf-8", errors="replace"))
        article_id = raw.stem.split("_")[-1]
        sentences = fixture_sentences(text)
        for index, sentence in enumerate(sentences):
            events, stance = fixture_labels(sentence)
            rows[SPLIT_OF_ARTICLE[number]].append(
                {
                    "id": f"{article_id}:{index}",
                    "article_id": article_id,
                    "sentence_index": index,
                    "text": sentence,
                    "context_before": sentences[index - 1] if index else "",
                    "context_after": sentences[index + 1] if index + 1 < len(sentences) else "",
                    "title": sentences[0],
                    "source": "fixture",
                    "url": f"https://example.org/{article_id}",
                    "date": None,
                    "event_types": events,
                    "stance": stance,
                    "n_annotations": 1,
                    "agreement": True,
                }
            )
    features = fixture_features()
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for split, split_rows in rows.items():
        columns = {name: [row[name] for row in split_rows] for name in features}
        datasets.Dataset.from_dict(columns, features=features).to_parquet(
            folder / "data" / f"{split}.parquet"
        )
    header = {
        "pretty_name": "Fixture news sentences",
        "license": "cc-by-4.0",
        "language": ["de"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s, "path": f"data/{s}.parquet"} for s in rows],
            }
        ],
        "dataset_info": {"features": features._to_yaml_list()},
    }
    card = "---\n" + yaml.safe_dump(header, allow_unicode=True, sort_keys=False) + "---\n\n# Fixture\n"
    (folder / "README.md").write_text(card, encoding="utf-8")
    return folder


# A tiny grid so the tests train in seconds: two candidates (so selection happens), small n-grams.
TINY_CONFIG = """
seed = 7
max_folds = 3
validation = "merge"

[features]
word_ngrams = [1, 1]
char_ngrams = [3, 4]

[evaluation]
bootstrap_resamples = 50
calibration_bins = 5
learning_curve_points = 2

[[grid]]
model = "logreg"
C = [1.0]

[[grid]]
model = "complement_nb"
alpha = [1.0]
"""


def write_tiny_config(folder: Path) -> Path:
    """Write the tiny test config to ``folder/tiny.toml``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.toml"
    path.write_text(TINY_CONFIG, encoding="utf-8")
    return path


def train_tiny_run(root: Path, *, evaluate: bool = False) -> tuple[Path, Path]:
    """Build the fixture dataset under ``root`` and train (and optionally evaluate) a tiny run.

    Returns (dataset folder, run folder).
    """
    from newskit.training.train import train

    dataset = build_fixture_dataset(root / "dataset")
    run_dir = root / "runs" / "tiny"
    train(dataset_dir=dataset, config_path=write_tiny_config(root), out_dir=run_dir)
    if evaluate:
        from newskit.training.evaluate import evaluate as run_evaluate

        run_evaluate(run_dir=run_dir, dataset_dir=dataset)
    return dataset, run_dir
