"""Pipelines of every model kind, byte-identical skops files, and refusal of untrusted or broken files."""

from __future__ import annotations

import fractions

import numpy as np
import pytest
import skops.io as sio

from newskit.errors import NewskitError
from newskit.training.config import FeatureConfig
from newskit.training.models import build_model, class_probabilities, load_model, save_model

TEXTS = np.array(
    [f"Russland greift Stadt {i} mit Drohnen an." for i in range(6)]
    + [f"Die EU verhandelt in Runde {i} über Frieden." for i in range(6)]
    + [f"In Kiew fällt zum {i}. Mal der Strom aus." for i in range(6)],
    dtype=object,
)
SINGLE = np.repeat([0, 1, 2], 6)
MULTI = np.eye(3, dtype=np.int64)[SINGLE]
FEATURES = FeatureConfig(word_ngrams=(1, 1), char_ngrams=(2, 3))
PARAMS = {
    "logreg": {"model": "logreg", "C": 1.0, "class_weight": "balanced"},
    "linear_svm": {"model": "linear_svm", "C": 1.0, "class_weight": "none"},
    "complement_nb": {"model": "complement_nb", "alpha": 1.0},
    "sgd": {"model": "sgd", "alpha": 1e-4, "class_weight": "balanced"},
    "nbsvm": {
        "model": "nbsvm",
        "C": 1.0,
        "class_weight": "balanced",
        "attribution": True,
        "char_weight": 0.5,
    },
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["single", "multi"])
@pytest.mark.parametrize("model", sorted(PARAMS))
def test_every_model_saves_and_loads_with_identical_predictions(tmp_path, model, kind):
    pipeline = build_model(kind, PARAMS[model], FEATURES, seed=3).fit(
        TEXTS, SINGLE if kind == "single" else MULTI
    )
    save_model(pipeline, tmp_path / "m.skops")
    loaded = load_model(tmp_path / "m.skops")
    before = class_probabilities(pipeline, TEXTS, kind, 3)
    after = class_probabilities(loaded, TEXTS, kind, 3)
    assert before.shape == (len(TEXTS), 3)
    np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(pipeline.predict(TEXTS), loaded.predict(TEXTS))


def test_hashing_features_save_and_load(tmp_path):
    features = FeatureConfig(kind="hashing", word_ngrams=(1, 2), char_ngrams=None, hashing_features=2**12)
    pipeline = build_model("single", PARAMS["sgd"], features, seed=3).fit(TEXTS, SINGLE)
    save_model(pipeline, tmp_path / "m.skops")
    np.testing.assert_array_equal(
        pipeline.predict_proba(TEXTS), load_model(tmp_path / "m.skops").predict_proba(TEXTS)
    )


def test_same_model_gives_byte_identical_files(tmp_path):
    first = build_model("multi", PARAMS["logreg"], FEATURES, seed=3).fit(TEXTS, MULTI)
    second = build_model("multi", PARAMS["logreg"], FEATURES, seed=3).fit(TEXTS, MULTI)
    save_model(first, tmp_path / "a.skops")
    save_model(second, tmp_path / "b.skops")
    save_model(load_model(tmp_path / "b.skops"), tmp_path / "c.skops")
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "c.skops").read_bytes()


def test_constant_label_in_multi_task_is_saved(tmp_path):
    labels = np.c_[MULTI, np.zeros(len(TEXTS), dtype=np.int64)]  # a label nobody has
    pipeline = build_model("multi", PARAMS["logreg"], FEATURES, seed=3)
    with pytest.warns(UserWarning, match="present in all training examples"):
        pipeline.fit(TEXTS, labels)
    save_model(pipeline, tmp_path / "m.skops")
    assert load_model(tmp_path / "m.skops").predict_proba(TEXTS)[:, 3].max() == 0


def test_untrusted_type_is_refused(tmp_path):
    path = tmp_path / "evil.skops"
    sio.dump({"payload": fractions.Fraction(1, 3)}, path)
    with pytest.raises(NewskitError) as error:
        load_model(path)
    assert error.value.one_line() == (
        f"error: {path}: refusing to load untrusted types fractions.Fraction "
        "(hint: only load models written by `newskit train`)"
    )


def test_not_a_skops_file_is_one_line_error(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(b"\x80\x04 this is a pickle, not a skops zip")
    with pytest.raises(NewskitError) as error:
        load_model(path)
    assert error.value.one_line() == (
        f"error: {path}: not a skops model file (BadZipFile) (hint: retrain with `newskit train`)"
    )


def test_missing_model_file(tmp_path):
    with pytest.raises(NewskitError, match="model file not found"):
        load_model(tmp_path / "absent.skops")


def test_hashing_models_give_byte_identical_files(tmp_path):
    features = FeatureConfig(kind="hashing", word_ngrams=(1, 2), char_ngrams=(3, 4), hashing_features=2**12)
    for name in ("a", "b"):
        pipeline = build_model("multi", PARAMS["sgd"], features, seed=3).fit(TEXTS, MULTI)
        save_model(pipeline, tmp_path / f"{name}.skops")
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()


def test_attribution_features_are_cue_and_speaker():
    from newskit.training.models import build_features

    texts = np.array(
        ["Das sei falsch, sagte der Kremlsprecher.", "Laut Kiew fielen Raketen.", "Moskau zufolge nicht."],
        dtype=object,
    )
    union = build_features(FeatureConfig(attribution=True), {}).fit(texts)
    analyzer = dict(union.transformer_list)["attribution"].build_analyzer()
    assert [analyzer(text) for text in texts] == [
        ["sagte der kremlsprecher"],
        ["laut kiew"],
        ["moskau zufolge"],
    ]
    assert union.transform(np.array(["Ohne Quelle."], dtype=object)).shape[0] == 1  # no cue: no error
