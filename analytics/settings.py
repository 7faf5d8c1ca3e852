"""Per-workspace settings: a registry of keys with defaults, kinds and validation."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from analytics.errors import OpeningDayError
from analytics.store import Connection, transaction


class SettingError(OpeningDayError):
    pass


SettingKind = Literal["choice", "number", "int", "date", "text", "list"]

# A list setting (names the owner picks) holds at most this many entries of this length.
LIST_MAX_ITEMS = 50
LIST_MAX_CHARS = 80


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    default: Any
    help: str = ""
    kind: SettingKind = "number"
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    group: str = "General"

    def validate(self, value: Any) -> Any:
        """The value as stored, or SettingError naming the setting and what is allowed."""
        if self.kind == "choice":
            if value not in self.choices:
                allowed = ", ".join(map(str, self.choices))
                raise SettingError(f"{self.label} must be one of {allowed}; got {value!r}.")
            return value
        if self.kind == "date":
            if value in (None, ""):
                return None
            try:
                return date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise SettingError(
                    f"{self.label} must be a date (YYYY-MM-DD); got {value!r}."
                ) from None
        if self.kind == "text":
            return str(value).strip()
        if self.kind == "list":
            return self._names(value)
        try:
            number = int(value) if self.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise SettingError(f"{self.label} must be a number; got {value!r}.") from None
        if self.minimum is not None and number < self.minimum:
            raise SettingError(f"{self.label} must be at least {self.minimum:g}; got {number:g}.")
        if self.maximum is not None and number > self.maximum:
            raise SettingError(f"{self.label} must be at most {self.maximum:g}; got {number:g}.")
        return number

    def _names(self, value: Any) -> list[str]:
        """A list of names from a list or a comma-separated text: trimmed, blanks and repeats
        (ignoring case) dropped, in the order given."""
        items = value.replace("\n", ",").split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise SettingError(f"{self.label} must be a list of names; got {value!r}.")
        names: list[str] = []
        for item in (i.strip() for i in items):
            if item and item.casefold() not in {n.casefold() for n in names}:
                names.append(item)
        if len(names) > LIST_MAX_ITEMS or any(len(n) > LIST_MAX_CHARS for n in names):
            raise SettingError(
                f"{self.label} takes at most {LIST_MAX_ITEMS} names of up to "
                f"{LIST_MAX_CHARS} characters each."
            )
        return names


# The words that make an activity type count as prospecting unless the owner picks others:
# the ones pace_prospecting_weeks.sql always knew (calls and emails count only when made to
# someone not invoiced yet).
PROSPECTING_TYPES: tuple[str, ...] = (
    "prospect",
    "outreach",
    "cold",
    "mailshot",
    "mail shot",
    "mailing",
    "call",
    "phone",
    "email",
    "e-mail",
)


CURRENCIES = (
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "AUD",
    "NZD",
    "CHF",
    "SEK",
    "NOK",
    "DKK",
    "ZAR",
    "INR",
    "JPY",
)

SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("currency", "Currency", "USD", "Used to show money.", "choice", CURRENCIES),
        Setting(
            "date_order",
            "Date order",
            "mdy",
            "How you read 03/04/2025: month first (mdy) or day first (dmy). Used when every "
            "date in a file's column could be read either way.",
            "choice",
            ("mdy", "dmy"),
        ),
        Setting(
            "fiscal_year_start",
            "Fiscal year starts in month",
            1,
            "1 = January.",
            "int",
            minimum=1,
            maximum=12,
        ),
        Setting(
            "season_start",
            "Season start (opening day)",
            None,
            "Season figures count from this day. Empty: no season set.",
            "date",
            group="Pace",
        ),
        Setting(
            "prospecting_target_hours",
            "Prospecting target (hours per week)",
            1.0,
            "Time spent finding new customers every week, without fail.",
            minimum=0,
            maximum=80,
            group="Pace",
        ),
        Setting(
            "sustainable_hours_low",
            "Sustainable week: at least (hours)",
            30.0,
            "Weeks logged below this are too slow.",
            minimum=0,
            maximum=100,
            group="Pace",
        ),
        Setting(
            "sustainable_hours_high",
            "Sustainable week: at most (hours)",
            45.0,
            "Weeks logged above this are too fast to keep up.",
            minimum=1,
            maximum=120,
            group="Pace",
        ),
        Setting(
            "recent_window_days",
            "Recent window (days)",
            90,
            "“What have you done for me lately”: the window for recent ranks.",
            "int",
            minimum=7,
            maximum=730,
            group="Pace",
        ),
        Setting(
            "order_to_cash_lag_months",
            "Order-to-cash lag when it cannot be estimated (months)",
            2,
            "How long a won deal takes to turn into invoices, used when the data is too thin "
            "to estimate it.",
            "int",
            minimum=0,
            maximum=12,
            group="Pace",
        ),
        Setting(
            "pace_weeks",
            "Weeks looked back for pace figures",
            13,
            "Prospecting, activity consistency and workload use this many complete weeks.",
            "int",
            minimum=4,
            maximum=52,
            group="Pace",
        ),
        Setting(
            "prospecting_types",
            "Activity types that count as prospecting",
            PROSPECTING_TYPES,
            "An activity counts when its type contains one of these (case and punctuation "
            "ignored): pick your own activity types here. Calls, phone calls and emails count "
            "only when made to someone you have not invoiced yet.",
            "list",
            group="Pace",
        ),
        *(
            Setting(
                f"minutes_{kind.replace(' ', '_')}",
                f"Minutes per {kind} (when not logged)",
                minutes,
                "Used for activities exported without a duration.",
                "int",
                minimum=0,
                maximum=600,
                group="Activity durations",
            )
            for kind, minutes in (
                ("prospecting", 60),
                ("cold call", 10),
                ("mailshot", 30),
                ("call", 10),
                ("email", 5),
            )
        ),
        Setting(
            "contact_interval_days",
            "Contact your top customers at least every (days)",
            30,
            "A top customer with no call, email or meeting logged in this many days counts as "
            "not contacted lately.",
            "int",
            minimum=1,
            maximum=365,
            group="Customer fit",
        ),
        Setting("cost_rate_tech", "Cost per hour: technicians", 60.0, "", minimum=0, group="Costs"),
        Setting("cost_rate_sales", "Cost per hour: sales", 70.0, "", minimum=0, group="Costs"),
        Setting("cost_rate_admin", "Cost per hour: admin", 40.0, "", minimum=0, group="Costs"),
        Setting(
            "cost_rate_default",
            "Cost per hour: anyone else",
            60.0,
            "Used for time entries without a role.",
            minimum=0,
            group="Costs",
        ),
        Setting(
            "weekly_costs",
            "Weekly costs (what goes out in a typical week)",
            0.0,
            "What the cash calendar compares each coming week's expected cash with. 0 = "
            "from your last 13 weeks: invoice costs plus hours logged × the cost rates above.",
            minimum=0,
            group="Costs",
        ),
        Setting(
            "discount_threshold",
            "Deep discount: more than (share of list price)",
            0.15,
            "A won deal priced more than this below its list value counts as a deep "
            "discount (0.15 = 15%).",
            minimum=0,
            maximum=1,
            group="Sales vs tech",
        ),
        Setting(
            "capacity_hours_per_week",
            "Capacity per person (hours per week)",
            40.0,
            "The hours a person could log in a full week; time-tracking coverage compares "
            "logged hours with it.",
            minimum=0,
            maximum=100,
            group="Sales vs tech",
        ),
        Setting(
            "min_cases",
            "Fewest cases behind a rate",
            5,
            "A rate or share counted over fewer deals, customers or weeks than this (win-rate "
            "lift, discounts, churn, hours over estimate…) is shown with its count but not "
            "coloured: too few to judge.",
            "int",
            minimum=1,
            maximum=1000,
            group="Minimum bases",
        ),
        Setting(
            "min_customers_top20",
            "Fewest customers for a top-20% share",
            10,
            "Below this, the top fifth is one or two names: the share is shown with its count "
            "but not coloured.",
            "int",
            minimum=1,
            maximum=10000,
            group="Minimum bases",
        ),
        Setting(
            "min_customers_top4",
            "Fewest customers for a top-4% share",
            25,
            "Below this, the top 4% is a single customer (the same as the top of the top 20%), "
            "so it is left out.",
            "int",
            minimum=1,
            maximum=10000,
            group="Minimum bases",
        ),
        Setting(
            "comparison_months_needed",
            "Months with invoices needed in the year compared against",
            10,
            "A growth rate compares the last 12 months with the 12 before; the earlier 12 must "
            "hold invoices in at least this many of their months, or the growth is only the "
            "months missing from your data.",
            "int",
            minimum=1,
            maximum=12,
            group="Minimum bases",
        ),
        Setting(
            "growth_min_customers",
            "Fewest customers in the year compared against",
            5,
            "A growth rate needs at least this many customers with revenue in the earlier 12 "
            "months (for the whole business, and for each segment's own rate): a change on a "
            "smaller base says little.",
            "int",
            minimum=1,
            maximum=10000,
            group="Minimum bases",
        ),
        Setting(
            "share_base_url",
            "Address of this server for shared links",
            "",
            "The start of every snapshot link, such as https://dash.example.com when the app "
            "runs behind a proxy. Empty: the local address the app runs on.",
            "text",
            group="Sharing",
        ),
        Setting(
            "pack_paper",
            "Paper of the review pack",
            "A4",
            "A4 or Letter, for the PDF pack.",
            "choice",
            ("A4", "Letter"),
            group="Sharing",
        ),
    )
}


def defaults() -> dict[str, Any]:
    return {k: list(s.default) if s.kind == "list" else s.default for k, s in SETTINGS.items()}


def minimum(settings: dict[str, Any], key: str) -> int:
    """A minimum base ("Minimum bases" settings: min_cases, min_customers_top20 …) as an int."""
    return int(settings.get(key, SETTINGS[key].default))


def get_settings(con: Connection, workspace_id: int) -> dict[str, Any]:
    """Every setting for a workspace: saved values over defaults."""
    values = defaults()
    rows = (
        con.cursor()
        .execute("SELECT key, value FROM settings WHERE workspace_id = $w", {"w": workspace_id})
        .fetchall()
    )
    for key, raw in rows:
        if key in SETTINGS or key.startswith((THRESHOLD_PREFIX, GOAL_PREFIX)):
            values[key] = json.loads(raw)
    return values


# Keys made of a prefix and an id: an indicator's thresholds, a scorecard measurable's goal.
THRESHOLD_PREFIX = "threshold:"
GOAL_PREFIX = "goal:"


def _number(label: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingError(f"{label} must be a number; got {value!r}.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise SettingError(f"{label} must be a finite number; got {value!r}.")
    return number


def _validate(key: str, value: Any) -> Any:
    """The value to store for `key` (None means: back to the default)."""
    if key.startswith(THRESHOLD_PREFIX):
        if value is None:
            return None
        if not isinstance(value, dict) or set(value) != {"green", "red"}:
            raise SettingError(
                f"Thresholds for {key[len(THRESHOLD_PREFIX) :]} need a green and a red value."
            )
        return {k: _number(f"The {k} threshold", v) for k, v in value.items()}
    if key.startswith(GOAL_PREFIX):
        if value is None or value == "":
            return None
        number = _number(f"The goal for {key[len(GOAL_PREFIX) :]}", value)
        if number < 0:
            raise SettingError(f"The goal for {key[len(GOAL_PREFIX) :]} cannot be negative.")
        return number
    setting = SETTINGS.get(key)
    if setting is None:
        raise SettingError(f"Unknown setting {key!r}.")
    checked = setting.validate(value)
    if (
        key == "share_base_url"
        and checked
        and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", checked)
    ):
        raise SettingError(
            f"{setting.label} must start with http:// or https:// and hold no spaces, ? or #; "
            f"got {checked!r}."
        )
    return checked


def get_settings_saved_at(con: Connection, workspace_id: int) -> Any:
    """When the workspace's settings last changed (None if never)."""
    return (
        con.cursor()
        .execute("SELECT max(saved_at) FROM settings WHERE workspace_id = $w", {"w": workspace_id})
        .fetchall()[0][0]
    )


