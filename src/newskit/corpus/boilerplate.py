"""Removing page furniture from article text, by configurable regex rules.

The default rules live in ``newskit/data/boilerplate.toml`` (name, pattern,
scope, comment per rule); ``--boilerplate FILE`` replaces them. Nothing is
silently dropped: every removed line or fragment is returned with its line
number and the rule that removed it, and ends up in the article's ``cleaning``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError

REPEATED_LINE_RULE = "repeated-line"
TEASER_RULE = "cut-off-teaser"
SCOPES = ("line", "fragment")
_SENTENCE_END = re.compile(r"[.!?:;…“”\"»«)]$")


@dataclass(frozen=True)
class Rule:
    """One furniture pattern: whole lines (scope "line") or pieces of lines (scope "fragment")."""

    name: str
    pattern: re.Pattern[str]
    scope: str
    comment: str = ""


@dataclass(frozen=True)
class RuleSet:
    """The rules in file order, plus where they came from (file name and content hash)."""

    rules: tuple[Rule, ...]
    origin: str
    sha256: str

    @property
    def line_rules(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.scope == "line"]

    @property
    def fragment_rules(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.scope == "fragment"]


@dataclass
class CleanedText:
    """Text without furniture, and the record of everything that was taken out."""

    lines: list[tuple[int, str]]  # (1-based line number in the input, kept text)
    removed: list[dict[str, Any]] = field(default_factory=list)
    joined_lines: list[int] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [text for _, text in self.lines]


def load_rules(path: Path | None = None) -> RuleSet:
    """Load boilerplate rules from ``path`` (default: the rules shipped with newskit)."""
    if path is None:
        data = resources.files("newskit").joinpath("data/boilerplate.toml").read_bytes()
        origin = "newskit/data/boilerplate.toml"
    else:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise NewskitError(
                f"{path}: cannot read the boilerplate rules ({exc.strerror})", "check the --boilerplate path"
            ) from None
        origin = path.name
    return parse_rules(data, origin=origin)


def parse_rules(data: bytes, *, origin: str) -> RuleSet:
    """Parse and validate a rules file; a bad rule is an error naming it."""
    hint = 'each [[rule]] needs name, pattern, scope ("line" or "fragment") and comment'
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise NewskitError(f"{origin}: not a valid TOML file ({exc})", hint) from None
    entries = document.get("rule")
    if not isinstance(entries, list) or not entries:
        raise NewskitError(f"{origin}: no [[rule]] entries", hint)
    rules = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{origin}: rule {number}"
        name, pattern, scope = entry.get("name"), entry.get("pattern"), entry.get("scope", "line")
        if not isinstance(name, str) or not name or not isinstance(pattern, str) or not pattern:
            raise NewskitError(f"{where}: missing name or pattern", hint)
        if name in seen or name in (REPEATED_LINE_RULE, TEASER_RULE):
            raise NewskitError(
                f"{where}: the name {name!r} is used twice or reserved", "give each rule its own name"
            )
        if scope not in SCOPES:
            raise NewskitError(f"{where} ({name}): unknown scope {scope!r}", hint)
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            message = f"{where} ({name}): bad regular expression ({exc})"
            raise NewskitError(message, "fix the pattern") from None
        seen.add(name)
        rules.append(Rule(name, compiled, scope, str(entry.get("comment", ""))))
    return RuleSet(tuple(rules), origin, hashlib.sha256(data).hexdigest())


def _cut_fragments(line: str, rules: list[Rule]) -> tuple[str, list[tuple[str, str]]]:
    """Remove fragment matches from ``line``; return the rest and (rule, removed text) pairs."""
    cuts = []
    for rule in rules:
        found = [match.group(0) for match in rule.pattern.finditer(line) if match.group(0)]
        if found:
            line = rule.pattern.sub("", line)
            cuts.extend((rule.name, text.strip()) for text in found)
    return line, cuts


def _whole_line_rule(line: str, rules: list[Rule]) -> str | None:
    for rule in rules:
        if rule.pattern.fullmatch(line):
            return rule.name
    return None


def remove_furniture(text: str, rules: RuleSet) -> CleanedText:
    """Remove furniture lines and fragments from ``text`` (lines separated by ``\\n``).

    Whitespace inside a line is collapsed, blank lines are dropped (paragraph
    breaks are rebuilt later), a line that repeats an earlier one is removed, and
    a hard-wrapped sentence (a line ending without punctuation, followed directly
    by a line starting in lowercase) is joined back into one line.
    """
    cleaned = CleanedText(lines=[])
    seen: set[str] = set()
    previous_blank = True
    for number, original in enumerate(text.split("\n"), start=1):
        line = " ".join(original.split())
        if not line:
            previous_blank = True
            continue
        rest, cuts = _cut_fragments(line, rules.fragment_rules)
        rest = " ".join(rest.split())
        for rule_name, removed in cuts:
            cleaned.removed.append({"line": number, "rule": rule_name, "scope": "fragment", "text": removed})
        rule_name = _whole_line_rule(rest, rules.line_rules) if rest else None
        if rest and rule_name is None and rest in seen:
            rule_name = REPEATED_LINE_RULE
            _remove_cut_off_teaser(cleaned, rest)
        if rule_name is not None or not rest:
            if rule_name is not None:
                cleaned.removed.append({"line": number, "rule": rule_name, "scope": "line", "text": original})
            continue
        seen.add(rest)
        if cleaned.lines and not previous_blank and _is_hard_wrap(cleaned.lines[-1][1], rest):
            joined_number, before = cleaned.lines[-1]
            cleaned.lines[-1] = (joined_number, f"{before} {rest}")
            cleaned.joined_lines.append(number)
        else:
            cleaned.lines.append((number, rest))
        previous_blank = False
    return cleaned


def _is_hard_wrap(before: str, after: str) -> bool:
    return not _SENTENCE_END.search(before) and after[:1].islower()


def _remove_cut_off_teaser(cleaned: CleanedText, headline: str) -> None:
    """Remove the excerpt of a teaser card: the one line between a headline and its repetition
    that stops in the middle of a word ("… um eine Feuerpau"), i.e. ends in a lowercase letter.
    """
    positions = [index for index, (_, text) in enumerate(cleaned.lines) if text == headline]
    if not positions or positions[0] != len(cleaned.lines) - 2:
        return
    number, text = cleaned.lines[-1]
    if text[-1:].islower() and number not in cleaned.joined_lines:
        cleaned.lines.pop()
        cleaned.removed.append({"line": number, "rule": TEASER_RULE, "scope": "line", "text": text})
        cleaned.removed.sort(key=lambda item: item["line"])
