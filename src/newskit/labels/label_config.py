"""The Label Studio labeling config and annotator instructions, generated from the label schema.

The config shows the sentence with its context (title, source, date, the sentences
before and after, visually subordinate) and one ``<Choices>`` block per task. Each
``<Choice>`` shows the label's display name and stores its id: Label Studio 1.x puts
``alias`` instead of ``value`` into annotation results (``Choice.resultValue`` is
``alias ?? value`` in its editor), so results hold schema label ids.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from newskit.errors import NewskitError
from newskit.labels.schema import Schema, Task

# Label Studio's editor resolves ``$source`` to its own copy of the whole task (JSON), not to
# ``data.source`` (measured with 1.23.2; ``$data.source`` is undefined). The article's source is
# therefore shown from this extra task data key, which `newskit push` sets next to ``source``.
SOURCE_DISPLAY_KEY = "source_name"
# Task data keys that Label Studio shadows and that a config must never reference.
SHADOWED_DATA_KEYS = frozenset({"source"})
CONTEXT_STYLE = "color: #6b6b6b; font-size: 0.85em; margin: 0.2em 0;"
META_STYLE = CONTEXT_STYLE + " border-bottom: 1px solid #e0e0e0; padding-bottom: 0.4em; margin-bottom: 0.6em;"
SENTENCE_STYLE = (
    "font-size: 1.15em; font-weight: 600; padding: 0.6em; margin: 0.4em 0; border-left: 4px solid #4a6fa5;"
)
TASK_STYLE = "margin-top: 1em;"
GUIDELINES_VERSION_LINE = re.compile(
    r"^\*{0,2}(?:Version|Guidelines version)\*{0,2}:?\*{0,2}\s*([0-9][\w.-]*)", re.M
)


def _choices_element(task: Task) -> ET.Element:
    """The ``<View>`` with header and ``<Choices>`` of one task."""
    view = ET.Element("View", {"style": TASK_STYLE})
    header = f"{task.title}: {task.question}" if task.question else task.title
    ET.SubElement(view, "Header", {"value": header, "size": "5"})
    attributes = {
        "name": task.name,
        "toName": "text",
        "choice": "multiple" if task.kind == "multi" else "single-radio",
        "required": "true",
        "requiredMessage": f"{task.title}: bitte eine Auswahl treffen",
        "showInline": "false",
    }
    choices = ET.SubElement(view, "Choices", attributes)
    for label in task.labels:
        choice = {"value": label.display, "alias": label.id}
        if label.hotkey:
            choice["hotkey"] = label.hotkey
        if label.description:
            choice["hint"] = " ".join(label.description.split())
        ET.SubElement(choices, "Choice", choice)
    return view


def render_label_config(schema: Schema) -> str:
    """The Label Studio labeling config (XML) for ``schema``; deterministic, ends with a newline."""
    root = ET.Element("View")
    root.append(
        ET.Comment(f" generated from the label schema {schema.name!r} v{schema.version}; do not edit ")
    )
    context = ET.SubElement(root, "View", {"style": META_STYLE})
    ET.SubElement(context, "Header", {"value": "$title", "size": "6"})
    ET.SubElement(context, "Text", {"name": "source_name", "value": f"${SOURCE_DISPLAY_KEY}"})
    ET.SubElement(context, "Text", {"name": "date", "value": "$date"})
    before = ET.SubElement(root, "View", {"style": CONTEXT_STYLE})
    ET.SubElement(before, "Text", {"name": "context_before", "value": "$context_before"})
    sentence = ET.SubElement(root, "View", {"style": SENTENCE_STYLE})
    ET.SubElement(sentence, "Text", {"name": "text", "value": "$text"})
    after = ET.SubElement(root, "View", {"style": CONTEXT_STYLE})
    ET.SubElement(after, "Text", {"name": "context_after", "value": "$context_after"})
    for task in schema.tasks:
        root.append(_choices_element(task))
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


REVIEW_NOTE_KEY = "review_note"
REVIEW_STYLE = (
    "background: #fff4d6; border-left: 4px solid #d9a400; padding: 0.4em 0.6em; margin-bottom: 0.6em;"
)


def render_review_config(schema: Schema) -> str:
    """The labeling config of a review queue: the schema's config with the review note on top.

    The note (task data key ``review_note``) says which task was flagged, the label it has and
    the one the model suggests; the choices and their ids are the schema's, so review answers
    are pulled and adjudicated like any other annotation.
    """
    root = ET.fromstring(render_label_config(schema))
    note = ET.Element("View", {"style": REVIEW_STYLE})
    ET.SubElement(note, "Text", {"name": REVIEW_NOTE_KEY, "value": f"${REVIEW_NOTE_KEY}"})
    root.insert(0, note)
    root.insert(0, ET.Comment(f" review queue for the label schema {schema.name!r} v{schema.version} "))
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def validate_result(schema: Schema, result_items: Iterable[dict[str, Any]]) -> list[str]:
    """Problems in one Label Studio annotation ``result`` list (empty list = fine).

    Label Studio accepts unknown choice values silently, so results are checked here:
    unknown task names, unknown label ids, several choices in a single task, an
    exclusive label chosen together with others, a task answered twice.
    """
    problems: list[str] = []
    tasks = {task.name: task for task in schema.tasks}
    answered: set[str] = set()
    for position, item in enumerate(result_items):
        if not isinstance(item, dict):
            problems.append(f"result[{position}]: expected an object, got {type(item).__name__}")
            continue
        name = item.get("from_name")
        if item.get("type") not in (None, "choices"):
            problems.append(f"result[{position}]: unexpected result type {item.get('type')!r} for {name!r}")
            continue
        if name not in tasks:
            problems.append(f"result[{position}]: unknown task {name!r} (known: {', '.join(tasks)})")
            continue
        task = tasks[name]
        if name in answered:
            problems.append(f"result[{position}]: task {name!r} answered twice")
        answered.add(name)
        choices = (item.get("value") or {}).get("choices")
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            problems.append(f"result[{position}]: task {name!r} has no list of choices")
            continue
        unknown = [c for c in choices if c not in task.label_ids]
        if unknown:
            problems.append(
                f"result[{position}]: unknown label(s) {', '.join(map(repr, unknown))} for task {name!r}"
            )
        if task.kind == "single" and len(choices) > 1:
            problems.append(f"result[{position}]: task {name!r} takes one label, got {len(choices)}")
        for label_id in task.exclusive:
            if label_id in choices and len(set(choices)) > 1:
                problems.append(f"result[{position}]: {label_id!r} must be chosen alone in task {name!r}")
    return problems


def guidelines_version(text: str) -> str | None:
    """The version a guidelines document declares (a ``Version: 1.0`` line), if any."""
    match = GUIDELINES_VERSION_LINE.search(text)
    return match.group(1) if match else None


def _label_tables(schema: Schema) -> str:
    """HTML tables of every task's labels (display, id, hotkey, description), escaped."""
    escape = html.escape
    parts: list[str] = []
    for task in schema.tasks:
        kind = (
            "mehrere möglich / choose all that apply" if task.kind == "multi" else "genau eine / exactly one"
        )
        parts.append(f"<h3>{escape(task.title)} (<code>{escape(task.name)}</code>, {kind})</h3>")
        if task.question:
            parts.append(f"<p>{escape(task.question)}</p>")
        if task.exclusive:
            alone = ", ".join(f"<code>{escape(label_id)}</code>" for label_id in task.exclusive)
            parts.append(f"<p>Nur allein wählbar / must be chosen alone: {alone}</p>")
        rows = [
            "<tr><th>Taste / key</th><th>Label</th><th>id</th><th>Beschreibung / description</th></tr>",
            *(
                f"<tr><td><kbd>{escape(label.hotkey or '')}</kbd></td><td>{escape(label.display)}</td>"
                f"<td><code>{escape(label.id)}</code></td><td>{escape(label.description)}</td></tr>"
                for label in task.labels
            ),
        ]
        parts.append("<table>" + "".join(rows) + "</table>")
    return "\n".join(parts)


