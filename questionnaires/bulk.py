"""Inserting many rows at once, faster than building a model instance per row.

Imports and the demo seed write hundreds of thousands of answers; Django's bulk_create
spends most of that time building instances. Here the rows go straight to the database:
COPY on PostgreSQL, one executemany on SQLite. Callers validate the rows first.
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
            cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)
        else:
            rows = list(rows)
            count = len(rows)
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", rows)
    return count
