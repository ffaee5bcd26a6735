from organisations.access import memberships_for


def current_membership(request):
    """The membership of the organisation the page belongs to, for the navigation."""
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("org_slug") if match else None
    if not slug or not request.user.is_authenticated:
        return {}
    # Set by @membership_required (organisations/access.py): no second query. Otherwise
    # (an error page) only the links to show depend on it.
    membership = getattr(request, "membership", None)
    if membership is None:
        membership = memberships_for(request.user).filter(organisation__slug=slug).first()
    return {"current_membership": membership}
