"""The peer dictionary: one versioned definition per publishable figure, carried on each card;
figures of different versions never pooled; quartiles only from five members (worked by hand)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from analytics import peers, store
from analytics.errors import PeerError
from analytics.indicators import REGISTRY, Result
from analytics.peers import dictionary

DAY = date(2025, 6, 30)
KEY = "0123456789abcdef0123456789abcdef"


# ---------------------------------------------------------------- the dictionary itself


def test_the_dictionary_defines_exactly_the_publishable_figures_in_their_unit_and_direction() -> (
    None
):
    # a member sharing amounts may publish every figure the registry can publish
    publishable = peers.publishable_ids(share_amounts=True)
    defined = peers.definitions()
    assert list(defined) == publishable, "run `python -m analytics.peers.draft` and add its entries"
    for ind_id, d in defined.items():
        ind = REGISTRY[ind_id]
        assert (d.unit, d.higher_is_better) == (ind.unit, ind.higher_is_better), ind_id
        assert d.version >= 1 and d.name and d.formula
    churn = peers.definition("churn_rate")
    assert (churn.name, churn.unit, churn.direction, churn.version) == (
        "Customers lost in a year",
        "share",
        "lower",
        1,
    )
    with pytest.raises(KeyError, match="No definition of figure 'happiness'"):
        peers.definition("happiness")


ENTRY = 'id = "x"\nname = "X"\nformula = "a over b"\nunit = "share"\ndirection = "higher"\n'


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"[[figure]]\n{ENTRY}", "missing ['version']"),
        (f"[[figure]]\n{ENTRY}version = 0\n", "version must be a whole number from 1"),
        (f"[[figure]]\n{ENTRY}version = true\n", "version must be a whole number from 1"),
        (f"[[figure]]\n{ENTRY}version = 1\nnote = 'x'\n", "unexpected ['note']"),
        (
            f"[[figure]]\n{ENTRY.replace('higher', 'up')}version = 1\n",
            "direction must be 'higher' or 'lower'",
        ),
        (f"[[figure]]\n{ENTRY.replace('share', 'pct')}version = 1\n", "unknown unit 'pct'"),
        (f"[[figure]]\n{ENTRY}version = 1\n[[figure]]\n{ENTRY}version = 2\n", "defined twice"),
        ("title = 'x'\n", "only [[figure]] tables"),
        ("[[figure]\n", "not valid TOML"),
    ],
)
def test_a_malformed_dictionary_is_refused_naming_what_is_wrong(
    tmp_path: Path, text: str, says: str
) -> None:
    path = tmp_path / "dictionary.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(dictionary.DictionaryError, match=repr(says)[1:-1].replace("[", r"\[")):
        dictionary.load(path)


def test_the_shipped_dictionary_loads_as_the_module_holds_it() -> None:
    assert dictionary.load() == peers.definitions()


# ---------------------------------------------------------------- cards carry the version


def v2_card(**figure: Any) -> dict[str, Any]:
    one = {"id": "discount_depth", "unit": "share", "value": 0.25, "status": "amber"}
    return {
        "format": "opening-day-kpi-card",
        "version": 2,
        "member": {"key": KEY},
        "group": "G",
        "published_at": "2025-07-01T09:00:00",
        "figures": [{**one, "version": 1, **figure}],
    }


def test_a_version_1_card_is_read_as_version_1_of_each_figure() -> None:
    card = v2_card()
    card["version"] = 1
    del card["figures"][0]["version"]
    (figure,) = peers.parse_card(json.dumps(card)).figures
    assert (figure.id, figure.version) == ("discount_depth", 1)


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        (
            {"version": 7},
            "Figure 1 (discount_depth) follows version 7 of its definition, which this server "
            "does not know (it knows version 1).",
        ),
        (
            {"version": None},
            "Figure 1 (discount_depth) does not say which version of its definition it follows "
            "('version').",
        ),
        (
            {"version": "1"},
            "Figure 1 (discount_depth) has a definition version that is not a whole number from "
            '1: "1".',
        ),
    ],
)
def test_a_card_with_an_unknown_or_missing_figure_version_is_refused_in_one_sentence(
    figure: dict[str, Any], message: str
) -> None:
    card = v2_card(**figure)
    if figure["version"] is None:
        del card["figures"][0]["version"]
    with pytest.raises(PeerError) as refused:
        peers.parse_card(json.dumps(card))
    assert str(refused.value) == message


def test_another_problem_of_the_card_is_told_before_a_figure_version() -> None:
    card = v2_card(version=7, unit="ratio")
    with pytest.raises(PeerError, match="in unit 'ratio', but this indicator is measured in"):
        peers.parse_card(json.dumps(card))


# ---------------------------------------------------------------- pooling and quartiles


def result(ind_id: str, value: float) -> Result:
    return Result(ind_id, value, "amber", "", {})  # type: ignore[arg-type]


def group_of(con: store.Connection, discounts: list[float]) -> tuple[peers.Group, list[int]]:
    """One business per value, each publishing only discount_depth."""
    found = [store.create_workspace(con, f"Biz {n}") for n in range(len(discounts))]
    group = peers.create_group(con, "Circle", founder=found[0].id)
    for ws, value in zip(found, discounts, strict=True):
        peers.join_group(
            con, group.id, ws.id, sponsor=found[0].id, published_ids=["discount_depth"]
        )
        results = {"discount_depth": result("discount_depth", value)}
        peers.publish(
            con, group.id, ws.id, DAY, results=results, published_at=datetime(2025, 7, 1, 9)
        )
    return group, [w.id for w in found]


def test_five_members_get_quartiles_worked_by_linear_interpolation(con: store.Connection) -> None:
    group, (first, *_) = group_of(con, [0.40, 0.05, 0.60, 0.10, 0.25])
    d = peers.spread(con, group.id, viewer=first).set_index("indicator_id").loc["discount_depth"]
    # sorted 0.05, 0.10, 0.25, 0.40, 0.60; linear interpolation (quantile_cont, QUARTILE.INC)
    # at position (n − 1) × p from 0: Q1 at 1 → 0.10, median at 2 → 0.25, Q3 at 3 → 0.40
    assert (d["members"], d["older"], d["version"], bool(d["banded"])) == (5, 0, 1, True)
    assert (d["low"], d["q1"], d["median"], d["q3"], d["high"]) == pytest.approx(
        (0.05, 0.10, 0.25, 0.40, 0.60)
    )
    assert peers.pooling_notes(int(d["members"]), int(d["older"])) == []


def test_four_members_are_dots_without_quartiles_and_say_why(con: store.Connection) -> None:
    group, (first, *_) = group_of(con, [0.40, 0.05, 0.60, 0.10])
    d = peers.spread(con, group.id, viewer=first).set_index("indicator_id").loc["discount_depth"]
    assert (d["members"], bool(d["banded"])) == (4, False)
    assert peers.pooling_notes(4, 0) == ["Only 4 members published this figure: quartiles need 5."]


def test_two_versions_of_a_figure_are_never_pooled(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This server's dictionary moves discount_depth to version 2 before anyone publishes.
    moved = replace(peers.definition("discount_depth"), version=2)
    monkeypatch.setitem(dictionary._DEFINITIONS, "discount_depth", moved)
    group, (first, *_) = group_of(con, [0.40, 0.05, 0.60, 0.10, 0.25])
    # A member on another server still publishes version-1 cards: 0.95, far off the others.
    old = v2_card(value=0.95, status="red")
    old["version"] = 1
    del old["figures"][0]["version"]
    peers.import_card(con, group.id, json.dumps(old), viewer=first)
    figures = peers.latest_figures(con, group.id, viewer=first)
    assert sorted(zip(figures["value"], figures["version"], strict=True))[-1] == (0.95, 1)
    assert figures["version"].tolist().count(2) == 5
    d = peers.spread(con, group.id, viewer=first).set_index("indicator_id").loc["discount_depth"]
    # pooled: the five version-2 values only (0.95 would make the median 0.325 and high 0.95)
    assert (d["members"], d["older"], d["version"]) == (5, 1, 2)
    assert (d["median"], d["high"]) == pytest.approx((0.25, 0.60))
    assert peers.pooling_notes(5, 1) == [
        "1 member published an older definition of this figure: listed apart, not pooled."
    ]
    assert peers.pooling_notes(3, 2) == [
        "Only 3 members published this figure: quartiles need 5.",
        "2 members published an older definition of this figure: listed apart, not pooled.",
    ]
    # a card of a newer version than this server knows is refused
    with pytest.raises(PeerError, match="version 3 of its definition"):
        peers.import_card(con, group.id, json.dumps(v2_card(version=3)), viewer=first)
    # the cards published here carry version 2 of the figure
    member = peers.membership(con, group.id, first)
    assert member is not None
    mine = json.loads(peers.latest_card_json(con, group.id, member.member_key, viewer=first) or "")
    assert mine["version"] == 2
    assert mine["figures"] == [
        {"id": "discount_depth", "unit": "share", "value": 0.40, "status": "amber", "version": 2}
    ]


def test_the_published_schema_asks_for_figure_versions_exactly_from_card_version_2() -> None:
    import jsonschema

    from analytics.peers.schema import SCHEMA_FILE

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(v2_card())
    lacking = v2_card()
    del lacking["figures"][0]["version"]
    old_with_version = {**v2_card(), "version": 1}
    old = {**lacking, "version": 1}
    assert validator.is_valid(old)
    for bad in (lacking, old_with_version, v2_card(version=0)):
        assert not validator.is_valid(bad), bad
        with pytest.raises(PeerError):
            peers.parse_card(json.dumps(bad))


def test_a_new_indicator_gets_a_drafted_entry_that_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert dictionary.missing_entries() == ""  # every indicator has its definition
    monkeypatch.delitem(dictionary._DEFINITIONS, "churn_rate")
    drafted = dictionary.missing_entries()
    path = tmp_path / "dictionary.toml"
    path.write_text(drafted, encoding="utf-8")
    (churn,) = dictionary.load(path).values()
    assert churn == dictionary.load()["churn_rate"]  # the shipped entry was drafted this way
