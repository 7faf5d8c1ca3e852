"""The six kinds of data an owner brings, and the canonical fields of each.

This is the one place that names entities and fields: the store's schema, the
importer's mapping, the demo generator and the Parquet export all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "date", "money", "number", "int", "bool", "status"]

# Money is exact and keeps four decimals: exports carry fractions of a cent (discounted
# lines, unit prices), and rounding every line to the cent makes totals drift.
MONEY_SQL = "DECIMAL(18,4)"

# DuckDB column type for each kind of field. Hours are not money.
SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "money": MONEY_SQL,
    "number": "DOUBLE",
    "int": "INTEGER",
    "bool": "BOOLEAN",
    "status": "VARCHAR",
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind
    required: bool = False
    label: str = ""
    help: str = ""


@dataclass(frozen=True)
class Entity:
    name: str
    label: str
    fields: tuple[Field, ...]
    help: str = ""
    # Entities whose rows can be re-exported with a changed state (a deal that was
    # open last month is won now) keep every version; analytics read the latest.
    key: str | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "customers",
            "Customers",
            (
                Field(
                    "customer", "text", True, "Customer", "Name or id, as it appears on invoices"
                ),
                Field(
                    "external_id",
                    "text",
                    label="External id (CRM account id)",
                    help="Other files that name the customer by this id are resolved to the name",
                ),
                Field("segment", "text", label="Segment / industry"),
                Field("region", "text", label="Region"),
                Field("size", "int", label="Size (employees)"),
                Field("channel", "text", label="Acquisition channel"),
                Field("first_seen", "date", label="First seen"),
                Field("renewal_date", "date", label="Contract renewal date"),
                Field("status", "text", label="Status"),
            ),
            "Who you serve: one row per customer, with whatever you know about them.",
            key="customer",
        ),
        Entity(
            "invoices",
            "Invoices (revenue lines)",
            (
                Field("date", "date", True, "Date"),
                Field("customer", "text", True, "Customer"),
                Field("amount", "money", True, "Amount", "Revenue on the line, before tax"),
                Field("invoice_no", "text", label="Invoice no."),
                Field("product", "text", label="Product / service line"),
                Field("recurring", "bool", label="Recurring?"),
                Field("cost", "money", label="Cost"),
            ),
            "What you billed: one row per invoice or invoice line.",
        ),
        Entity(
            "deals",
            "Deals (pipeline)",
            (
                Field("deal_id", "text", True, "Deal id or name"),
                Field(
                    "status", "status", True, "Status / stage", "Normalised to open, won or lost"
                ),
                Field("customer", "text", label="Customer / prospect"),
                Field("created", "date", label="Created"),
                Field("closed", "date", label="Closed"),
                Field("value", "money", label="Value"),
                Field("list_value", "money", label="List value (before discount)"),
                Field("owner", "text", label="Owner (salesperson)"),
                Field("estimated_hours", "number", label="Estimated delivery hours"),
                Field("presales_hours", "number", label="Presales hours"),
                Field("source", "text", label="Source"),
            ),
            "What you are selling: one row per deal or opportunity.",
            key="deal_id",
        ),
        Entity(
            "time_entries",
            "Time entries",
            (
                Field("date", "date", True, "Date"),
                Field("person", "text", True, "Person"),
                Field("hours", "number", True, "Hours"),
                Field("customer", "text", label="Customer"),
                Field("deal_id", "text", label="Deal / project"),
                Field("role", "text", label="Role (tech / sales / admin)"),
                Field("billable", "bool", label="Billable?"),
                Field(
                    "category",
                    "text",
                    label="Category",
                    help="customer / internal / presales / improvement",
                ),
            ),
            "Where the hours go: one row per timesheet entry.",
        ),
        Entity(
            "activities",
            "Sales activities",
            (
                Field("date", "date", True, "Date"),
                Field("type", "text", True, "Type", "call, email, meeting, mailshot, prospecting…"),
                Field("person", "text", label="Person"),
                Field("customer", "text", label="Customer / prospect"),
                Field("minutes", "number", label="Minutes"),
                Field("outcome", "text", label="Outcome"),
            ),
            "Selling effort: calls, emails, meetings, mailshots, prospecting.",
        ),
        Entity(
            "tickets",
            "Support tickets",
            (
                Field("opened", "date", True, "Opened"),
                Field("customer", "text", True, "Customer"),
                Field("type", "text", label="Type", help="complaint / incident / request"),
                Field("severity", "text", label="Severity"),
                Field("resolved", "date", label="Resolved"),
                Field("hours", "number", label="Hours"),
            ),
            "What customers ask of you: one row per ticket.",
        ),
    )
}

# Name lists: not business data of their own but look-ups that resolve the ids other files
# carry (a CRM's users export turns a deals file's OwnerId into the salesperson's name). They
# import and undo like an entity (`--entity people`), but are never guessed, counted or
# analysed; see analytics/importer/resolve.py.
NAME_LISTS: dict[str, Entity] = {
    "people": Entity(
        "people",
        "People (a CRM's users)",
        (
            Field("person_id", "text", True, "Id", "The id other files use for the person"),
            Field("name", "text", label="Name"),
            Field("first_name", "text", label="First name"),
            Field("last_name", "text", label="Last name"),
        ),
        "Who is who: one row per user id, so owner ids in other files read as names.",
        key="person_id",
    ),
}

ENTITY_NAMES: tuple[str, ...] = tuple(ENTITIES)
IMPORTABLE: tuple[str, ...] = ENTITY_NAMES + tuple(NAME_LISTS)
ENTITIES.update(NAME_LISTS)  # by-name look-ups (mapping, parsing, batches) find them too

# Entities whose customer column names a customer that must exist in `customers`:
# an unknown one is created (time entries and activities may name prospects).
REFERENCES_CUSTOMER: tuple[str, ...] = ("invoices", "deals", "tickets")

# Deal statuses after normalisation.
DEAL_STATUSES: tuple[str, ...] = ("open", "won", "lost")


def entity(name: str) -> Entity:
    try:
        return ENTITIES[name]
    except KeyError:
        known = ", ".join(ENTITY_NAMES)
        raise KeyError(f"unknown entity {name!r}; expected one of {known}") from None
