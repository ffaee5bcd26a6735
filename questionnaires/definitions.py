"""Reading and checking a questionnaire definition (formats.md §1), with no database access."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_ITEMS = 200
# A definition nests 4 levels (object → scales → list → choice); 20 leaves room for any
# honest file while keeping the JSON decoder far from Python's recursion limit.
MAX_JSON_DEPTH = 20
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class DefinitionInvalid(Exception):
    """The definition cannot be loaded; ``problems`` says every reason, in the user's language."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ChoiceDef:
    code: str
    label: str
    score: float | None


@dataclass(frozen=True)
class WaveDef:
    number: int
    label: str
    due_after_days: int
    # formats.md §1 (optional): due on the exit date when one is recorded, open after it.
    at_exit: bool = False


@dataclass(frozen=True)
class ItemDef:
    code: str
    text: str
    dimension: str
    scale: str


@dataclass(frozen=True)
class Definition:
    code: str
    title: str
    waves: tuple[WaveDef, ...]
    scales: dict[str, tuple[ChoiceDef, ...]]
    items: tuple[ItemDef, ...]


def definition_json_load(text: str) -> object:
    """Decode a definition file's JSON, refusing a nesting deeper than MAX_JSON_DEPTH.

    ``json.loads`` recurses once per ``[`` or ``{``: ``[`` × 100,000 would raise a
    RecursionError (a 500) instead of a message, so the depth is measured first, strings
    left aside. Raises DefinitionInvalid (also for text that is not JSON).
    """
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            raise DefinitionInvalid([
                _("The file nests lists or objects more than %(max)d levels deep: it is not a "
                  "questionnaire definition (exchange formats, § 1).") % {"max": MAX_JSON_DEPTH}
            ])
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DefinitionInvalid([
            _("This file is not a JSON definition (UTF-8 text in the format of the exchange "
              "formats, § 1).") + " " + _("The first error is at line %(line)d, column "
                                         "%(column)d.") % {"line": error.lineno,
                                                           "column": error.colno}
        ]) from None
    except (ValueError, RecursionError):
        raise DefinitionInvalid([
            _("This file is not a JSON definition (UTF-8 text in the format of the exchange "
              "formats, § 1).")
        ]) from None


