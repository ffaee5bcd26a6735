"""Typed answers kept after a session ended never outlive the hour, even if no one returns."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from organisations.models import KeptForm

pytestmark = pytest.mark.django_db


def kept(user, *, minutes_ago: int) -> KeptForm:
    form = KeptForm.objects.create(user=user, path="/o/x/beneficiaires/1/saisie/",
                                   data={"item_Q01": "TA"})
    KeptForm.objects.filter(pk=form.pk).update(
        kept_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return form


def test_the_hourly_purge_deletes_forms_kept_more_than_an_hour_ago(counsellor):
    old, fresh = kept(counsellor.user, minutes_ago=61), kept(counsellor.user, minutes_ago=5)
    out = StringIO()
    call_command("purge_uploads", stdout=out)
    assert list(KeptForm.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not KeptForm.objects.filter(pk=old.pk).exists()
    assert "1 form" in out.getvalue()
