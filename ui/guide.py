"""Plain words on the data an owner brings: what each kind is for and what it unlocks.

The entity names, labels and fields come from `analytics.entities`; this module adds
only the coaching view of them, for the Home and Data pages.
"""

from __future__ import annotations

import pandas as pd

from analytics.entities import ENTITIES, ENTITY_NAMES

# What each kind of data lets the dashboard show. Our own words, one line each.
UNLOCKS: dict[str, str] = {
    "invoices": "Revenue by month and segment, who your best customers are, and whether the "
    "cash coming in matches the orders you won.",
    "customers": "Segments and niches, the profile of your ideal customer, renewals and churn.",
    "deals": "Win rates, discount depth per salesperson, the order book and the deals to cut "
    "loose.",
    "time_entries": "Where the hours go: workload pace, margin per customer, delivery overruns "
    "against estimates.",
    "activities": "Your prospecting habit week by week, how steady your selling is, and "
    "customers you have not spoken to lately.",
    "tickets": "Which customers cost you the most support, and the value-versus-burden "
    "picture of every customer.",
}

# The order to suggest loading them in: revenue first, it feeds the most.
SUGGESTED_ORDER: tuple[str, ...] = (
    "invoices",
    "customers",
    "deals",
    "time_entries",
    "activities",
    "tickets",
)

assert set(UNLOCKS) == set(ENTITY_NAMES) == set(SUGGESTED_ORDER), "every entity needs a line"


def required_columns(entity: str) -> str:
    return ", ".join(f.label or f.name for f in ENTITIES[entity].fields if f.required)


def what_to_load() -> pd.DataFrame:
    """One row per kind of data: what it is, the columns it needs, and what it unlocks."""
    return pd.DataFrame(
        [
            {
                "Data": ENTITIES[name].label,
                "What it is": ENTITIES[name].help,
                "Columns you need": required_columns(name),
                "What it unlocks": UNLOCKS[name],
            }
            for name in SUGGESTED_ORDER
        ]
    )
