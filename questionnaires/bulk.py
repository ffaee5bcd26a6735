"""Inserting and deleting many rows at once, faster than one model instance per row.

Imports and the demo seed write hundreds of thousands of answers; Django's bulk_create
spends most of that time building instances. Here the rows go straight to the database:
COPY on PostgreSQL, one executemany on SQLite. Callers validate the rows first.

Neither sends signals: callers write the audit trail (questionnaires/audit.py) and bump the
report version themselves.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Model

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def rows_insert(*, model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples of values for ``fields``, by column) into ``model``'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_value(v) for v in row))
                buffer.write("\n")
                count += 1
            buffer.seek(0)
            # The raw psycopg2 cursor: turn its errors into Django's (IntegrityError…) as
            # Django's own cursor would, so that callers catch one family.
            with connection.wrap_database_errors:
                cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)
        else:
            rows = list(rows)
            count = len(rows)
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", rows)
    return count


def rows_delete(*, model: type[Model], column: str, values: Sequence[int],
                chunk: int = 5000) -> int:
    """Delete ``model``'s rows whose database ``column`` is in ``values``, without loading
    them.

    Django's ``QuerySet.delete()`` loads every row and sends a signal for each when a model
    has receivers (django-simple-history writes one history row per answer): the replacing
    import records its history in bulk first, then deletes here.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(column)
    count = 0
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk):
            part = list(values[start:start + chunk])
            placeholders = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {table} WHERE {name} IN ({placeholders})", part)
            count += cursor.rowcount
    return count
