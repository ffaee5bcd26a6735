"""Importing responses in the "wide" table of formats.md §2: checking, then writing.

Checking turns a ``Table`` (``questionnaires.tables``) into an ``ImportPlan`` or lists every
problem; writing applies a plan in one transaction. The browser upload shows the plan
before it writes; the command writes at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from beneficiaries.models import Beneficiary
from questionnaires.audit import history_bulk_record
from questionnaires.bulk import rows_delete, rows_insert
from questionnaires.models import Answer, Choice, Item, Questionnaire, Response
from questionnaires.signals import responses_changed
from questionnaires.tables import (
    FIXED_COLUMNS,
    ImportRefused,
    Problem,
    Table,
    cell_restore,
    date_parse,
)

logger = logging.getLogger(__name__)


CODE_MAX_LENGTH = Beneficiary._meta.get_field("code").max_length


@dataclass
class RowPlan:
    line: int
    code: str
    wave_id: int
    answered_on: dt.date
    answers: list[tuple[int, int]]  # (item_id, choice_id)
    response_id: int | None = None  # set when the row replaces an existing response


@dataclass
class ImportPlan:
    """What an import would do, checked and ready to write."""

    new_codes: list[str] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.response_id is None)

    @property
    def updated(self) -> int:
        return sum(1 for row in self.rows if row.response_id is not None)

    @property
    def answers(self) -> int:
        return sum(len(row.answers) for row in self.rows)


@dataclass(frozen=True)
class ImportResult:
    beneficiaries_created: int
    responses_created: int
    responses_updated: int  # replaced responses that changed (date or answers)
    answers_written: int  # answers inserted or changed
    responses_unchanged: int = 0  # replaced responses identical to the file's rows


def _header_check(
    header: list[str], items: dict[str, Item]
) -> tuple[list[Problem], dict[int, Item]]:
    problems = []
    lowered = [name.lower() for name in header]
    for name in FIXED_COLUMNS:
        if name not in lowered:
            problems.append(Problem(
                _("the column “%(name)s” is missing (expected: beneficiary, wave, answered_on, "
                  "then item codes).") % {"name": name}, line=1))
    item_columns = {}
    for position, name in enumerate(header):
        if lowered[position] in FIXED_COLUMNS:
            continue
        if name in items:
            item_columns[position] = items[name]
        else:
            problems.append(Problem(
                _("unknown column: it is neither beneficiary, wave, answered_on nor an item "
                  "code of this questionnaire."), line=1, column=name or f"#{position + 1}"))
    for name, count in Counter(lowered).items():
        if count > 1 and name:
            problems.append(Problem(_("this column appears %(count)d times.") % {"count": count},
                                    line=1, column=name))
    return problems, item_columns


def responses_check(*, questionnaire: Questionnaire, table: Table, update: bool) -> ImportPlan:
    """Check every row of ``table``; return the plan, or raise ImportRefused listing them all."""
    items = {item.code: item for item in questionnaire.items.all()}
    waves = {wave.number: wave for wave in questionnaire.waves.all()}
    choices_by_scale: dict[int, dict[str, int]] = defaultdict(dict)
    for choice in Choice.objects.filter(scale__questionnaire=questionnaire):
        choices_by_scale[choice.scale_id][choice.code] = choice.id

    # Cells are compared stripped, and as they were before an export neutralised them.
    table = Table(
        header=[cell_restore(name) for name in table.header],
        rows=[(line, [cell_restore(cell) for cell in cells]) for line, cells in table.rows],
    )
    problems, item_columns = _header_check(table.header, items)
    if problems:
        raise ImportRefused(problems)
    position = {name.lower(): i for i, name in enumerate(table.header)}
    code_at, wave_at, date_at = (position[name] for name in FIXED_COLUMNS)
    today = timezone.localdate()
    width = len(table.header)

    plan = ImportPlan()
    seen: dict[tuple[str, int], int] = {}
    for line, cells in table.rows:
        if len(cells) != width:
            problems.append(Problem(
                _("%(found)d cells where the header has %(expected)d columns.")
                % {"found": len(cells), "expected": width}, line=line))
            continue
        code = cells[code_at].strip()
        if not code:
            problems.append(Problem(_("the beneficiary code is empty."), line=line,
                                    column=table.header[code_at]))
        elif len(code) > CODE_MAX_LENGTH:
            problems.append(Problem(
                _("the beneficiary code is longer than %(max)d characters.")
                % {"max": CODE_MAX_LENGTH}, line=line, column=table.header[code_at]))
        raw_wave = cells[wave_at].strip()
        wave = waves.get(int(raw_wave)) if raw_wave.isdigit() else None
        if wave is None:
            problems.append(Problem(
                _("“%(value)s” is not a wave of this questionnaire (expected: %(waves)s).")
                % {"value": raw_wave, "waves": ", ".join(str(n) for n in waves)},
                line=line, column=table.header[wave_at]))
        raw_date = cells[date_at].strip()
        answered_on = date_parse(raw_date)
        if answered_on is None:
            problems.append(Problem(
                _("“%(value)s” is not a date (expected YYYY-MM-DD or DD/MM/YYYY).")
                % {"value": raw_date}, line=line, column=table.header[date_at]))
        elif answered_on > today:
            problems.append(Problem(
                _("the date %(value)s is in the future.") % {"value": raw_date},
                line=line, column=table.header[date_at]))
        answers = []
        for column, item in item_columns.items():
            value = cells[column].strip()
            if not value:
                continue
            choice_id = choices_by_scale[item.scale_id].get(value)
            if choice_id is None:
                problems.append(Problem(
                    _("“%(value)s” is not a choice of this item (expected: %(codes)s, or empty).")
                    % {"value": value, "codes": ", ".join(choices_by_scale[item.scale_id])},
                    line=line, column=item.code))
            else:
                answers.append((item.id, choice_id))
        if code and wave is not None:
            first = seen.setdefault((code, wave.number), line)
            if first != line:
                problems.append(Problem(
                    _("beneficiary %(code)s already has a row for wave %(wave)d at line %(first)d.")
                    % {"code": code, "wave": wave.number, "first": first}, line=line))
        if wave is not None and answered_on is not None and code:
            plan.rows.append(RowPlan(line=line, code=code, wave_id=wave.id,
                                     answered_on=answered_on, answers=answers))

    existing_codes = dict(
        Beneficiary.objects.filter(
            organisation_id=questionnaire.organisation_id
        ).values_list("code", "id")
    )
    existing_responses = {
        (beneficiary_id, wave_id): response_id
        for response_id, beneficiary_id, wave_id in Response.objects.filter(
            questionnaire=questionnaire
        ).values_list("id", "beneficiary_id", "wave_id")
    }
    wave_numbers = {wave.id: number for number, wave in waves.items()}
    new_codes = {}
    for row in plan.rows:
        beneficiary_id = existing_codes.get(row.code)
        if beneficiary_id is None:
            new_codes.setdefault(row.code, None)
            continue
        response_id = existing_responses.get((beneficiary_id, row.wave_id))
        if response_id is None:
            continue
        if update:
            row.response_id = response_id
        else:
            problems.append(Problem(
                _("beneficiary %(code)s already has a response for wave %(wave)d "
                  "(import with --update to replace it).")
                % {"code": row.code, "wave": wave_numbers[row.wave_id]}, line=row.line))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.line or 0)))
    plan.new_codes = list(new_codes)
    return plan


def _chunks(values: list, size: int = 5000) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


# Every database error of the write (a duplicate saved meanwhile, a deadlock, a lock waited
# for too long, a lost connection) ends the same way: the transaction is rolled back.
WRITE_INTERRUPTED = _noop(
    "The import was interrupted: other users were saving responses for the same people, or "
    "the connection to the database was lost. Nothing was written; import the file again.")

# How long the import waits for a response a counsellor is saving before it gives up
# (PostgreSQL; SQLite serialises writers anyway).
LOCK_TIMEOUT = "20s"


def responses_import(
    *,
    questionnaire: Questionnaire,
    table: Table,
    update: bool = False,
    entered_by: AbstractBaseUser | None = None,
) -> ImportResult:
    """Write every row of ``table`` or none; raises ImportRefused listing each problem."""
    try:
        with transaction.atomic():
            plan = responses_check(questionnaire=questionnaire, table=table, update=update)
            return _plan_write(questionnaire=questionnaire, plan=plan, entered_by=entered_by)
    except DatabaseError as error:
        logger.warning("Import into questionnaire %s rolled back: %s: %s", questionnaire.pk,
                       type(error).__name__, error)
        raise ImportRefused([Problem(_(WRITE_INTERRUPTED))]) from None


def _responses_lock(response_ids: list[int]) -> dict[int, dt.date]:
    """Lock the responses an import replaces, in the order of their ids; their dates.

    A counsellor's save locks its response before its answers (questionnaires/responses.py),
    and two imports lock in the same order: each waits for the other, none deadlocks.
    Refuses the import when one of them was deleted since the check.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    answered_on: dict[int, dt.date] = {}
    for chunk in _chunks(sorted(response_ids)):
        answered_on.update(Response.objects.filter(id__in=chunk).order_by("pk")
                           .select_for_update().values_list("pk", "answered_on"))
    if len(answered_on) != len(response_ids):
        raise ImportRefused([Problem(_(WRITE_INTERRUPTED))])
    return answered_on


