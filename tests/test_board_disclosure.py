"""The board as an attacker: nothing it can see, alone or subtracted, gives away 1 to 4 people.

Over the demo, every output the board can ask for (each fixed cut: its JSON, dashboard, PDF;
the aggregate CSV and XLSX) is collected. The populations behind each output are computed
here from the database, independently of analysis/disclosure.py, and every difference an
attacker can take (two outputs, or the whole history minus the published programmes or
periods inside it) is checked: where it isolates 1 to 4 people at a wave, no count of that
wave may be published in both outputs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from html import unescape
from itertools import combinations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from analysis.disclosure import board_cut_parse
from questionnaires.models import Response
from questionnaires.seeding import demo_seed
from reports.selectors import ReportFilters, board_cuts, board_filters, impact_report

pytestmark = pytest.mark.django_db

SMALL = range(1, 5)
# Keys whose integers count people or answers (the others are wave numbers, dof, versions).
COUNT_KEYS = {"count", "n", "n_responses", "n_answered", "unanswered", "improved", "stable",
              "worsened", "n_beneficiaries", "answered_first", "due", "answered",
              "not_yet_due", "positive_exits", "n_missing", "n_pairs", "followed",
              "situation_due", "stayed", "left", "b", "c", "n_nonzero", "counts",
              "respondents", "funnel", "exits", "situation_6_months", *(
                  "still_followed", "employment", "training", "other_support", "dropped_out",
                  "moved", "other", "unknown")}


@pytest.fixture
def demo():
    return demo_seed(organisation_slug="ca-demo", n=160).questionnaire


@pytest.fixture
def board_client(client, demo):
    client.force_login(get_user_model().objects.get(username="ca-demo-ca"))
    return client


# -- populations, computed here from the rows -----------------------------------------------


def people(questionnaire) -> dict[int, dict]:
    """Each person: wave-1 date, programme, waves answered."""
    first_wave = questionnaire.waves.order_by("number").first().number
    found: dict[int, dict] = {}
    for pk, wave, day, programme in Response.objects.filter(
            questionnaire=questionnaire).values_list(
            "beneficiary_id", "wave__number", "answered_on", "beneficiary__programme"):
        person = found.setdefault(pk, {"entry": None, "programme": programme, "waves": set()})
        person["waves"].add(wave)
        if wave == first_wave and (person["entry"] is None or day < person["entry"]):
            person["entry"] = day
    return found


def members(cut_key: str, everyone: dict[int, dict]) -> set[int]:
    cut = board_cut_parse(cut_key)
    if cut.kind == "all":
        return set(everyone)
    if cut.kind == "programme":
        return {pk for pk, p in everyone.items() if p["programme"] == cut.programme}
    return {pk for pk, p in everyone.items()
            if p["entry"] is not None and cut.start <= p["entry"] <= cut.end}


def at(group: set[int], everyone: dict[int, dict], waves: tuple[int, ...]) -> set[int]:
    """The people of ``group`` who answered every wave of ``waves``."""
    return {pk for pk in group if set(waves) <= everyone[pk]["waves"]}


# -- what the board publishes ------------------------------------------------------------------


def published_cells(report: dict) -> dict[tuple, int]:
    """Every count the report publishes, keyed by what it counts and the waves it rests on."""
    cells: dict[tuple, int] = {}
    for item in report.get("items") or []:
        for block in item.get("frequencies") or []:
            waves = (block["wave"],)
            for choice in [*block["choices"], *block["unscored"]]:
                if choice["count"] is not None:
                    cells[("choice", item["code"], choice["code"], waves)] = choice["count"]
            if block.get("unanswered") is not None:
                cells[("unanswered", item["code"], waves)] = block["unanswered"]
        for comparison in item.get("comparisons") or []:
            waves = tuple(comparison["waves"])
            for code, pair in (comparison["independent"].get("counts") or {}).items():
                for wave, value in zip(waves, pair, strict=True):
                    if value is not None:
                        cells[("choice", item["code"], code, (wave,))] = value
            for key in ("improved", "stable", "worsened"):
                if comparison["paired"].get(key) is not None:
                    cells[("paired", item["code"], key, waves)] = comparison["paired"][key]
    for key, value in (report.get("respondents") or {}).items():
        if value is not None:
            cells[("respondents", tuple(int(w) for w in key.split("-")))] = value
    return cells


def board_reports(questionnaire) -> dict[str, dict]:
    return {cut.key: impact_report(questionnaire=questionnaire, filters=board_filters(cut=cut))
            for cut in board_cuts(questionnaire=questionnaire)}


def differences_leaking(reports: dict[str, dict], everyone: dict[int, dict],
                        groups: dict[str, set[int]]) -> list[tuple]:
    """Cells published in two outputs whose populations differ by 1 to 4 people."""
    leaks = []
    for a, b in combinations(reports, 2):
        cells_a, cells_b = published_cells(reports[a]), published_cells(reports[b])
        for key in cells_a.keys() & cells_b.keys():
            waves = key[-1]
            left, right = at(groups[a], everyone, waves), at(groups[b], everyone, waves)
            if len(left - right) in SMALL or len(right - left) in SMALL:
                leaks.append((a, b, key, cells_a[key] - cells_b[key]))
    return leaks


def subtractions_leaking(reports: dict[str, dict], everyone: dict[int, dict],
                         groups: dict[str, set[int]], parent: str,
                         parts: list[str]) -> list[tuple]:
    """Cells published in ``parent`` and in every one of ``parts`` (disjoint cuts inside it)
    whose rest (parent minus the parts) holds 1 to 4 people at that wave."""
    leaks = []
    if not parts:
        return leaks
    parent_cells = published_cells(reports[parent])
    part_cells = [published_cells(reports[p]) for p in parts]
    for key, value in parent_cells.items():
        if not all(key in cells for cells in part_cells):
            continue
        waves = key[-1]
        rest = at(groups[parent], everyone, waves) - set().union(
            *(at(groups[p], everyone, waves) for p in parts))
        if len(rest) in SMALL:
            leaks.append((parent, parts, key, value - sum(c[key] for c in part_cells)))
    return leaks


# -- the attacks -------------------------------------------------------------------------------


def test_no_two_board_outputs_differ_by_a_group_of_one_to_four_people(demo):
    reports = board_reports(demo)
    assert len(reports) >= 3  # the whole history and at least a year or a programme
    everyone = people(demo)
    groups = {key: members(key, everyone) for key in reports}
    assert differences_leaking(reports, everyone, groups) == []


def test_subtracting_the_published_programmes_from_the_whole_leaves_no_small_group(demo):
    reports = board_reports(demo)
    everyone = people(demo)
    groups = {key: members(key, everyone) for key in reports}
    programmes = [key for key in reports if key.startswith("programme:")]
    years = [key for key in reports if re.fullmatch(r"\d{4}", key)]
    # Every subset of the published programmes, not only all of them.
    for size in range(1, len(programmes) + 1):
        for parts in combinations(programmes, size):
            assert subtractions_leaking(reports, everyone, groups, "", list(parts)) == []
    assert subtractions_leaking(reports, everyone, groups, "", years) == []
    for year in years:
        semesters = [key for key in reports if key.startswith(f"{year}-S")]
        assert subtractions_leaking(reports, everyone, groups, year, semesters) == []


def test_the_check_finds_the_leak_of_free_dates_one_day_apart(demo):
    """The checker is not blind: the operator's free periods, one day apart, leak."""
    everyone = people(demo)
    entries = sorted({p["entry"] for p in everyone.values() if p["entry"]})
    first, last = entries[0], entries[-1]
    reports = {
        "all": impact_report(questionnaire=demo, filters=ReportFilters()),
        "minus": impact_report(questionnaire=demo, filters=ReportFilters(
            cohort_from=first, cohort_to=last - dt.timedelta(days=1))),
    }
    groups = {"all": set(everyone), "minus": {
        pk for pk, p in everyone.items() if p["entry"] and p["entry"] < last}}
    leaks = differences_leaking(reports, everyone, groups)
    assert leaks
    assert {leak[3] for leak in leaks if leak[2][0] == "choice"} <= {0, 1}


