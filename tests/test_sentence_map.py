"""Re-finding labeled sentences: moved (same text), changed (similar, marked for review), gone (orphans)."""

from __future__ import annotations

from newskit.identity import sentence_ids
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.labels.sentence_map import Reference, follow, load_map, reconcile, similarity


def write_sentences(path, articles):
    """articles: article id → list of texts; offsets as if joined by one space."""
    rows = []
    for article_id, texts in articles.items():
        start = 0
        for index, (text, identifier) in enumerate(zip(texts, sentence_ids(article_id, texts), strict=True)):
            rows.append(
                {"id": identifier, "article_id": article_id, "index": index, "start": start,
                 "end": start + len(text), "text": text}
            )  # fmt: skip
            start += len(text) + 1
    write_jsonl(path, rows)
    return {row["text"]: row["id"] for row in rows}


BEFORE = ["Kiew meldet Angriffe.", "Von A. Autor", "Die Lage bleibt angespannt, sagte der Sprecher am Abend."]


def refs_for(ids, article="a1"):
    return [Reference(ids[text], article, text) for text in BEFORE]


def test_similarity_tells_a_small_change_from_another_sentence():
    assert similarity("Die Lage bleibt angespannt.", "Die Lage bleibt angespannt.") == 1.0
    assert similarity("Kiew (dpa) – Die Lage bleibt angespannt.", "Die Lage bleibt angespannt.") >= 0.8
    longer = "Die Lage bleibt sehr angespannt, sagte er."
    assert similarity("Die Lage bleibt angespannt, sagte er.", longer) >= 0.8
    assert similarity("Die Lage bleibt angespannt.", "Moskau weist das zurück.") < 0.8


def test_unchanged_moved_changed_and_gone(tmp_path):
    labels, sentences = tmp_path / "labels", tmp_path / "sentences.jsonl"
    labels.mkdir()
    ids = write_sentences(sentences, {"a1": BEFORE})
    before = {row["id"]: (row["start"], row["end"]) for row in read_jsonl(sentences)}
    first = reconcile(refs_for(ids), labels_dir=labels, sentences_path=sentences, previous_positions=before)
    assert dict(first.counts) == {"unchanged": 3} and load_map(labels) == {}

    # the byline is removed (gone), the first sentence moves up, the last loses two words (changed)
    changed_text = "Die Lage bleibt angespannt, sagte der Sprecher."
    after = write_sentences(sentences, {"a1": ["Neu: ein Satz davor.", BEFORE[0], changed_text]})
    report = reconcile(refs_for(ids), labels_dir=labels, sentences_path=sentences, previous_positions=before)
    assert dict(report.counts) == {"moved": 1, "changed": 1, "gone": 1}
    assert (report.review, report.orphaned) == (1, 1)
    rows = load_map(labels)
    assert set(rows) == {ids[BEFORE[1]], ids[BEFORE[2]]}  # the moved sentence kept its id: no map row
    assert rows[ids[BEFORE[2]]]["status"] == "changed" and rows[ids[BEFORE[2]]]["now"] == after[changed_text]
    assert rows[ids[BEFORE[1]]]["status"] == "gone" and rows[ids[BEFORE[1]]]["now"] is None

    annotation = {"sentence_id": ids[BEFORE[2]], "annotator": "a@example.org"}
    moved, status = follow(annotation, rows)
    assert status == "changed" and moved["review"] is True
    assert (moved["sentence_id"], moved["original_sentence_id"]) == (after[changed_text], ids[BEFORE[2]])
    assert follow({"sentence_id": ids[BEFORE[1]]}, rows) == (None, "gone")
    assert follow({"sentence_id": ids[BEFORE[0]]}, rows) == ({"sentence_id": ids[BEFORE[0]]}, "same")

    again = reconcile(refs_for(ids), labels_dir=labels, sentences_path=sentences, previous_positions=None)
    assert dict(again.counts) == {"unchanged": 3} and load_map(labels) == rows  # a rerun changes nothing


def test_a_gone_sentence_comes_back_when_the_text_is_there_again(tmp_path):
    labels, sentences = tmp_path / "labels", tmp_path / "sentences.jsonl"
    labels.mkdir()
    ids = write_sentences(sentences, {"a1": BEFORE})
    write_sentences(sentences, {"a1": BEFORE[:1]})
    reconcile(refs_for(ids), labels_dir=labels, sentences_path=sentences)
    assert {row["status"] for row in load_map(labels).values()} == {"gone"}
    write_sentences(sentences, {"a1": BEFORE})
    reconcile(refs_for(ids), labels_dir=labels, sentences_path=sentences)
    assert load_map(labels) == {}


def test_old_style_ids_find_their_article_by_the_texts_it_holds(tmp_path):
    labels, sentences = tmp_path / "labels", tmp_path / "sentences.jsonl"
    labels.mkdir()
    ids = write_sentences(sentences, {"other": ["Ganz anders."], "new-a1": BEFORE})
    old = [Reference(f"oldarticle:{n}-{n + 5}", "oldarticle", text) for n, text in enumerate(BEFORE)]
    report = reconcile(old, labels_dir=labels, sentences_path=sentences)
    rows = load_map(labels)
    assert {row["status"] for row in rows.values()} == {"moved"} and report.orphaned == 0
    assert [rows[ref.sentence_id]["now"] for ref in old] == [ids[text] for text in BEFORE]
    assert {row["now_article_id"] for row in rows.values()} == {"new-a1"}


def test_two_sentences_merged_into_one_both_follow_it_for_review(tmp_path):
    labels, sentences = tmp_path / "labels", tmp_path / "sentences.jsonl"
    labels.mkdir()
    parts = ["… und dann sei man bereit zu reden.", "Das sagte der Sprecher am Montag in Moskau."]
    ids = write_sentences(sentences, {"a1": parts})
    merged = write_sentences(sentences, {"a1": [" ".join(parts)]})
    report = reconcile(
        [Reference(ids[t], "a1", t) for t in parts], labels_dir=labels, sentences_path=sentences
    )
    rows = load_map(labels)
    assert report.review == 2 and {row["status"] for row in rows.values()} == {"changed"}
    assert {row["now"] for row in rows.values()} == {merged[" ".join(parts)]}