def _heading_slug(title: str, seen: dict[str, int]) -> str:
    """GitHub's heading anchor: lowercase, punctuation dropped, spaces to '-', repeats numbered."""
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def _markdown_to_html(text: str) -> str:
    """Render the guidelines; raw HTML is escaped, headings get GitHub-style ids so in-page links work."""
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = renderer.parse(text)
    seen: dict[str, int] = {}
    for opening, inline in pairwise(tokens):
        if opening.type == "heading_open":
            opening.attrSet("id", _heading_slug(inline.content, seen))
    return renderer.renderer.render(tokens, renderer.options, {})


def render_instructions(schema: Schema, guidelines_path: Path | None = None) -> str:
    """HTML instructions for annotators: the guidelines version, label tables and the guidelines.

    The guidelines file defaults to the schema's ``guidelines`` entry next to the schema
    file. Raw HTML in the markdown is escaped, not passed through. A guidelines file that
    declares another version than ``schema.guidelines_version`` is an error.
    """
    path = guidelines_path if guidelines_path is not None else schema.guidelines_path
    title = html.escape(f"Annotationsrichtlinien / Annotation guidelines — {schema.name}")
    parts = [
        f"<h2>{title}</h2>",
        f"<p><strong>Guidelines version {html.escape(schema.guidelines_version)}</strong>"
        f" · schema version {html.escape(schema.version)}</p>",
        _label_tables(schema),
    ]
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NewskitError(
                f"{path}: guidelines file not found", "check `guidelines:` in the schema"
            ) from None
        declared = guidelines_version(text)
        if declared != schema.guidelines_version:
            raise NewskitError(
                f"{path}: guidelines declare version {declared!r}, "
                f"the schema says {schema.guidelines_version!r}",
                "update the 'Version:' line of the guidelines or guidelines_version in the schema",
            )
        parts.append("<hr/>")
        parts.append(_markdown_to_html(text))
    return "\n".join(parts) + "\n"
