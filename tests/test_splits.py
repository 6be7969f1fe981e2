"""Article-grouped splits and duplicate detection: nothing crosses a split."""

from __future__ import annotations

import numpy as np
import pytest

from newskit.corpus.duplicates import find_duplicate_pairs, jaccard, normalize_for_duplicates, shingles
from newskit.dataset.assign import assign_splits, group_articles, parse_ratios
from newskit.errors import NewskitError

BASE = "Die ukrainische Armee meldete am Montag schwere Angriffe auf die Stadt Charkiw im Osten des Landes."


def sentence(article: str, index: int, text: str) -> dict:
    return {"id": f"{article}:{index}-{index + 1}", "article_id": article, "index": index, "text": text}


def test_normalization_ignores_case_quotes_punctuation_and_spacing():
    assert normalize_for_duplicates("„Das  ist\u00a0GUT“, sagte er.") == "das ist gut sagte er"
    assert normalize_for_duplicates("ﬁnal") == "final"  # NFKC folds the ligature


def test_exact_duplicates_across_articles_are_found_within_an_article_not():
    sentences = [
        sentence("a", 0, BASE),
        sentence("a", 1, BASE),  # same article: not a cross-article link
        sentence("b", 0, "„" + BASE.upper() + "“"),
        sentence("c", 0, "Ganz anderer Satz über Getreideexporte aus Odessa am Schwarzen Meer."),
    ]
    pairs = find_duplicate_pairs(sentences)
    assert {(p.first, p.second, p.kind) for p in pairs} == {
        ("a:0-1", "b:0-1", "exact"),
        ("a:1-2", "b:0-1", "exact"),
    }


def test_near_duplicate_pair_is_found_and_a_different_sentence_is_not():
    near = BASE.replace("meldete", "meldet")
    assert jaccard(shingles(normalize_for_duplicates(BASE)), shingles(normalize_for_duplicates(near))) >= 0.9
    far = BASE.replace("schwere Angriffe auf die Stadt Charkiw", "neue Verhandlungen in Istanbul")
    pairs = find_duplicate_pairs([sentence("a", 0, BASE), sentence("b", 0, near), sentence("c", 0, far)])
    assert [(p.first, p.second, p.kind) for p in pairs] == [("a:0-1", "b:0-1", "near")]
    assert 0.9 <= pairs[0].similarity < 1


def test_short_sentences_never_link_articles():
    pairs = find_duplicate_pairs([sentence("a", 0, "Das sagte er."), sentence("b", 0, "Das sagte er.")])
    assert pairs == []


def test_prefix_filter_finds_the_same_pairs_as_brute_force():
    texts = [
        BASE,
        BASE.replace("Montag", "Dienstag"),
        BASE.replace("Charkiw", "Cherson"),
        BASE + " Es gab Verletzte.",
        BASE.replace("schwere", "heftige"),
        "Der Kreml wies die Vorwürfe am Abend erneut entschieden zurück und sprach von Propaganda.",
        "Der Kreml wies die Vorwürfe am Abend entschieden zurück und sprach von Propaganda.",
    ]
    sentences = [sentence(f"art{i}", 0, text) for i, text in enumerate(texts)]
    found = {(p.first, p.second) for p in find_duplicate_pairs(sentences, threshold=0.8)}
    keys = [shingles(normalize_for_duplicates(text)) for text in texts]
    expected = {
        (sentences[i]["id"], sentences[j]["id"])
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if jaccard(keys[i], keys[j]) >= 0.8
    }
    assert found == expected
    assert len(expected) >= 3  # the fixture really has near pairs at this threshold


def test_group_articles_is_transitive():
    groups = group_articles(["a", "b", "c", "d", "e"], [("a", "c"), ("c", "e")])
    assert groups == [["a", "c", "e"], ["b"], ["d"]]