def test_board_periods_one_day_apart_are_refused_and_show_the_same_report(board_client, demo):
    everyone = people(demo)
    entries = sorted({p["entry"] for p in everyone.values() if p["entry"]})
    page = reverse("reports:dashboard", args=[demo.organisation.slug, demo.public_id])
    whole = board_client.get(page).context["view_key"]
    # Every end date at which the population changes, and the day before it.
    for day in entries[1::7]:
        for end in (day - dt.timedelta(days=1), day):
            response = board_client.get(page, {"du": entries[0].isoformat(),
                                               "au": end.isoformat()})
            assert response.status_code == 200
            assert response.context["filters_invalid"]
            assert response.context["view_key"] == whole


def test_every_free_period_the_board_asks_for_maps_to_the_whole_history(demo):
    from reports.forms import ReportFilterForm

    cuts = board_cuts(questionnaire=demo)
    entries = sorted({p["entry"] for p in people(demo).values() if p["entry"]})
    for day in entries:
        for data in ({"du": entries[0].isoformat(), "au": day.isoformat()},
                     {"du": day.isoformat()}, {"au": day.isoformat()},
                     {"du": day.strftime("%d/%m/%Y")}):
            form = ReportFilterForm(data, counsellors=None, programmes=[], comparisons=[],
                                    board_cuts=cuts)
            assert form.filters_invalid()
            assert form.report_filters() == board_filters(cut=board_cut_parse(""))


