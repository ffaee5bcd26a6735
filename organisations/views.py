from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from organisations.access import memberships_for


@login_required
def home(request):
    """Each user's starting point: the organisations they belong to and their role there."""
    memberships = memberships_for(request.user).annotate(
        questionnaire_count=Count("organisation__questionnaires", distinct=True)
    )
    return render(request, "organisations/home.html", {"memberships": memberships})