def test_parse_ratios_accepts_three_numbers_summing_to_one():
    assert parse_ratios("0.8,0.1,0.1") == (0.8, 0.1, 0.1)
    assert parse_ratios("1,0,0") == (1.0, 0.0, 0.0)
    for bad in ("0.8,0.2", "0.5,0.5,0.5", "a,b,c", "0.9,-0.1,0.2", "0,0.5,0.5"):
        with pytest.raises(NewskitError, match="--ratios"):
            parse_ratios(bad)


def test_five_articles_fill_every_split_and_say_so():
    sizes = {f"{i:016x}": 10 for i in range(5)}
    plan = assign_splits(sizes, [], ratios=(0.8, 0.1, 0.1), seed=13)
    counts = {
        name: sum(1 for split in plan.article_split.values() if split == name)
        for name in plan.article_split.values()
    }
    assert set(counts) == {"train", "validation", "test"}
    assert counts["train"] == 3
    assert set(plan.article_split) == set(sizes)
    assert any("would have been empty" in note for note in plan.notes)


def test_too_few_articles_leave_a_split_empty_with_a_note():
    plan = assign_splits({"a": 3, "b": 4}, [], ratios=(0.8, 0.1, 0.1), seed=13)
    assert len(set(plan.article_split.values())) == 2
    assert any("is empty" in note for note in plan.notes)


def test_zero_ratio_split_stays_empty_without_a_note():
    plan = assign_splits({f"a{i}": 5 for i in range(6)}, [], ratios=(0.9, 0.1, 0.0), seed=1)
    assert "test" not in plan.article_split.values()
    assert plan.notes == []


def test_split_is_deterministic_and_depends_on_the_seed():
    sizes = {f"{i:016x}": (i % 7) + 1 for i in range(60)}
    first = assign_splits(sizes, [], seed=13).article_split
    assert first == assign_splits(dict(reversed(sizes.items())), [], seed=13).article_split
    assert first != assign_splits(sizes, [], seed=14).article_split


def test_sentence_ratios_are_roughly_met_with_many_articles():
    sizes = {f"{i:016x}": 10 for i in range(100)}
    plan = assign_splits(sizes, [], ratios=(0.8, 0.1, 0.1), seed=13)
    per_split = {
        name: list(plan.article_split.values()).count(name) for name in ("train", "validation", "test")
    }
    assert per_split == {"train": 80, "validation": 10, "test": 10}


def test_no_article_and_no_duplicate_crosses_splits():
    """Many articles, some sharing exact and near-exact sentences: linked articles share a split."""
    filler = "Beobachter berichten über die Lage in Artikel Nummer {n} mit eigenen Worten und Zahlen."
    sentences = []
    for n in range(40):
        article = f"{n:016x}"
        sentences += [
            sentence(article, 0, filler.format(n=n)),
            sentence(article, 1, f"Satz {n} eins zwei drei vier."),
        ]
    shared_near = BASE.replace("meldete", "meldet")
    sentences += [sentence(f"{3:016x}", 2, BASE), sentence(f"{29:016x}", 2, shared_near)]  # near pair
    sentences += [
        sentence(f"{7:016x}", 2, BASE + " Exakt."),
        sentence(f"{31:016x}", 2, "„" + BASE + " Exakt“"),
    ]
    pairs = find_duplicate_pairs(sentences)
    article_of = {s["id"]: s["article_id"] for s in sentences}
    links = [(article_of[p.first], article_of[p.second]) for p in pairs]
    assert {frozenset(link) for link in links} >= {
        frozenset({f"{3:016x}", f"{29:016x}"}),
        frozenset({f"{7:016x}", f"{31:016x}"}),
    }
    sizes: dict[str, int] = {}
    for s in sentences:
        sizes[s["article_id"]] = sizes.get(s["article_id"], 0) + 1
    for seed in range(20):
        plan = assign_splits(sizes, links, ratios=(0.5, 0.25, 0.25), seed=seed)
        for first, second in links:
            assert plan.article_split[first] == plan.article_split[second]
        split_of_sentence = {s["id"]: plan.article_split[s["article_id"]] for s in sentences}
        for p in pairs:
            assert split_of_sentence[p.first] == split_of_sentence[p.second]
        assert len(set(plan.article_split.values())) == 3


