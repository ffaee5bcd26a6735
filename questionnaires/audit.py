"""The audit trail of bulk writes, which bypass django-simple-history's signals.

Imports write hundreds of thousands of answers without building model instances; their
history is written the same way: one ``INSERT … SELECT`` per chunk copies the rows just
written into the historical table, with who, when, why and the kind of change.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model
from django.utils import timezone

HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type",
                  "history_user"}
CHUNK = 5000


def history_bulk_record(
    *, model: type[Model], column: str, values: Sequence[int], history_type: str,
    user_id: int | None, reason: str, above_id: int | None = None,
) -> None:
    """Record in ``model``'s history the current rows whose ``column`` is in ``values``
    (and whose id is above ``above_id``, when given: the rows inserted since).

    ``history_type`` is "+" (created), "~" (changed) or "-" (about to be deleted), as
    simple-history writes them.
    """
    history_model = model.history.model
    tracked = [field.column for field in history_model._meta.concrete_fields
               if field.name not in HISTORY_FIELDS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in tracked)
    now = timezone.now()
    newer = "" if above_id is None else f" AND {quote(model._meta.pk.column)} > %s"
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            chunk = list(values[start:start + CHUNK])
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(history_model._meta.db_table)} "
                f"({columns}, history_date, history_change_reason, history_type, "
                f"history_user_id) "
                f"SELECT {columns}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(column)} IN ({placeholders}){newer}",
                [now, reason, history_type, user_id, *chunk,
                 *([] if above_id is None else [above_id])],
            )