def test_the_boards_report_is_the_same_from_the_command(demo, tmp_path):
    cut = next(c for c in board_cuts(questionnaire=demo) if c.key)
    path = tmp_path / "board.json"
    call_command("impact_report", "--organisation", demo.organisation.slug, "--questionnaire",
                 demo.code, "--audience", "board", "--cut", cut.key, "-o", str(path))
    assert json.loads(path.read_text()) == json.loads(json.dumps(
        impact_report(questionnaire=demo, filters=board_filters(cut=cut))))


def test_a_board_command_with_a_free_period_is_refused_with_exit_code_2(demo):
    with translation.override("fr"), pytest.raises(CommandError) as error:
        call_command("impact_report", "--organisation", demo.organisation.slug,
                     "--questionnaire", demo.code, "--audience", "board",
                     "--from", "2024-01-01", "--to", "2024-03-14")
    assert error.value.returncode == 2
    assert "n’accepte que ses découpages fixes" in str(error.value)
    assert "Tout l’historique" in str(error.value)


def test_the_operators_json_keeps_every_count(demo, tmp_path):
    path = tmp_path / "operator.json"
    call_command("impact_report", "--organisation", demo.organisation.slug, "--questionnaire",
                 demo.code, "-o", str(path))
    assert any(value in SMALL for value in count_values(json.loads(path.read_text())))


# -- no count below 5 in anything the board receives ---------------------------------------


def count_values(value, key: str | None = None):
    """Every integer under a key that counts people or answers."""
    if isinstance(value, dict):
        for k, v in value.items():
            counting = key in COUNT_KEYS and k not in ("wave", "waves")
            yield from count_values(v, k if k in COUNT_KEYS or not counting else key)
    elif isinstance(value, list):
        for v in value:
            yield from count_values(v, key)
    elif isinstance(value, int) and not isinstance(value, bool) and key in COUNT_KEYS:
        yield value


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<title>.*?</title>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# Small integers that are not counts of people: degrees of freedom, ranks in the ranking
# (before a question code), "2 questions sur 30", page numbers, dates and wave numbers.
NOT_COUNTS = re.compile(
    r"(ddl|df) = [1-4]\b|\b[1-4] Q\d\d\b|\b[1-4] (questions?|sur)\b|\b\d+ / \d+\b"
    r"|\b[1-4](er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre"
    r"|novembre|décembre)\b|\b[1-4]\s?[→-]\s?\d\b|\b\d\s?[→-]\s?[1-4]\b|semestre [12]"
    r"|\bS[12]\b|\b[1-4]\s?%")
SMALL_NUMBER = re.compile(r"(?<![\d,.:/\w+−-])[1-4](?![\d,.:/\w-])")


def small_numbers(text: str) -> list[str]:
    text = NOT_COUNTS.sub(" ", text)
    return [text[max(0, m.start() - 60): m.end() + 30] for m in SMALL_NUMBER.finditer(text)]


