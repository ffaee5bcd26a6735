"""Signals the questionnaires app sends; the apps that read its data receive them.

Model saves and deletes already send Django's post_save/post_delete. Writers that bypass
them (bulk_create, COPY, queryset updates: imports, the demo seed) send ``responses_changed``
once they have written, so that whatever depends on the responses (the cached reports,
reports/signals.py) hears of it without this app knowing who listens.
"""

from django.dispatch import Signal

# Keyword argument: organisation_id, the organisation whose responses or answers changed.
responses_changed = Signal()
