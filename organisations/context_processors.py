from organisations.access import memberships_for


def current_membership(request):
    """The membership of the organisation the page belongs to, for the navigation."""
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("org_slug") if match else None
    if not slug or not request.user.is_authenticated:
        return {}
    # The view has checked the role already; this only decides which links to show.
    membership = memberships_for(request.user).filter(organisation__slug=slug).first()
    return {"current_membership": membership}
