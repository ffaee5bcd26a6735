from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse

from organisations.access import memberships_for
from organisations.kept import form_keep
from organisations.permissions import places_of


@login_required
def home(request):
    """Each user's starting point: straight to their work when they belong to one organisation."""
    memberships = list(memberships_for(request.user).annotate(
        questionnaire_count=Count("organisation__questionnaires", distinct=True)))
    for membership in memberships:
        membership.places = [
            (reverse(name, kwargs={"org_slug": membership.organisation.slug}), label)
            for name, label in places_of(membership.role)
        ]
    if len(memberships) == 1 and not request.user.is_staff:
        return redirect(memberships[0].places[0][0])
    return render(request, "organisations/home.html", {"memberships": memberships})


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a French page in the site's layout; a keeping form keeps its values.

    A form opened before the session ended (or before logging in again, which renews the
    CSRF token) is refused by the CSRF check; what it carried is kept for its author.
    """
    kept = form_keep(request=request)
    resume_url = None
    if kept:
        resume_url = (request.get_full_path() if request.user.is_authenticated
                      else redirect_to_login(request.get_full_path()).url)
    return render(request, "403_csrf.html", {"kept": kept, "resume_url": resume_url},
                  status=403)