def _plan_write(
    *, questionnaire: Questionnaire, plan: ImportPlan, entered_by: AbstractBaseUser | None
) -> ImportResult:
    # Lock before writing anything, so that the import holds no row a saving counsellor
    # needs while it waits for one.
    replaced = [row for row in plan.rows if row.response_id is not None]
    replaced_ids = [row.response_id for row in replaced]
    replaced_dates = _responses_lock(replaced_ids)
    first_dates: dict[str, dt.date] = {}
    for row in plan.rows:
        if row.code in first_dates:
            first_dates[row.code] = min(first_dates[row.code], row.answered_on)
        else:
            first_dates[row.code] = row.answered_on
    new_people = Beneficiary.objects.bulk_create(
        [
            Beneficiary(organisation_id=questionnaire.organisation_id, code=code,
                        entry_date=first_dates[code])
            for code in plan.new_codes
        ],
        batch_size=2000,
    )
    beneficiary_ids = dict(
        Beneficiary.objects.filter(
            organisation_id=questionnaire.organisation_id
        ).values_list("code", "id")
    )
    entered_by_id = entered_by.pk if entered_by is not None else None
    audit = {"user_id": entered_by_id, "reason": "import"}
    changes = _replacement_write(rows=replaced, answered_on=replaced_dates,
                                 entered_by_id=entered_by_id, audit=audit)
    fresh = [row for row in plan.rows if row.response_id is None]
    created = Response.objects.bulk_create(
        [
            Response(beneficiary_id=beneficiary_ids[row.code], questionnaire=questionnaire,
                     wave_id=row.wave_id, answered_on=row.answered_on,
                     entered_by_id=entered_by_id)
            for row in fresh
        ],
        batch_size=2000,
    )
    for row, response in zip(fresh, created, strict=True):
        row.response_id = response.id
    written = rows_insert(
        model=Answer,
        fields=("response", "item", "choice"),
        rows=(
            (row.response_id, item_id, choice_id)
            for row in fresh
            for item_id, choice_id in row.answers
        ),
    )
    # bulk_create and COPY send no signals: write the audit trail, and say the
    # organisation's reports are stale.
    history_bulk_record(model=Beneficiary, column="id", values=[b.pk for b in new_people],
                        history_type="+", **audit)
    history_bulk_record(model=Response, column="id", values=[r.pk for r in created],
                        history_type="+", **audit)
    history_bulk_record(model=Answer, column="response_id",
                        values=[row.response_id for row in fresh], history_type="+", **audit)
    responses_changed.send(sender=Response, organisation_id=questionnaire.organisation_id)
    return ImportResult(
        beneficiaries_created=len(plan.new_codes),
        responses_created=len(fresh),
        responses_updated=changes.responses,
        answers_written=written + changes.answers,
        responses_unchanged=len(replaced) - changes.responses,
    )


