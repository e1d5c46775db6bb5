"""The lab's price table (``data/prices.json``: on-demand USD, one region, dated), for every side that needs it.

One table: the CLI's cost views, the plan estimate and the reaper's alerts read it here; the notebooks
read the same file from ``code/notebooks/prices.json`` (shipped beside them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

PRICES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "prices.json")
USES = ("training", "processing", "transform", "hosting", "studio")


@lru_cache(maxsize=1)
def prices() -> dict[str, Any]:
    with open(PRICES_FILE) as fh:
        return json.load(fh)


def hourly(use: str, instance_type: str) -> float:
    """USD an hour of one ``instance_type`` instance for ``use`` (training, hosting, studio, ...)."""
    if use not in USES:
        raise ValueError(f"price use {use!r}: one of {', '.join(USES)}")
    table = prices()["per_instance_hour"][use]
    if instance_type not in table:
        raise KeyError(
            f"no {use} price for {instance_type} in {PRICES_FILE} ({prices()['region']}, {prices()['as_of']})"
        )
    return float(table[instance_type])


def subset(uses: Iterable[str], instance_types: Iterable[str]) -> dict[str, dict[str, float]]:
    """``{use: {instance type: USD an hour}}`` for the given types that the table prices."""
    types = set(instance_types)
    table = prices()["per_instance_hour"]
    return {use: {t: float(p) for t, p in sorted(table[use].items()) if t in types} for use in uses}
