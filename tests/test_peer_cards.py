"""KPI card files read by the pydantic models: unknown fields, versions and wrong types refused
in one plain sentence naming the field, text kept as text, and the published JSON Schema."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analytics import peers, store
from analytics.errors import PeerError
from analytics.peers.schema import SCHEMA_FILE, main, schema_text
from tests.test_peers import good_card

KEY = "0123456789abcdef0123456789abcdef"


def card(**top: Any) -> dict[str, Any]:
    """The good card of test_peers (discount depth 0.25 amber, churn unknown), with `top` fields
    replaced."""
    return {**good_card(), **top}


def refusal(data: dict[str, Any]) -> str:
    with pytest.raises(PeerError) as err:
        peers.parse_card(json.dumps(data))
    return str(err.value)


def with_member(**member: Any) -> dict[str, Any]:
    return card(member={"key": KEY, **member})


def with_figure(n: int, **figure: Any) -> dict[str, Any]:
    data = card()
    data["figures"][n].update(figure)
    return data


def test_the_good_card_reads_into_a_card() -> None:
    got = peers.parse_card(json.dumps(card()))
    assert got == peers.Card(
        KEY,
        None,
        "Harbour circle",
        datetime(2025, 7, 1, 9, 0),
        date(2025, 6, 30),
        None,
        (
            peers.Figure("discount_depth", "share", 0.25, "amber"),
            peers.Figure("churn_rate", "share", None, "unknown"),
        ),
    )


# ---------------------------------------------------------------- unknown fields

UNKNOWN_FIELDS = [
    ("at the top", card(details={"top": "Acme"}), "The card has unexpected field(s): 'details'."),
    (
        "two at the top, sorted",
        card(zeta=1, alpha=2),
        "The card has unexpected field(s): 'alpha', 'zeta'.",
    ),
    (
        "in the member",
        with_member(email="jo@acme.example"),
        "'member' has unexpected field(s): 'email'.",
    ),
    (
        "in a figure",
        with_figure(1, note="Jo Bloggs is late"),
        "Figure 2 has unexpected field(s) 'note': a card carries only id, unit, value and "
        "status (never messages or details, which name people).",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [u[1:] for u in UNKNOWN_FIELDS], ids=[u[0] for u in UNKNOWN_FIELDS]
)
def test_an_unknown_field_is_refused_and_named(data: dict[str, Any], message: str) -> None:
    assert refusal(data) == message


# ---------------------------------------------------------------- versions

NOT_VERSION_1 = [
    ("a later one", 3, "3"),
    ("zero", 0, "0"),
    ("as text", "1", '"1"'),
    ("a yes", True, "true"),  # True == 1 in Python, but a version is a number
    ("null", None, "null"),
]


@pytest.mark.parametrize(
    ("version", "shown"), [v[1:] for v in NOT_VERSION_1], ids=[v[0] for v in NOT_VERSION_1]
)
def test_a_card_of_another_version_is_refused(version: Any, shown: str) -> None:
    assert refusal(card(version=version)) == (
        f"The card is version {shown}; this server reads versions 1 and 2. Export it again from an "
        "up-to-date Opening Day."
    )


def test_a_card_without_a_version_is_refused_and_one_point_oh_is_version_1() -> None:
    data = card()
    del data["version"]
    assert refusal(data).startswith("The card is version null;")
    # JSON has one number type: 1.0 was read as version 1 before the models, and still is
    assert peers.parse_card(json.dumps(card(version=1.0))).member_key == KEY


# ---------------------------------------------------------------- wrong types

WRONG_TYPES = [
    ("share_amounts as text", card(share_amounts="yes"), "'share_amounts' must be true or false."),
    (
        "show_name as text",
        with_member(name="Beta", show_name="true"),
        "'member.show_name' must be true or false.",
    ),
    (
        "member key a number",
        with_member(key=123),
        "'member.key' must be 32 hexadecimal characters (a random id).",
    ),
    ("group a number", card(group=7), "'group' must be the name of the peer group, as text."),
    (
        "published_at a timestamp",
        card(published_at=1751360400),
        "'published_at' must be a date and time written as text (ISO 8601).",
    ),
    (
        "as_of a number",
        card(as_of=20250630),
        "'as_of' must be a date written as text (YYYY-MM-DD).",
    ),
    ("figures an object", card(figures={"discount_depth": 0.25}), "'figures' must be a list."),
    (
        "a figure a number",
        card(figures=[card()["figures"][0], 3]),
        "Figure 2 is not an object with id, unit, value and status.",
    ),
    (
        # a lax reader would turn "0.25" into 0.25; the card's value must be a JSON number
        "value a number in text",
        with_figure(0, value="0.25"),
        "Figure 1 (discount_depth) has a value that is not a number: '0.25'.",
    ),
    (
        "value too large for a float",
        with_figure(0, value=10**400),
        "Figure 1 (discount_depth) has a value that is not a number: '" + "1" + "0" * 39 + "'.",
    ),
    (
        "unit a number",
        with_figure(0, unit=5),
        "Figure 1 (discount_depth) is in unit '5', but this indicator is measured in 'share' here.",
    ),
    ("id a number", with_figure(0, id=5), "Figure 1 names an unknown indicator 5."),
]


@pytest.mark.parametrize(
    ("data", "message"), [w[1:] for w in WRONG_TYPES], ids=[w[0] for w in WRONG_TYPES]
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(
    data: dict[str, Any], message: str
) -> None:
    assert refusal(data) == message


def test_a_card_with_several_faults_is_told_the_first_in_reading_order() -> None:
    # format, then version, then unknown fields, then missing ones, then each field in turn
    assert "'format' should be" in refusal(card(format="kpi", version=3, extra=1))
    assert refusal(card(version=3, extra=1)).startswith("The card is version 3;")
    no_group = card(extra=1)
    del no_group["group"]
    assert refusal(no_group) == "The card has unexpected field(s): 'extra'."
    del no_group["extra"], no_group["published_at"]
    assert refusal(no_group) == "The card lacks group, published_at."
    # figures in order: figure 1's status before figure 2's unknown id
    figures = [
        {"id": "discount_depth", "unit": "share", "value": 0.25, "status": "purple"},
        {"id": "happiness", "unit": "share", "value": 1.0, "status": "green"},
    ]
    assert refusal(card(figures=figures)) == (
        "Figure 1 (discount_depth) has status 'purple'; a status is one of red, amber, green, "
        "unknown."
    )
    assert refusal(card(figures=figures[1:])) == "Figure 1 names an unknown indicator 'happiness'."


# ---------------------------------------------------------------- text stays text

HTML_NAME = '<b>Beta</b> <a href="https://x.example">AT&T</a> <script>alert(1)</script>'


def test_text_that_looks_like_html_is_kept_as_plain_text(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = with_member(name=HTML_NAME)
    data["group"] = "  <i>Harbour</i>\n circle  "  # white space runs become one space, as before
    parsed = peers.parse_card(json.dumps(data))
    assert parsed.member_name == HTML_NAME  # not escaped, not stripped: the UI makes it inert
    assert parsed.group == "<i>Harbour</i> circle"

    group = peers.create_group(con, "Bay circle", founder=workspace.id)
    outcome = peers.import_card(con, group.id, json.dumps(data), viewer=workspace.id)
    assert outcome.new_member
    assert f"Card from {HTML_NAME} added to 'Bay circle'" in outcome.message
    (imported,) = [m for m in peers.members(con, group.id, viewer=workspace.id) if m.imported]
    assert (imported.name, imported.show_name) == (HTML_NAME, True)
    labels = peers.member_labels(con, group.id, viewer=workspace.id)
    assert list(labels["label"]) == ["You", HTML_NAME]
    # exported again, the card carries the same characters
    text = peers.latest_card_json(con, group.id, imported.member_key, viewer=workspace.id)
    assert json.loads(text or "")["member"]["name"] == HTML_NAME


def test_a_blank_name_is_no_name_and_a_long_one_is_counted_after_trimming() -> None:
    assert peers.parse_card(json.dumps(with_member(name="  \n "))).member_name is None
    assert peers.parse_card(json.dumps(with_member(name=" " + "n" * 80 + " "))).member_name == (
        "n" * 80
    )
    assert refusal(with_member(name="n" * 40 + "   " + "n" * 40)) == (
        "The member name is too long: at most 80 characters, got 81."
    )


# ---------------------------------------------------------------- the published schema


def test_the_committed_schema_is_the_one_the_models_give() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/peer-card.schema.json is stale: run `python -m analytics.peers.schema`"
    )
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema == peers.card_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["version"]["enum"] == [1, peers.CARD_VERSION] == [1, 2]


def test_the_schema_accepts_an_exported_card_and_refuses_what_the_server_refuses(
    con: store.Connection, workspace: store.Workspace
) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    group = peers.create_group(con, "Bay circle", founder=workspace.id)
    peers.publish(con, group.id, workspace.id, date(2025, 6, 30), results={})
    (member,) = peers.members(con, group.id, viewer=workspace.id)
    exported = json.loads(
        peers.latest_card_json(con, group.id, member.member_key, viewer=workspace.id) or ""
    )
    assert list(validator.iter_errors(exported)) == []
    assert list(validator.iter_errors(card())) == []
    for bad in (
        card(details=1),
        card(version=3),
        with_member(key="Beta"),
        with_figure(0, id="happiness"),
        with_figure(0, message="Jo is late"),
        card(figures=[]),
    ):
        assert not validator.is_valid(bad), bad
        with pytest.raises(PeerError):
            peers.parse_card(json.dumps(bad))


def test_the_schema_command_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "card.schema.json"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == schema_text()
    assert main(["-"]) == 0
    assert capsys.readouterr().out.endswith(schema_text())