def save_settings(con: Connection, workspace_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Validate every value first, then save them all in one transaction (or none).

    A value of None for a threshold or goal removes it, so the default applies again.
    """
    clean = {key: _validate(key, value) for key, value in values.items()}
    merged = {
        **get_settings(con, workspace_id),
        **{k: v for k, v in clean.items() if v is not None},
    }
    if merged["sustainable_hours_low"] >= merged["sustainable_hours_high"]:
        raise SettingError(
            "The sustainable week's lower bound must be below its upper bound "
            f"({merged['sustainable_hours_low']:g} ≥ {merged['sustainable_hours_high']:g})."
        )
    with transaction(con) as tx:
        for key, value in clean.items():
            if value is None and key.startswith((THRESHOLD_PREFIX, GOAL_PREFIX)):
                tx.execute(
                    "DELETE FROM settings WHERE workspace_id = $w AND key = $k",
                    {"w": workspace_id, "k": key},
                )
                continue
            tx.execute(
                "INSERT OR REPLACE INTO settings (workspace_id, key, value, saved_at) "
                "VALUES ($w, $k, $v, current_localtimestamp())",
                {"w": workspace_id, "k": key, "v": json.dumps(value)},
            )
    return merged


def save_setting(con: Connection, workspace_id: int, key: str, value: Any) -> None:
    save_settings(con, workspace_id, {key: value})
