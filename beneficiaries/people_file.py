"""The people file of formats.md §2b: one row per person, without names, in and out.

Reading and the problems' wording are the responses import's (questionnaires.tables):
the same encodings, delimiters, dates and "line, column: message" list. Checking turns a
table into a ``PeoplePlan`` or lists every problem; writing applies a plan in one
transaction, with the audit trail simple-history would have written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from beneficiaries.models import Beneficiary
from beneficiaries.services import situation_due_on
from beneficiaries.signals import people_changed
from organisations.models import Organisation
from organisations.permissions import roles_with
from questionnaires.audit import history_bulk_record
from questionnaires.imports import CODE_MAX_LENGTH
from questionnaires.tables import (
    ImportRefused,
    Problem,
    Table,
    cell_neutralise,
    cell_restore,
    date_parse,
    table_write_csv,
)

PEOPLE_COLUMNS = ("code", "counsellor", "programme", "entry_date", "exit_date", "exit_reason",
                  "situation_6_months", "gender", "birth_year", "education")
# The file's column → the model's field.
FIELD_OF = {"counsellor": "counsellor_id", "education": "education_level"}
# Columns a spreadsheet of people often has and this file never reads.
NAME_COLUMNS = {"first_name", "last_name", "name", "firstname", "lastname", "nom", "prénom",
                "prenom", "nom de famille"}
PROGRAMME_MAX_LENGTH = Beneficiary._meta.get_field("programme").max_length
DATE_COLUMNS = ("entry_date", "exit_date")
CODED_COLUMNS = {
    "exit_reason": Beneficiary.ExitReason.values,
    "situation_6_months": Beneficiary.Situation.values,
    "gender": Beneficiary.Gender.values,
    "education": Beneficiary.Education.values,
}


@dataclass
class PeoplePlan:
    """What an import would do: the new people and the changed ones, checked."""

    created: list[Beneficiary] = field(default_factory=list)
    updated: list[Beneficiary] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    unchanged: int = 0


@dataclass(frozen=True)
class PeopleImportResult:
    created: int
    updated: int
    unchanged: int


def _header_check(header: list[str]) -> tuple[list[Problem], dict[str, int]]:
    problems = []
    lowered = [cell_restore(name).lower() for name in header]
    if "code" not in lowered:
        problems.append(Problem(_("the column “code” is missing."), line=1))
    for position, name in enumerate(lowered):
        if name in NAME_COLUMNS:
            problems.append(Problem(
                _("names are never imported: remove this column from the file."),
                line=1, column=header[position]))
        elif name not in PEOPLE_COLUMNS:
            problems.append(Problem(
                _("unknown column (expected: %(columns)s).")
                % {"columns": ", ".join(PEOPLE_COLUMNS)},
                line=1, column=header[position] or f"#{position + 1}"))
    for name, count in Counter(lowered).items():
        if count > 1 and name:
            problems.append(Problem(_("this column appears %(count)d times.") % {"count": count},
                                    line=1, column=name))
    return problems, {name: i for i, name in enumerate(lowered)}


def _counsellors(organisation: Organisation) -> dict[str, int]:
    """Usernames of the organisation's members who can follow people → user id."""
    return dict(get_user_model().objects.filter(
        memberships__organisation=organisation, memberships__role__in=roles_with("follow_people"),
    ).values_list("username", "id"))


