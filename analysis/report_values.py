"""JSON-ready values shared by the report's sections: no NaN, warnings in words.
"""

from __future__ import annotations

import math
from typing import Any

from analysis.caveats import warning_entries


def json_number(value: float | None) -> float | None:
    """A plain float, or None for None/NaN/infinity (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def warning_fields(codes: tuple[str, ...]) -> dict[str, Any]:
    """``warning``: the first reason in words (formats.md); ``warnings``: every code."""
    entries = warning_entries(codes)
    return {"warning": entries[0]["message"] if entries else None, "warnings": entries}
