"""Bad input never crashes nor writes: random bytes, encodings, huge cells, formulas, HTML."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires.exports import responses_export_csv
from questionnaires.imports import responses_check, responses_import
from questionnaires.models import Response
from questionnaires.tables import (
    ImportRefused,
    Table,
    cell_neutralise,
    cell_restore,
    table_read_csv,
)

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def outcome(function, argument):
    """(result, None) or (None, the ImportRefused it raised); any other exception propagates."""
    try:
        return function(argument), None
    except ImportRefused as refusal:
        return None, refusal


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_are_read_or_refused_with_a_message(data):
    table, refusal = outcome(table_read_csv, data)
    if refusal is None:
        assert isinstance(table, Table)
    else:
        assert refusal.problems
        assert all(str(problem) for problem in refusal.problems)


@FUZZ
@given(st.text(max_size=300), st.sampled_from(["utf-16", "cp1252", "latin-1", "utf-8"]))
def test_any_text_in_any_encoding_never_crashes_the_reader(text, encoding):
    table, refusal = outcome(table_read_csv, text.encode(encoding, errors="replace"))
    assert table is not None or refusal.problems


cell = st.one_of(st.sampled_from(["A", "B", "C", "NSP", "", "Z", "1", "2024-01-15",
                                  "15/01/2024", "=1+1", "'=cmd", "<b>x</b>"]),
                 st.text(max_size=12))


@FUZZ
@given(st.lists(st.lists(cell, min_size=0, max_size=6), max_size=8))
def test_random_tables_are_planned_or_refused_and_never_written(questionnaire, rows):
    header = ["beneficiary", "wave", "answered_on", "Q01", "Q02"]
    table = Table(header=header, rows=[(i + 2, r) for i, r in enumerate(rows)])
    plan, refusal = outcome(lambda t: responses_check(questionnaire=questionnaire, table=t,
                                                      update=False), table)
    assert plan is not None or all(problem.message for problem in refusal.problems)
    assert not Response.objects.exists()


def test_a_huge_cell_is_refused_with_a_message(questionnaire):
    data = f"beneficiary;wave;answered_on;Q01\n{'X' * 1_000_000};1;2024-01-15;A\n".encode()
    with pytest.raises(ImportRefused) as refusal:
        responses_import(questionnaire=questionnaire, table=table_read_csv(data))
    assert "caractères" in str(refusal.value.problems[0])
    assert not Response.objects.exists()


@pytest.mark.parametrize("code", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)"])
def test_a_code_that_looks_like_a_formula_is_neutralised_in_the_export(questionnaire, code):
    responses_import(questionnaire=questionnaire, table=table_read_csv(
        f"beneficiary;wave;answered_on;Q01\n{code};1;2024-01-15;A\n".encode()))
    stream = io.StringIO()
    responses_export_csv(questionnaire=questionnaire, stream=stream)
    row = stream.getvalue().splitlines()[1]
    assert row.startswith("'") or row.startswith("\"'")


@FUZZ
@given(st.text(max_size=20).filter(lambda value: value == value.strip()))
def test_restoring_a_neutralised_cell_gives_it_back(value):
    assert cell_restore(cell_neutralise(value)) == value


def test_html_in_an_organisation_name_is_escaped(client, counsellor, other_organisation):
    from tests.factories import MembershipFactory

    MembershipFactory(user=counsellor.user, organisation=other_organisation, role="board")
    counsellor.organisation.name = "<script>alert('x')</script>"
    counsellor.organisation.save()
    client.force_login(counsellor.user)
    body = client.get(reverse("home")).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf",
                                                  b"\xff\xfe", b"%PDF-1.4"]))
def test_any_uploaded_file_is_read_or_refused_with_a_message(data, prefix):
    from questionnaires.tables import table_read_upload

    table, refusal = outcome(table_read_upload, prefix + data)
    assert table is not None or all(str(problem) for problem in refusal.problems)


form_value = st.one_of(st.text(max_size=30), st.sampled_from(
    ["A", "B", "C", "NSP", "", "2024-01-15", "15/01/2024", "2999-01-01", "on", "<b>"]))


@FUZZ
@given(st.dictionaries(st.sampled_from(["answered_on", "token", "response", "allow_unanswered",
                                        "item_Q01", "item_Q02", "item_Q99", "other"]),
                       form_value, max_size=8))
def test_the_entry_form_accepts_or_explains_any_submission(questionnaire, data):
    from beneficiaries.forms import ResponseEntryForm

    items = list(questionnaire.items.prefetch_related("scale__choices"))
    form = ResponseEntryForm(data, items=items)
    if form.is_valid():
        assert form.cleaned_data["answered_on"] <= dt.date.today() + dt.timedelta(days=1)
    else:
        assert all(str(message) for errors in form.errors.values() for message in errors)