def test_no_count_below_five_in_the_boards_json(demo):
    for key, report in board_reports(demo).items():
        assert [v for v in count_values(report) if v in SMALL] == [], key


def test_no_count_below_five_in_the_boards_dashboards(board_client, demo):
    page = reverse("reports:dashboard", args=[demo.organisation.slug, demo.public_id])
    for cut in board_cuts(questionnaire=demo):
        query = ({"programme": cut.programme} if cut.kind == "programme"
                 else {"du": cut.key} if cut.key else {})
        for comparison in ("1-2", "2-3", "1-3"):
            response = board_client.get(page, {**query, "comparaison": comparison})
            assert response.status_code == 200
            assert not response.context["filters_invalid"], cut.key
            text = visible_text(response.content.decode())
            assert small_numbers(text) == [], (cut.key, comparison)
            # Periods in months, never days.
            assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", text), cut.key


def test_no_count_below_five_in_the_boards_pdf(board_client, demo, tmp_path):
    url = reverse("reports:pdf", args=[demo.organisation.slug, demo.public_id])
    for query in ({}, {"comparaison": "1-2"}):
        path = tmp_path / "board.pdf"
        path.write_bytes(board_client.get(url, query).content)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert small_numbers(" ".join(text.split())) == []


def download(client, name: str, questionnaire) -> bytes:
    response = client.get(reverse(f"questionnaires:{name}",
                                  args=[questionnaire.organisation.slug, questionnaire.public_id]))
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_no_count_below_five_in_the_boards_aggregate_files(board_client, demo):
    csv_text = download(board_client, "export_aggregate_csv", demo).decode("utf-8-sig")
    rows = [line.split(";") for line in csv_text.splitlines()[1:]]
    assert rows
    assert not [r for r in rows if r[7].isdigit() and int(r[7]) in SMALL]
    assert not [r for r in rows if r[9].isdigit() and int(r[9]) in SMALL]
    book = CalamineWorkbook.from_filelike(io.BytesIO(
        download(board_client, "export_aggregate_xlsx", demo)))
    table = book.get_sheet_by_index(0).to_python()
    numbers = [cell for row in table[1:] for cell in (row[7:8] + row[9:10])
               if isinstance(cell, int | float)]
    assert numbers
    assert not [n for n in numbers if 0 < n < 5]


def test_the_aggregate_files_hide_the_cells_the_boards_dashboard_hides(board_client, demo):
    text = download(board_client, "export_aggregate_csv", demo).decode("utf-8-sig")
    exported = {(r[0], int(r[3]), r[5]): (None if not r[7].isdigit() else int(r[7]))
                for r in (line.split(";") for line in text.splitlines()[1:])}
    report = impact_report(questionnaire=demo, filters=board_filters(cut=board_cut_parse("")))
    shown = {(item["code"], block["wave"], choice["code"]): choice["count"]
             for item in report["items"] for block in item["frequencies"]
             for choice in [*block["choices"], *block["unscored"]]}
    assert exported == shown
    assert None in exported.values()


def test_the_boards_report_has_its_own_cache_entry(demo):
    from reports.cache import report_cached

    operator = report_cached(questionnaire=demo, filters=ReportFilters())
    board = report_cached(questionnaire=demo, filters=board_filters(cut=board_cut_parse("")))
    assert board.key != operator.key
    assert board.computed
    assert "disclosure" in board.report
    assert "disclosure" not in report_cached(questionnaire=demo, filters=ReportFilters()).report


def test_the_boards_lists_of_questionnaires_show_no_raw_total(board_client, demo):
    # The total of responses minus the waves the dashboard shows would give a hidden one.
    slug = demo.organisation.slug
    total = Response.objects.filter(questionnaire=demo).count()
    people_total = Response.objects.filter(questionnaire=demo).values(
        "beneficiary").distinct().count()
    for url in (reverse("reports:index", args=[slug]),
                reverse("questionnaires:list", args=[slug])):
        text = visible_text(board_client.get(url).content.decode())
        assert demo.title in text
        assert str(total) not in text
        assert str(people_total) not in text