@dataclass(frozen=True)
class _Changes:
    responses: int  # responses changed
    answers: int  # answers inserted or changed


def _replacement_write(
    *, rows: list[RowPlan], answered_on: dict[int, dt.date], entered_by_id: int | None,
    audit: dict,
) -> _Changes:
    """Make the replaced responses say what the file says, writing only what differs.

    Each answer removed, changed or added is recorded in its history as simple-history
    would (``-``, ``~``, ``+``), and each response changed (``~``), all in bulk: deleting
    the answers one by one for simple-history's signals took 90 % of a replacing import.
    """
    existing: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for chunk in _chunks(sorted(answered_on)):
        for answer_id, response_id, item_id, choice_id in Answer.objects.filter(
                response_id__in=chunk).order_by().values_list(
                "id", "response_id", "item_id", "choice_id"):
            existing[response_id][item_id] = (answer_id, choice_id)
    removed: list[int] = []
    changed: dict[int, list[int]] = defaultdict(list)  # new choice → answers
    added: list[tuple[int, int, int]] = []
    touched: dict[dt.date, list[int]] = defaultdict(list)  # answered on → responses
    for row in rows:
        old = existing.get(row.response_id, {})
        new = dict(row.answers)
        before = len(removed) + len(added) + sum(map(len, changed.values()))
        for item_id, (answer_id, choice_id) in old.items():
            if item_id not in new:
                removed.append(answer_id)
            elif new[item_id] != choice_id:
                changed[new[item_id]].append(answer_id)
        added.extend((row.response_id, item_id, choice_id)
                     for item_id, choice_id in row.answers if item_id not in old)
        after = len(removed) + len(added) + sum(map(len, changed.values()))
        if after > before or row.answered_on != answered_on[row.response_id]:
            touched[row.answered_on].append(row.response_id)

    history_bulk_record(model=Answer, column="id", values=removed, history_type="-", **audit)
    rows_delete(model=Answer, column="id", values=removed)
    for choice_id, answer_ids in changed.items():
        for chunk in _chunks(answer_ids):
            Answer.objects.filter(id__in=chunk).update(choice_id=choice_id)
    history_bulk_record(model=Answer, column="id",
                        values=[a for ids in changed.values() for a in ids],
                        history_type="~", **audit)
    last_id = Answer.objects.aggregate(last=Max("id"))["last"] or 0
    rows_insert(model=Answer, fields=("response", "item", "choice"), rows=added)
    history_bulk_record(model=Answer, column="response_id",
                        values=sorted({response_id for response_id, _i, _c in added}),
                        history_type="+", above_id=last_id, **audit)
    # One UPDATE per answer date (a file holds few), not bulk_update's CASE per row.
    now = timezone.now()
    for day, response_ids in touched.items():
        for chunk in _chunks(response_ids):
            # A page opened before the import is now stale (optimistic concurrency).
            Response.objects.filter(id__in=chunk).update(
                answered_on=day, entered_by_id=entered_by_id, updated_at=now,
                version=F("version") + 1)
    history_bulk_record(model=Response, column="id",
                        values=[r for ids in touched.values() for r in ids],
                        history_type="~", **audit)
    return _Changes(responses=sum(map(len, touched.values())),
                    answers=len(added) + sum(map(len, changed.values())))
