"""The annotator registry: public names and descriptions, validated with the place of an error."""

from __future__ import annotations

import pytest

from newskit.errors import NewskitError
from newskit.labels.adjudicate import public_annotator
from newskit.labels.annotators import Annotator, load_annotators


def test_missing_registry_is_empty(tmp_path):
    assert load_annotators(tmp_path / "annotators.yaml") == {}
    assert load_annotators(None) == {}


def test_registry_maps_ids_to_public_names(tmp_path):
    path = tmp_path / "annotators.yaml"
    path.write_text("a@example.org:\n  name: team-a\n  description: Editors.\n", encoding="utf-8")
    registry = load_annotators(path)
    assert registry == {"a@example.org": Annotator(name="team-a", description="Editors.")}
    assert public_annotator("a@example.org", registry) == "team-a"
    assert public_annotator("b@example.org", registry).startswith("annotator-")
    assert public_annotator("reviewer-1", registry) == "reviewer-1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a@example.org:\n  name: team a\n  description: x\n", "[a@example.org.name]"),
        ("a@example.org:\n  name: team\n", "[a@example.org.description] Field required"),
        ("a@example.org: [1, 2\n", "annotators.yaml:2: not valid YAML"),
        ("- a\n", "expected a mapping"),
        (
            "a@x.org:\n  name: t\n  description: x\nb@x.org:\n  name: t\n  description: y\n",
            "two annotator ids share a public name",
        ),
    ],
)
def test_bad_registry_names_the_place(tmp_path, text, message):
    path = tmp_path / "annotators.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NewskitError) as caught:
        load_annotators(path)
    assert message in caught.value.message
