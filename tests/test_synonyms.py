"""Header synonyms as data (analytics/importer/synonyms.toml): the same names, in the same
order, as the tables written in Python before, and one shared list of customer names."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from analytics.importer import synonyms
from analytics.importer.mapping import auto_map

# synonym_table() and the name lists as the Python tables gave them, frozen once
# (commit 0875ba9) before the names moved to synonyms.toml.
BEFORE = json.loads(Path(__file__).with_name("test_synonyms_before.json").read_text("utf-8"))


def test_every_field_has_the_same_names_in_the_same_order() -> None:
    # Order is priority ("Customer Name" beats "Customer ID"), so it has to match too.
    now = json.loads(json.dumps(synonyms.synonym_table()))
    # fields added since the table moved to synonyms.toml: their own names, nothing else moved
    added = {"invoices": ("due", "paid")}
    for entity, fields in added.items():
        for field in fields:
            assert now[entity].pop(field), (entity, field)
    assert now == BEFORE["table"]
    assert list(synonyms.FIRST_NAMES) == BEFORE["first_names"]
    assert list(synonyms.LAST_NAMES) == BEFORE["last_names"]
    assert sorted(synonyms.FULL_NAMES) == BEFORE["full_names"]
    assert list(synonyms.QUANTITY_NAMES) == BEFORE["quantity_names"]
    assert list(synonyms.PRICE_NAMES) == BEFORE["price_names"]


def test_every_old_alias_alone_maps_to_the_same_field() -> None:
    checked = 0
    for entity, fields in BEFORE["table"].items():
        first_field: dict[str, str] = {}
        for field, names in fields.items():  # fields in mapping order: the first one wins
            for name in names:
                first_field.setdefault(name, field)
        for name, field in first_field.items():
            assert auto_map(entity, [name]) == {field: name}, (entity, name)
            checked += 1
    assert checked > 600  # every entity's every name, not a sample


def test_customer_names_are_one_shared_list() -> None:
    data = tomllib.loads(synonyms.SOURCE.read_text("utf-8"))
    shared = data["shared"]["customer"]
    assert shared[:2] == ["customer", "customer name"]
    naming = [e for e, fields in data["fields"].items() if "customer" in fields]
    assert naming == ["customers", "invoices", "deals", "time_entries", "activities", "tickets"]
    for entity in naming:
        assert "@customer" in data["fields"][entity]["customer"], entity
    # Deals keep the CRM's "account" first; activities never took "customer name".
    table = synonyms.synonym_table()
    assert table["deals"]["customer"][:3] == ("customer", "account", "accountname")
    assert "customername" not in table["activities"]["customer"]
    assert "customername" in table["tickets"]["customer"]


def test_shared_lists_splice_in_place_once_and_leave_outs_go() -> None:
    text = """
    [shared]
    who = ["client", "company", "account"]
    [without.b]
    customer = ["account"]
    [fields.a]
    customer = ["company", "@who", "debtor"]
    [fields.b]
    customer = ["@who", "lead"]
    [lists]
    price = ["price"]
    """
    table, lists = synonyms.read_table(text)
    assert table == {
        "a": {"customer": ("company", "client", "account", "debtor")},
        "b": {"customer": ("client", "company", "lead")},
    }
    assert lists == {"price": ("price",)}