def _row_values(
    cells: dict[str, str], *, line: int, counsellors: dict[str, int], today: dt.date,
    problems: list[Problem],
) -> dict[str, Any]:
    """The row's model values for the valid cells it has; each bad cell is a problem."""

    def refuse(column: str, message: str) -> None:
        problems.append(Problem(message, line=line, column=column))

    values: dict[str, Any] = {}
    for column, value in cells.items():
        if column == "counsellor":
            if value and value not in counsellors:
                refuse(column, _("“%(value)s” is not the username of a counsellor or director "
                                 "of the organisation (or leave it empty).") % {"value": value})
            else:
                values["counsellor_id"] = counsellors.get(value)
        elif column == "programme":
            if len(value) > PROGRAMME_MAX_LENGTH:
                refuse(column, _("the programme is longer than %(max)d characters.")
                       % {"max": PROGRAMME_MAX_LENGTH})
            else:
                values["programme"] = value
        elif column in DATE_COLUMNS:
            date = date_parse(value) if value else None
            if value and date is None:
                refuse(column, _("“%(value)s” is not a date (expected YYYY-MM-DD or DD/MM/YYYY).")
                       % {"value": value})
            elif column == "exit_date" and date is not None and date > today:
                refuse(column, _("the date %(value)s is in the future.") % {"value": value})
            else:
                values[column] = date
        elif column in CODED_COLUMNS:
            if value and value not in CODED_COLUMNS[column]:
                refuse(column, _("“%(value)s” is not a code of this column (expected: %(codes)s, "
                                 "or empty).")
                       % {"value": value, "codes": ", ".join(CODED_COLUMNS[column])})
            else:
                values[FIELD_OF.get(column, column)] = value
        elif column == "birth_year":
            year = int(value) if value.isdigit() else None
            if value and (year is None or not 1900 <= year <= today.year):
                refuse(column, _("“%(value)s” is not a birth year (expected 1900 to %(year)d, "
                                 "or empty).") % {"value": value, "year": today.year})
            else:
                values["birth_year"] = year
    return values


def _record_check(person: Beneficiary, *, line: int, today: dt.date,
                  problems: list[Problem]) -> None:
    """The rules across fields, on the person as the row would leave them."""
    if person.exit_date is None:
        if person.exit_reason:
            problems.append(Problem(_("an exit reason needs an exit date."), line=line,
                                    column="exit_reason"))
        if person.situation_6_months:
            problems.append(Problem(_("a situation 6 months after exit needs an exit date."),
                                    line=line, column="situation_6_months"))
        return
    if person.entry_date is not None and person.exit_date < person.entry_date:
        problems.append(Problem(
            _("the exit date is before the entry date (%(entry)s).")
            % {"entry": date_format(person.entry_date)}, line=line, column="exit_date"))
    due_on = situation_due_on(exit_date=person.exit_date)
    if person.situation_6_months and due_on > today:
        problems.append(Problem(
            _("the situation 6 months after exit can only be recorded from %(date)s.")
            % {"date": date_format(due_on)}, line=line, column="situation_6_months"))


def people_check(*, organisation: Organisation, table: Table,
                 today: dt.date | None = None) -> PeoplePlan:
    """Check every row of ``table``; return the plan, or raise ImportRefused listing them all.

    ``code`` is the key: unknown codes create a person, known ones are updated with the
    columns the file has (an empty cell clears the value: it means "not recorded").
    """
    today = today or timezone.localdate()
    problems, position = _header_check(table.header)
    if problems:
        raise ImportRefused(problems)
    width = len(table.header)
    counsellors = _counsellors(organisation)
    existing = {person.code: person for person in Beneficiary.objects.filter(
        organisation=organisation)}
    plan = PeoplePlan()
    seen: dict[str, int] = {}
    for line, raw in table.rows:
        if len(raw) != width:
            problems.append(Problem(
                _("%(found)d cells where the header has %(expected)d columns.")
                % {"found": len(raw), "expected": width}, line=line))
            continue
        cells = {name: cell_restore(raw[i]) for name, i in position.items()}
        code = cells["code"]
        if not code:
            problems.append(Problem(_("the code is empty."), line=line, column="code"))
            continue
        if len(code) > CODE_MAX_LENGTH:
            problems.append(Problem(_("the code is longer than %(max)d characters.")
                                    % {"max": CODE_MAX_LENGTH}, line=line, column="code"))
            continue
        first = seen.setdefault(code, line)
        if first != line:
            problems.append(Problem(_("the code %(code)s already has a row at line %(first)d.")
                                    % {"code": code, "first": first}, line=line, column="code"))
            continue
        count_before = len(problems)
        values = _row_values({k: v for k, v in cells.items() if k != "code"}, line=line,
                             counsellors=counsellors, today=today, problems=problems)
        bad_cells = len(problems) > count_before
        current = existing.get(code)
        person = Beneficiary(organisation=organisation, code=code) if current is None else (
            Beneficiary(**{f.attname: getattr(current, f.attname)
                           for f in Beneficiary._meta.concrete_fields}))
        changed = {name for name, value in values.items() if getattr(person, name) != value}
        for name in changed:
            setattr(person, name, values[name])
        if "situation_6_months" in changed:
            person.situation_recorded_on = today if person.situation_6_months else None
            changed.add("situation_recorded_on")
        # Rules across fields, unless a date they compare was unreadable.
        if not any(name in cells and name not in values for name in DATE_COLUMNS):
            _record_check(person, line=line, today=today, problems=problems)
        if bad_cells:
            continue
        if current is None:
            plan.created.append(person)
        elif changed:
            plan.updated.append(person)
            plan.changed_fields |= changed
        else:
            plan.unchanged += 1
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.line or 0)))
    return plan


