"""Signals the beneficiaries app sends; the apps that read its data receive them.

Saves and deletes of a Beneficiary send Django's post_save/post_delete; the people import
writes in bulk (no model signals) and sends ``people_changed`` instead, so that the cached
reports (reports/signals.py) hear of it without this app knowing who listens.
"""

from django.dispatch import Signal

# Keyword argument: organisation_id, the organisation whose people changed.
people_changed = Signal()
