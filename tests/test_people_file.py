"""import_people / export_people (formats.md §2b): the people file, without names, both ways."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from beneficiaries.models import Beneficiary
from beneficiaries.people_file import PEOPLE_COLUMNS
from tests.factories import BeneficiaryFactory, MembershipFactory

pytestmark = pytest.mark.django_db

HEADER = ("code;counsellor;programme;entry_date;exit_date;exit_reason;situation_6_months;"
          "gender;birth_year;education")
GOOD = (
    f"{HEADER}\n"
    "B-0001;conseillere;Formation;2024-01-10;2024-07-02;employment;employment;f;1990;"
    "upper_secondary\n"
    "B-0002;;Orientation;15/01/2024;;;;m;;\n"
)


def run_import(path, organisation):
    call_command("import_people", str(path), organisation=organisation.slug,
                 stdout=io.StringIO())


def refused(path, organisation) -> str:
    with pytest.raises(CommandError) as error:
        run_import(path, organisation)
    return str(error.value)


def export(organisation, tmp_path) -> bytes:
    target = tmp_path / "people.csv"
    call_command("export_people", organisation=organisation.slug, output=str(target),
                 stdout=io.StringIO())
    return target.read_bytes()


def test_it_creates_people_from_a_good_file(write_file, organisation, counsellor):
    run_import(write_file("p.csv", GOOD), organisation)
    first = Beneficiary.objects.get(organisation=organisation, code="B-0001")
    assert first.counsellor == counsellor.user
    assert (first.entry_date, first.exit_date) == (dt.date(2024, 1, 10), dt.date(2024, 7, 2))
    assert (first.exit_reason, first.situation_6_months) == ("employment", "employment")
    assert first.situation_recorded_on == timezone.localdate()
    assert (first.gender, first.birth_year, first.education_level) == ("f", 1990,
                                                                        "upper_secondary")
    second = Beneficiary.objects.get(organisation=organisation, code="B-0002")
    assert second.entry_date == dt.date(2024, 1, 15)  # DD/MM/YYYY
    assert second.counsellor is None
    assert second.exit_date is None


def test_it_reads_a_comma_separated_file_with_a_bom(write_file, organisation, counsellor):
    run_import(write_file("p.csv", "\ufeff" + GOOD.replace(";", ",")), organisation)
    assert Beneficiary.objects.filter(organisation=organisation).count() == 2


def test_a_known_code_is_updated_and_its_name_kept(write_file, organisation, counsellor):
    person = BeneficiaryFactory(organisation=organisation, code="B-0001", first_name="Léa",
                                last_name="Martin", programme="Ancien")
    run_import(write_file("p.csv", GOOD), organisation)
    person.refresh_from_db()
    assert person.programme == "Formation"
    assert (person.first_name, person.last_name) == ("Léa", "Martin")
    assert Beneficiary.objects.filter(organisation=organisation).count() == 2


def test_columns_left_out_of_the_file_are_left_as_they_were(write_file, organisation):
    person = BeneficiaryFactory(organisation=organisation, code="B-0001", programme="Formation",
                                exit_date=dt.date(2024, 5, 1), exit_reason="training")
    run_import(write_file("p.csv", "code;gender\nB-0001;x\n"), organisation)
    person.refresh_from_db()
    assert person.gender == "x"
    assert (person.programme, person.exit_reason) == ("Formation", "training")


def test_an_update_is_recorded_in_the_persons_history(write_file, organisation, counsellor):
    person = BeneficiaryFactory(organisation=organisation, code="B-0001")
    run_import(write_file("p.csv", GOOD), organisation)
    latest = person.history.latest()
    assert latest.history_type == "~"
    assert latest.situation_6_months == "employment"
    assert latest.history_change_reason == "import"


def test_an_unchanged_person_is_not_written_again(write_file, organisation, counsellor):
    path = write_file("p.csv", GOOD)
    run_import(path, organisation)
    person = Beneficiary.objects.get(organisation=organisation, code="B-0001")
    versions = person.history.count()
    out = io.StringIO()
    call_command("import_people", str(path), organisation=organisation.slug, stdout=out)
    assert person.history.count() == versions
    assert "0 créée(s), 0 mise(s) à jour, 2 inchangée(s)" in out.getvalue()


def test_a_bad_file_writes_nothing_and_names_every_problem_by_line_and_column(
        write_file, organisation, counsellor):
    BeneficiaryFactory(organisation=organisation, code="B-0009", programme="Garde")
    bad = (
        f"{HEADER}\n"
        "B-0009;;Changé;;;;;;;\n"
        "B-0001;inconnu;;2024-13-01;;moved;;z;1850;college\n"
        "B-0002;;;2024-05-01;2024-03-01;;;;;\n"
        "B-0003;;;2024-01-01;;;employment;;;\n"
        "B-0002;;;;;;;;;\n"
    )
    message = refused(write_file("p.csv", bad), organisation)
    assert "Rien n'a été importé" in message
    for expected in (
        "Ligne 3, colonne « counsellor »",
        "Ligne 3, colonne « entry_date » : « 2024-13-01 » n'est pas une date",
        "Ligne 3, colonne « gender »",
        "Ligne 3, colonne « birth_year »",
        "Ligne 3, colonne « education »",
        "Ligne 4, colonne « exit_date »",
        "Ligne 5, colonne « situation_6_months »",
        "Ligne 6, colonne « code »",
    ):
        assert expected in message, expected
    assert Beneficiary.objects.filter(organisation=organisation).count() == 1
    assert Beneficiary.objects.get(code="B-0009").programme == "Garde"


def test_a_situation_cannot_be_recorded_before_six_months_have_passed(write_file,
                                                                        organisation):
    recent = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    message = refused(write_file("p.csv", f"code;exit_date;situation_6_months\n"
                                          f"B-1;{recent};employment\n"), organisation)
    assert "Ligne 2, colonne « situation_6_months »" in message
    assert not Beneficiary.objects.exists()


def test_an_exit_in_the_future_is_refused(write_file, organisation):
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    message = refused(write_file("p.csv", f"code;exit_date\nB-1;{later}\n"), organisation)
    assert "Ligne 2, colonne « exit_date »" in message


def test_clearing_an_exit_that_has_a_situation_is_refused(write_file, organisation):
    BeneficiaryFactory(organisation=organisation, code="B-1", exit_date=dt.date(2024, 6, 5),
                       exit_reason="employment", situation_6_months="employment",
                       situation_recorded_on=dt.date(2025, 1, 1))
    message = refused(write_file("p.csv", "code;exit_date;exit_reason\nB-1;;\n"), organisation)
    assert "situation_6_months" in message
    assert Beneficiary.objects.get(code="B-1").exit_date == dt.date(2024, 6, 5)


@pytest.mark.parametrize("column", ["first_name", "last_name", "nom"])
def test_names_are_never_read(write_file, organisation, column):
    message = refused(write_file("p.csv", f"code;{column}\nB-1;Martin\n"), organisation)
    assert f"colonne « {column} »" in message
    assert not Beneficiary.objects.exists()


def test_a_counsellor_of_another_organisation_is_refused(write_file, organisation, outsider):
    message = refused(write_file("p.csv", f"code;counsellor\nB-1;{outsider.user.username}\n"),
                      organisation)
    assert "Ligne 2, colonne « counsellor »" in message


def test_a_board_member_is_not_a_counsellor(write_file, organisation, board_member):
    message = refused(write_file("p.csv", f"code;counsellor\nB-1;{board_member.user.username}\n"),
                      organisation)
    assert "Ligne 2, colonne « counsellor »" in message


def test_an_unknown_organisation_is_a_one_line_error_with_exit_2(write_file, db):
    with pytest.raises(CommandError) as error:
        call_command("import_people", str(write_file("p.csv", GOOD)), organisation="nope")
    assert error.value.returncode == 2
    assert "\n" not in str(error.value)
    with pytest.raises(CommandError) as error:
        call_command("export_people", organisation="nope", output="/tmp/never.csv")
    assert error.value.returncode == 2


def test_the_export_has_the_exact_header_a_bom_and_semicolons(organisation, counsellor,
                                                             tmp_path):
    BeneficiaryFactory(organisation=organisation, code="B-1", counsellor=counsellor.user,
                       first_name="Léa", last_name="Secret", entry_date=dt.date(2024, 1, 10),
                       exit_date=dt.date(2024, 7, 2), exit_reason="employment",
                       situation_6_months="employment", situation_recorded_on=dt.date(2025, 1, 5),
                       gender="f", birth_year=1990, education_level="upper_secondary",
                       programme="Formation")
    data = export(organisation, tmp_path)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == HEADER == ";".join(PEOPLE_COLUMNS)
    assert lines[1] == ("B-1;conseillere;Formation;2024-01-10;2024-07-02;employment;employment;"
                        "f;1990;upper_secondary")
    assert "Léa" not in text
    assert "Secret" not in text


def test_the_export_leaves_out_other_organisations(organisation, outsider, tmp_path):
    BeneficiaryFactory(organisation=outsider.organisation, code="OTHER-1")
    BeneficiaryFactory(organisation=organisation, code="MINE-1")
    text = export(organisation, tmp_path).decode("utf-8-sig")
    assert "MINE-1" in text
    assert "OTHER-1" not in text


def test_a_programme_that_looks_like_a_formula_is_neutralised_and_comes_back(
        organisation, other_organisation, tmp_path):
    BeneficiaryFactory(organisation=organisation, code="B-1", programme="=HYPERLINK(1)")
    data = export(organisation, tmp_path)
    assert ";'=HYPERLINK(1);" in data.decode("utf-8-sig")
    path = tmp_path / "back.csv"
    path.write_bytes(data)
    run_import(path, other_organisation)
    assert Beneficiary.objects.get(organisation=other_organisation).programme == "=HYPERLINK(1)"


def test_the_export_re_imported_elsewhere_gives_the_same_file(organisation, other_organisation,
                                                              counsellor, tmp_path):
    MembershipFactory(organisation=other_organisation, role="counsellor",
                      user=counsellor.user)
    for i, (exit_date, reason, situation) in enumerate([
            (None, "", ""), (dt.date(2024, 3, 1), "dropped_out", ""),
            (dt.date(2023, 6, 1), "employment", "job_seeker"),
            (dt.date(2023, 9, 1), "", "unknown")]):
        BeneficiaryFactory(
            organisation=organisation, code=f"B-{i}", counsellor=counsellor.user if i % 2 else None,
            entry_date=dt.date(2023, 1, 1 + i), exit_date=exit_date, exit_reason=reason,
            situation_6_months=situation,
            situation_recorded_on=dt.date(2024, 12, 1) if situation else None,
            gender="fmx"[i % 3], birth_year=1980 + i, programme=f"P;{i}, \"q\"")
    first = export(organisation, tmp_path)
    path = tmp_path / "copy.csv"
    path.write_bytes(first)
    run_import(path, other_organisation)
    assert export(other_organisation, tmp_path) == first
    rows = list(csv.reader(io.StringIO(first.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 5
