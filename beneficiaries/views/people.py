"""The organisation's people: the list with its status grid, and a person's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from beneficiaries.charts import dimension_chart_svg
from beneficiaries.due import OVERDUE_AFTER_DAYS, WaveStatus, wave_states_for
from beneficiaries.forms import BeneficiaryFilterForm
from beneficiaries.history import person_history
from beneficiaries.paths import person_paths
from beneficiaries.people import (
    PAGE_SIZE,
    beneficiaries_filter,
    programmes_of,
    published_questionnaires,
)
from beneficiaries.privacy import beneficiaries_past_retention
from beneficiaries.scope import counsellors_of, default_scope
from beneficiaries.services import situation_due_on
from beneficiaries.views.consent import consent_form_for
from organisations.access import (
    beneficiaries_for,
    beneficiary_for,
    membership_required,
    questionnaires_for,
)


@login_required
@membership_required("see_people")
def beneficiary_list(request, org_slug):
    """The organisation's people with a status grid of one questionnaire's waves."""
    membership = request.membership
    people = beneficiaries_for(membership)
    questionnaires = published_questionnaires(questionnaires=questionnaires_for(membership))
    form = BeneficiaryFilterForm(
        request.GET,
        initial={"counsellor": default_scope(membership), "sort": "code",
                 "questionnaire": str(questionnaires[0].public_id) if questionnaires else ""},
        counsellors=counsellors_of(membership=membership),
        programmes=programmes_of(people=people), questionnaires=questionnaires)
    listed = beneficiaries_filter(
        people=people, membership=membership, search=form.value("q"),
        counsellor=form.value("counsellor"), status=form.value("status"),
        programme=form.value("programme"), sort=form.value("sort"))
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    questionnaire = next((q for q in questionnaires
                          if str(q.public_id) == form.value("questionnaire")), None)
    waves = list(questionnaire.waves.all()) if questionnaire else []
    states = wave_states_for(beneficiaries=page.object_list, questionnaire=questionnaire,
                             waves=waves, today=timezone.localdate()) if questionnaire else {}
    return render(request, "beneficiaries/list.html", {
        "form": form, "page": page, "questionnaire": questionnaire, "waves": waves,
        "published_questionnaires": questionnaires,
        "rows": [(person, states.get(person.pk, [])) for person in page.object_list],
        "statuses": _status_legend(), "org_slug": org_slug, "overdue_days": OVERDUE_AFTER_DAYS,
    })


def _status_legend() -> list[tuple[str, str, str]]:
    return [(key, WaveStatus.SYMBOLS[key], str(WaveStatus.LABELS[key]))
            for key in (WaveStatus.DONE, WaveStatus.DUE, WaveStatus.OVERDUE,
                        WaveStatus.NOT_YET_DUE, WaveStatus.NOT_APPLICABLE)]


@login_required
@membership_required("see_people")
def beneficiary_detail(request, org_slug, public_id):
    """A person's path: their waves, their answers wave by wave, their dimension scores."""
    membership = request.membership
    beneficiary = beneficiary_for(membership, public_id)
    questionnaires = published_questionnaires(questionnaires=questionnaires_for(membership))
    paths = person_paths(beneficiary=beneficiary, questionnaires=questionnaires,
                         today=timezone.localdate())
    charts = [
        dimension_chart_svg(
            dimensions=path.dimensions, wave_labels=[w.label for w in path.waves],
            scores=path.scores, score_range=path.score_range,
            chart_id=f"{beneficiary.public_id}-{path.questionnaire.public_id}")
        if path.has_responses else "" for path in paths
    ]
    return render(request, "beneficiaries/detail.html", {
        "beneficiary": beneficiary, "paths": list(zip(paths, charts, strict=True)),
        "situation_due_on": situation_due_on(exit_date=beneficiary.exit_date),
        "today": timezone.localdate(),
        "published_questionnaires": questionnaires,
        "history": person_history(beneficiary=beneficiary), "org_slug": org_slug,
        "consent_form": consent_form_for(beneficiary),
        "past_retention": membership.can.handle_privacy_requests and beneficiaries_past_retention(
            organisation=membership.organisation).filter(pk=beneficiary.pk).exists(),
    })
