"""A database connection lost mid-request: a page that reads is computed again, a form sent
gets a French 503 page that says what to do, never Django's 500."""

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from questionnaires.models import Questionnaire, Response
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


class Terminated:
    """Fail the matching queries (the first ``times`` of them) as a terminated backend does."""

    def __init__(self, *, times: int, starting: str = ""):
        self.times, self.starting, self.failed = times, starting, 0

    def __call__(self, execute, sql, params, many, context):
        if self.failed < self.times and sql.lstrip().upper().startswith(self.starting):
            self.failed += 1
            raise OperationalError("terminating connection due to administrator command")
        return execute(sql, params, many, context)


def test_a_page_that_reads_is_computed_again_on_a_lost_connection(client, director):
    client.force_login(director.user)
    url = reverse("reports:index", args=[director.organisation.slug])
    with connection.execute_wrapper(Terminated(times=1)):
        page = client.get(url)
    assert page.status_code == 200


def test_a_page_that_fails_twice_gets_the_french_page(client, director):
    client.force_login(director.user)
    url = reverse("reports:index", args=[director.organisation.slug])
    with connection.execute_wrapper(Terminated(times=2)):
        page = client.get(url)
    assert page.status_code == 503
    assert "Connexion à la base de données interrompue" in page.content.decode()
    assert "Rechargez la page" in page.content.decode()


def test_a_save_cut_off_gets_a_french_page_asking_to_send_again(client, counsellor,
                                                                questionnaire):
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save()
    person = BeneficiaryFactory(organisation=questionnaire.organisation,
                                counsellor=counsellor.user, entry_date=dt.date(2024, 1, 15))
    client.force_login(counsellor.user)
    url = reverse("beneficiaries:entry", kwargs={
        "org_slug": person.organisation.slug, "public_id": person.public_id,
        "questionnaire_id": questionnaire.public_id, "number": 1})
    form = {"answered_on": "2024-02-01", "token": "token-1", "response": "",
            "item_Q01": "A", "item_Q02": "NSP"}
    with connection.execute_wrapper(Terminated(times=1, starting="INSERT")):
        page = client.post(url, form, HTTP_REFERER="http://testserver" + url)
    assert page.status_code == 503
    assert "envoyez-le à nouveau" in page.content.decode()
    assert f'href="http://testserver{url}"' in page.content.decode()
    assert not Response.objects.filter(beneficiary=person).exists()
    assert client.post(url, form).status_code == 302
    assert Response.objects.filter(beneficiary=person).count() == 1


def test_a_foreign_referer_is_not_offered_as_the_way_back(client, counsellor, questionnaire):
    client.force_login(counsellor.user)
    url = reverse("reports:index", args=[counsellor.organisation.slug])
    with connection.execute_wrapper(Terminated(times=5)):
        page = client.post(url, {}, HTTP_REFERER="https://evil.example/")
    assert page.status_code == 503
    assert "evil.example" not in page.content.decode()
