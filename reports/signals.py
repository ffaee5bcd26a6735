"""Cached reports go stale when the data of their organisation changes.

Every save or delete of a response, an answer, a beneficiary or a part of a questionnaire
notes which organisation changed; the organisation's report version is bumped once, when the
transaction commits (reports/cache.py). Saving 30 answers costs one bump, not 30, and no
query while the transaction runs. Bulk writers that bypass model signals (bulk_create, COPY)
send ``questionnaires.signals.responses_changed`` or ``beneficiaries.signals.people_changed``,
received here: the apps that write never import reports/.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save

from beneficiaries.models import Beneficiary
from beneficiaries.signals import people_changed
from questionnaires.models import (
    Answer,
    Choice,
    Item,
    Questionnaire,
    Response,
    Scale,
    Wave,
)
from questionnaires.signals import responses_changed
from reports.cache import report_version_bump

logger = logging.getLogger(__name__)


class PendingBumps:
    """The organisations (or the objects that lead to them) a transaction changed."""

    def __init__(self) -> None:
        self.organisation_ids: set[int] = set()
        self.questionnaire_ids: set[int] = set()
        self.response_ids: set[int] = set()
        self.scale_ids: set[int] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        organisation_ids = set(self.organisation_ids)
        questionnaires = Questionnaire.objects.values_list("organisation_id", flat=True)
        try:
            if self.questionnaire_ids:
                organisation_ids.update(questionnaires.filter(id__in=self.questionnaire_ids))
            if self.response_ids:
                organisation_ids.update(questionnaires.filter(
                    id__in=Response.objects.filter(id__in=self.response_ids)
                    .values("questionnaire_id")))
            if self.scale_ids:
                organisation_ids.update(questionnaires.filter(
                    id__in=Scale.objects.filter(id__in=self.scale_ids)
                    .values("questionnaire_id")))
        except DatabaseError as error:
            # Runs after the commit: the data is saved, and the save must not answer an error.
            logger.warning("Report versions not bumped after a commit: %s", error)
        for organisation_id in organisation_ids:
            report_version_bump(organisation_id=organisation_id)


def _pending() -> tuple[PendingBumps, bool]:
    """This transaction's pending bumps (registered once), and whether to run them now."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return PendingBumps(), True
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, PendingBumps) and not callback.done:
            return callback, False
    pending = PendingBumps()
    transaction.on_commit(pending, robust=True)
    return pending, False


def _note(instance: Any) -> None:
    pending, now = _pending()
    if isinstance(instance, (Beneficiary, Questionnaire)):
        pending.organisation_ids.add(instance.organisation_id)
    elif isinstance(instance, (Response, Item, Wave, Scale)):
        pending.questionnaire_ids.add(instance.questionnaire_id)
    elif isinstance(instance, Answer):
        if Answer.response.is_cached(instance):
            pending.questionnaire_ids.add(instance.response.questionnaire_id)
        else:
            pending.response_ids.add(instance.response_id)
    elif isinstance(instance, Choice):
        pending.scale_ids.add(instance.scale_id)
    if now:
        pending()


def report_data_changed(sender, instance, **kwargs) -> None:
    """Receiver of post_save and post_delete for the models a report is computed from."""
    _note(instance)


def report_data_written(sender, *, organisation_id: int, **kwargs) -> None:
    """Receiver of the bulk writers' signals: the organisation's reports are stale once the
    writer's transaction commits."""
    report_version_bump(organisation_id=organisation_id)


WATCHED = (Beneficiary, Questionnaire, Wave, Scale, Choice, Item, Response, Answer)


def signals_connect() -> None:
    for model in WATCHED:
        uid = f"reports-{model._meta.label_lower}"
        post_save.connect(report_data_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(report_data_changed, sender=model, dispatch_uid=f"{uid}-delete")
    responses_changed.connect(report_data_written, dispatch_uid="reports-responses-changed")
    people_changed.connect(report_data_written, dispatch_uid="reports-people-changed")
