"""Declarations kept as data (entities.toml, demo_scales.toml) are read strictly: a wrong key
or value stops the import with the file and the table named."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import demo, entities
from tests.files import write

ENTITY = """
[visits]
label = "Visits"
help = "One row per visit."
key = "visit_id"
fields = [
    { name = "visit_id", kind = "text", required = true, label = "Visit" },
    { name = "hours", kind = "number", label = "Hours", help = "On site" },
]
"""


def test_an_entity_reads_as_its_fields_in_order(tmp_path: Path) -> None:
    found, name_lists = entities.read_entities(write(tmp_path, "e.toml", ENTITY))
    assert name_lists == {}
    visits = found["visits"]
    assert (visits.label, visits.help, visits.key) == ("Visits", "One row per visit.", "visit_id")
    assert visits.fields == (
        entities.Field("visit_id", "text", True, "Visit"),
        entities.Field("hours", "number", False, "Hours", "On site"),
    )
    assert visits.required == ("visit_id",)


def test_a_name_list_is_kept_apart(tmp_path: Path) -> None:
    text = ENTITY.replace('key = "visit_id"', 'key = "visit_id"\nname_list = true')
    found, name_lists = entities.read_entities(write(tmp_path, "e.toml", text))
    assert (list(found), list(name_lists)) == ([], ["visits"])


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ('key = "visit_id"', 'keys = "visit_id"', "[visits] takes fields, label and optionally"),
        ('label = "Visits"\n', "", "[visits] takes fields, label"),
        ('kind = "number"', 'kind = "decimal"', "field 'hours' has unknown kind 'decimal'"),
        ("required = true", 'required = "yes"', "[visits] field required must be true or false"),
        ('help = "On site"', 'hint = "On site"', "[visits] field takes kind, name and optionally"),
    ],
)
def test_a_wrong_entity_names_file_and_entity(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    assert old in ENTITY
    path = write(tmp_path, "e.toml", ENTITY.replace(old, new))
    with pytest.raises(ValueError) as caught:
        entities.read_entities(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert complaint in str(caught.value)


def test_the_shipped_entities_are_the_six_and_the_people_list() -> None:
    assert entities.ENTITY_NAMES == (
        "customers",
        "invoices",
        "deals",
        "time_entries",
        "activities",
        "tickets",
    )
    assert entities.IMPORTABLE[-1] == "people"
    assert entities.entity("deals").key == "deal_id"
    assert entities.entity("invoices").required == ("date", "customer", "amount")


SMALL = demo.SCALES["small"]
SCALE = "[tiny]\n" + "".join(
    f"{k} = {v!r}\n" for k, v in {**SMALL.__dict__, "customers": 24}.items()
)


def test_a_scale_reads_with_its_numbers(tmp_path: Path) -> None:
    tiny = demo.read_scales(write(tmp_path, "s.toml", SCALE))["tiny"]
    assert (tiny.customers, tiny.techs, tiny.invoice_items) == (24, 10, 1.0)
    assert SMALL.customers == 242 and demo.SCALES["large"].deal_size == 0.3


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("techs = 10\n", "", "[tiny] needs exactly these keys: customers, techs,"),
        ("techs = 10", "techs = 10.0", "[tiny] techs must be a whole number, not 10.0"),
        (
            "deal_size = 1.6",
            'deal_size = "1.6"',
            "[tiny] deal_size must be a number with a decimal point",
        ),
    ],
)
def test_a_wrong_scale_names_file_and_scale(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    assert old in SCALE
    path = write(tmp_path, "s.toml", SCALE.replace(old, new))
    with pytest.raises(demo.DemoError) as caught:
        demo.read_scales(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert complaint in str(caught.value)