def test_assign_splits_checks_ratios_given_in_code():
    with pytest.raises(NewskitError, match=r"--ratios '0.5,0.5,0.5'"):
        assign_splits({"a": 1}, [], ratios=(0.5, 0.5, 0.5))


def _labeled_articles(n_articles: int, rare_every: int, seed: int = 5) -> tuple[dict, dict]:
    """Articles of 5–15 sentences; every ``rare_every``-th carries the rare labels (multi-label too)."""
    rng = np.random.default_rng(seed)
    sizes, labels = {}, {}
    for i in range(n_articles):
        name = f"{i:016x}"
        sizes[name] = int(rng.integers(5, 16))
        counts = {"stance:neutral": sizes[name] - 1, "event_types:diplomacy": sizes[name] // 2}
        if i % rare_every == 0:
            counts |= {"stance:pro_russia": 1, "event_types:nuclear_safety": 2, "event_types:strike": 1}
        labels[name] = counts
    return sizes, labels


@pytest.mark.parametrize("seed", [1, 13, 99])
def test_every_label_reaches_every_split_when_enough_articles_carry_it(seed):
    """80 articles, 7 carry the rare labels: a split by hash alone often leaves one without them."""
    sizes, labels = _labeled_articles(80, rare_every=12)
    plan = assign_splits(sizes, [], ratios=(0.8, 0.1, 0.1), seed=seed, labels_per_article=labels)
    for label in ("stance:pro_russia", "event_types:nuclear_safety", "event_types:strike"):
        splits = {plan.article_split[a] for a, counts in labels.items() if counts.get(label)}
        assert splits == {"train", "validation", "test"}, label
    assert plan.warnings == []
    sentences = {name: 0 for name in ("train", "validation", "test")}
    for article, split in plan.article_split.items():
        sentences[split] += sizes[article]
    total = sum(sizes.values())
    assert 0.7 < sentences["train"] / total < 0.9
    assert all(0.05 < sentences[name] / total < 0.16 for name in ("validation", "test"))


def test_hash_order_alone_misses_rare_labels_that_stratification_places():
    """The same data without labels (sentence counts only) leaves a rare label out of a split."""
    sizes, labels = _labeled_articles(80, rare_every=12)
    missed = 0
    for seed in range(10):
        plan = assign_splits(sizes, [], ratios=(0.8, 0.1, 0.1), seed=seed)
        carriers = {plan.article_split[a] for a, counts in labels.items() if counts.get("stance:pro_russia")}
        missed += carriers != {"train", "validation", "test"}
    assert missed > 0


def test_a_label_too_rare_for_every_split_goes_to_train_and_is_warned_about():
    sizes = {f"{i:016x}": 10 for i in range(20)}
    labels = {name: {"stance:neutral": 10} for name in sizes}
    labels["0000000000000007"] = {"stance:neutral": 9, "stance:pro_russia": 1}
    plan = assign_splits(sizes, [], ratios=(0.8, 0.1, 0.1), seed=13, labels_per_article=labels)
    assert plan.article_split["0000000000000007"] == "train"
    assert plan.warnings == [
        "label stance:pro_russia is in no 'validation' article (1 article group(s) carry it)",
        "label stance:pro_russia is in no 'test' article (1 article group(s) carry it)",
    ]


def test_stratified_split_is_deterministic_and_keeps_linked_articles_together():
    sizes, labels = _labeled_articles(40, rare_every=5)
    names = sorted(sizes)
    links = [(names[0], names[1]), (names[5], names[9])]
    first = assign_splits(sizes, links, seed=3, labels_per_article=labels)
    again = assign_splits(dict(reversed(sizes.items())), links, seed=3, labels_per_article=labels)
    assert first.article_split == again.article_split
    assert first.article_split[names[0]] == first.article_split[names[1]]
    assert first.article_split[names[5]] == first.article_split[names[9]]