def _text(value, *, where: str, problems: list[str], max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(_("%(where)s: a non-empty text is expected.") % {"where": where})
        return ""
    if len(value) > max_length:
        problems.append(
            _("%(where)s: at most %(max)d characters are allowed.")
            % {"where": where, "max": max_length}
        )
    return value.strip()


def _waves(raw, problems: list[str]) -> tuple[WaveDef, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append(_("“waves”: a list of at least 2 waves is expected."))
        return ()
    waves = []
    for index, wave in enumerate(raw, start=1):
        where = _("wave %(index)d") % {"index": index}
        if not isinstance(wave, dict):
            problems.append(_("%(where)s: an object is expected.") % {"where": where})
            continue
        number = wave.get("number")
        if number != index or isinstance(number, bool):
            problems.append(
                _("%(where)s: “number” must be %(index)d (waves are numbered 1..n in order).")
                % {"where": where, "index": index}
            )
        due = wave.get("due_after_days", 0)
        if not isinstance(due, int) or isinstance(due, bool) or due < 0:
            problems.append(
                _("%(where)s: “due_after_days” must be a whole number of days, 0 or more.")
                % {"where": where}
            )
            due = 0
        at_exit = wave.get("at_exit", False)
        if not isinstance(at_exit, bool):
            problems.append(
                _("%(where)s: “at_exit” must be true or false.") % {"where": where})
            at_exit = False
        label = _text(wave.get("label"), where=where, problems=problems, max_length=100)
        waves.append(WaveDef(number=index, label=label, due_after_days=due, at_exit=at_exit))
    return tuple(waves)


def _scales(raw, problems: list[str]) -> dict[str, tuple[ChoiceDef, ...]]:
    if not isinstance(raw, dict) or not raw:
        problems.append(_("“scales”: an object naming at least one scale is expected."))
        return {}
    scales = {}
    for key, choices in raw.items():
        where = _("scale “%(key)s”") % {"key": key}
        if not _SLUG.match(str(key)) or len(key) > 64:
            problems.append(
                _("%(where)s: the key may only hold letters, digits, “-” and “_”.")
                % {"where": where}
            )
        if not isinstance(choices, list) or not choices:
            problems.append(_("%(where)s: a list of choices is expected.") % {"where": where})
            continue
        parsed, seen = [], set()
        for position, choice in enumerate(choices, start=1):
            cwhere = _("%(where)s, choice %(position)d") % {"where": where, "position": position}
            if not isinstance(choice, dict):
                problems.append(_("%(where)s: an object is expected.") % {"where": cwhere})
                continue
            code = _code_once(choice, where=cwhere, problems=problems, seen=seen)
            score = choice.get("score")
            valid_number = isinstance(score, int | float) and not isinstance(score, bool)
            if score is not None and not (valid_number and math.isfinite(score)):
                problems.append(
                    _("%(where)s: “score” must be a number or null.") % {"where": cwhere}
                )
                score = None
            label = _text(choice.get("label"), where=cwhere, problems=problems, max_length=200)
            parsed.append(
                ChoiceDef(code=code, label=label, score=None if score is None else float(score))
            )
        scales[str(key)] = tuple(parsed)
    return scales


def _code_once(raw: dict, *, where: str, problems: list[str], seen: set[str]) -> str:
    """The code of a choice or an item, a problem if ``seen`` has it already (then it has)."""
    code = _text(raw.get("code"), where=where, problems=problems, max_length=32)
    if code in seen:
        problems.append(
            _("%(where)s: the code “%(code)s” appears twice.") % {"where": where, "code": code}
        )
    seen.add(code)
    return code


def _items(raw, scales: dict, problems: list[str]) -> tuple[ItemDef, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ITEMS:
        problems.append(
            _("“items”: a list of 1 to %(max)d items is expected.") % {"max": MAX_ITEMS}
        )
        return ()
    items, seen = [], set()
    for position, item in enumerate(raw, start=1):
        where = _("item %(position)d") % {"position": position}
        if not isinstance(item, dict):
            problems.append(_("%(where)s: an object is expected.") % {"where": where})
            continue
        code = _code_once(item, where=where, problems=problems, seen=seen)
        if code.lower() in {"beneficiary", "wave", "answered_on"}:
            problems.append(
                _("%(where)s: “%(code)s” is reserved for a column of the responses file.")
                % {"where": where, "code": code}
            )
        scale = item.get("scale")
        if scale not in scales:
            problems.append(
                _("%(where)s: the scale “%(scale)s” is not defined in “scales”.")
                % {"where": where, "scale": scale}
            )
        items.append(
            ItemDef(
                code=code,
                text=_text(item.get("text"), where=where, problems=problems, max_length=2000),
                dimension=_text(
                    item.get("dimension"), where=where, problems=problems, max_length=100
                ),
                scale=str(scale),
            )
        )
    return tuple(items)


def definition_parse(raw: object) -> Definition:
    """Check a decoded JSON definition against formats.md §1; raise DefinitionInvalid."""
    if not isinstance(raw, dict):
        raise DefinitionInvalid([_("The definition must be a JSON object.")])
    problems: list[str] = []
    code = raw.get("code")
    if not isinstance(code, str) or not _SLUG.match(code) or len(code) > 64:
        problems.append(
            _("“code”: a short identifier made of letters, digits, “-” and “_” is expected.")
        )
    title = _text(raw.get("title"), where="“title”", problems=problems, max_length=200)
    waves = _waves(raw.get("waves"), problems)
    scales = _scales(raw.get("scales"), problems)
    items = _items(raw.get("items"), scales, problems)
    if problems:
        raise DefinitionInvalid(problems)
    return Definition(code=code, title=title, waves=waves, scales=scales, items=items)


def _number(score: float | None) -> float | int | None:
    # 3 rather than 3.0, so that a definition round-trips as it was written.
    if score is not None and float(score).is_integer():
        return int(score)
    return score


def definition_dump(definition: Definition) -> dict:
    """The JSON-ready form of formats.md §1."""
    return {
        "code": definition.code,
        "title": definition.title,
        "waves": [
            # "at_exit" only when true: files without it keep their meaning (formats.md §1).
            {"number": w.number, "label": w.label, "due_after_days": w.due_after_days,
             **({"at_exit": True} if w.at_exit else {})}
            for w in definition.waves
        ],
        "scales": {
            key: [{"code": c.code, "label": c.label, "score": _number(c.score)} for c in choices]
            for key, choices in definition.scales.items()
        },
        "items": [
            {"code": i.code, "text": i.text, "dimension": i.dimension, "scale": i.scale}
            for i in definition.items
        ],
    }