@transaction.atomic
def people_import(*, organisation: Organisation, table: Table,
                  today: dt.date | None = None) -> PeopleImportResult:
    """Write every row of ``table`` or none; raises ImportRefused listing each problem.

    The organisation's people are locked from the check to the write, so that a colleague
    saving a person meanwhile waits, and no value is written from a stale read.
    """
    list(Beneficiary.objects.select_for_update().filter(organisation=organisation)
         .values_list("id", flat=True))
    plan = people_check(organisation=organisation, table=table, today=today)
    now = timezone.now()
    try:
        with transaction.atomic():
            created = Beneficiary.objects.bulk_create(plan.created, batch_size=2000)
            for person in plan.updated:
                person.updated_at = now
            Beneficiary.objects.bulk_update(
                plan.updated, sorted(plan.changed_fields | {"updated_at"}), batch_size=1000)
    except IntegrityError:
        # Someone added a person with one of these codes between the check and the write.
        raise ImportRefused([Problem(_(
            "Another user changed the same people while the file was being imported. Nothing "
            "was written; import the file again."))]) from None
    # bulk writes send no signals: write the audit trail, and say reports are stale.
    audit = {"user_id": None, "reason": "import"}
    history_bulk_record(model=Beneficiary, column="id", values=[p.pk for p in created],
                        history_type="+", **audit)
    history_bulk_record(model=Beneficiary, column="id", values=[p.pk for p in plan.updated],
                        history_type="~", **audit)
    people_changed.send(sender=Beneficiary, organisation_id=organisation.id)
    return PeopleImportResult(created=len(created), updated=len(plan.updated),
                              unchanged=plan.unchanged)


def people_export_rows(*, organisation: Organisation) -> Iterator[list[str]]:
    """The people file of formats.md §2b, header first, by code; never a name."""
    yield list(PEOPLE_COLUMNS)
    rows = Beneficiary.objects.filter(organisation=organisation).order_by("code").values_list(
        "code", "counsellor__username", "programme", "entry_date", "exit_date", "exit_reason",
        "situation_6_months", "gender", "birth_year", "education_level")
    for (code, counsellor, programme, entry_date, exit_date, exit_reason, situation, gender,
         birth_year, education) in rows.iterator(chunk_size=5000):
        yield [cell_neutralise(code), cell_neutralise(counsellor or ""),
               cell_neutralise(programme), entry_date.isoformat() if entry_date else "",
               exit_date.isoformat() if exit_date else "", exit_reason, situation, gender,
               "" if birth_year is None else str(birth_year), education]


def people_export_csv(*, organisation: Organisation, stream: io.TextIOBase) -> int:
    """Write the people file to a text stream (``table_write_csv``). Returns the rows."""
    return table_write_csv(people_export_rows(organisation=organisation), stream)
