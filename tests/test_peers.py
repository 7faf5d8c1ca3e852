"""Peer groups: members publish KPI cards, the group's medians and quartiles (worked out by hand),
labels that keep members anonymous, and cards that travel between servers as JSON files."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from analytics import access, peers, store
from analytics.errors import AccessDenied, PeerError
from analytics.indicators import REGISTRY, Result

DAY = date(2025, 6, 30)


def result(ind_id: str, value: float | None, status: str) -> Result:
    return Result(ind_id, value, status, "Acme Ltd and Jo Bloggs said so", {"who": "Jo Bloggs"})  # type: ignore[arg-type]


def publish(
    con: store.Connection,
    group: peers.Group,
    ws: store.Workspace,
    figures: dict[str, tuple[float | None, str]],
    when: datetime = datetime(2025, 7, 1, 9, 0),
) -> peers.Card:
    results = {i: result(i, v, s) for i, (v, s) in figures.items()}
    return peers.publish(con, group.id, ws.id, DAY, results=results, published_at=when)


@pytest.fixture
def trio(con: store.Connection) -> tuple[peers.Group, list[store.Workspace]]:
    """Three businesses in one group (Alpha founded it); only Beta shows its name."""
    found = [store.create_workspace(con, name) for name in ("Alpha", "Beta", "Gamma")]
    group = peers.create_group(con, "Harbour circle", founder=found[0].id)
    for ws in found:
        show = ws.name == "Beta"
        name = ws.name
        peers.join_group(
            con,
            group.id,
            ws.id,
            sponsor=found[0].id,
            published_ids=["discount_depth", "prospecting_hours", "churn_rate"],
            show_name=show,
            reset_item=f"{name}: estimate before quoting",
        )
    a, b, c = found
    publish(
        con,
        group,
        a,
        {
            "discount_depth": (0.10, "green"),
            "prospecting_hours": (1.0, "green"),
            "churn_rate": (None, "unknown"),
        },
    )
    publish(
        con,
        group,
        b,
        {
            "discount_depth": (0.20, "amber"),
            "prospecting_hours": (3.0, "green"),
            "churn_rate": (0.30, "red"),
        },
    )
    publish(
        con,
        group,
        c,
        {
            "discount_depth": (0.40, "red"),
            "prospecting_hours": (0.5, "red"),
            "churn_rate": (0.10, "green"),
        },
    )
    return group, found


def key_of(con: store.Connection, group: peers.Group, ws: store.Workspace) -> str:
    member = peers.membership(con, group.id, ws.id)
    assert member is not None
    return member.member_key


def group_viewer(con: store.Connection, group: peers.Group) -> int:
    """The workspace of the group's first member here (any member may read the cards)."""
    rows = (
        con.cursor()
        .execute(
            "SELECT workspace_id FROM peer_members WHERE group_id = $g AND workspace_id IS NOT "
            "NULL ORDER BY joined_at LIMIT 1",
            {"g": group.id},
        )
        .fetchall()
    )
    return int(rows[0][0])


def table_counts(con: store.Connection) -> tuple[int, int, int, int]:
    row = (
        con.cursor()
        .execute(
            "SELECT (SELECT count(*) FROM peer_groups), (SELECT count(*) FROM peer_members), "
            "(SELECT count(*) FROM peer_cards), (SELECT count(*) FROM peer_card_values)"
        )
        .fetchall()[0]
    )
    return (int(row[0]), int(row[1]), int(row[2]), int(row[3]))


# ---------------------------------------------------------------- what may be published


def test_amounts_and_counts_are_left_out_unless_the_member_opts_in() -> None:
    rates = peers.publishable_ids(share_amounts=False)
    assert "discount_depth" in rates and "prospecting_hours" in rates
    assert "effective_hourly_rate" not in rates  # money
    assert "loss_making_customers" not in rates  # count
    assert {REGISTRY[i].unit for i in rates}.isdisjoint({"money", "count"})
    assert peers.publishable_ids(share_amounts=True) == list(REGISTRY)


def test_joining_with_an_amount_but_without_opting_in_is_refused(
    con: store.Connection, workspace: store.Workspace
) -> None:
    founder = store.create_workspace(con, "Founder")
    group = peers.create_group(con, "North", founder=founder.id)
    with pytest.raises(PeerError, match="Tick 'Share amounts'"):
        peers.join_group(
            con,
            group.id,
            workspace.id,
            sponsor=founder.id,
            published_ids=["effective_hourly_rate"],
        )
    assert peers.membership(con, group.id, workspace.id) is None
    member = peers.join_group(
        con,
        group.id,
        workspace.id,
        sponsor=founder.id,
        published_ids=["effective_hourly_rate"],
        share_amounts=True,
    )
    assert member.published_ids == ("effective_hourly_rate",)


def test_group_names_are_unique_per_business_and_joining_twice_keeps_the_key(
    con: store.Connection, workspace: store.Workspace
) -> None:
    group = peers.create_group(con, "  North   circle ", founder=workspace.id)
    assert group.name == "North circle"
    with pytest.raises(PeerError, match="already in a peer group called 'north CIRCLE'"):
        peers.create_group(con, "north CIRCLE", founder=workspace.id)
    with pytest.raises(PeerError, match="a name"):
        peers.create_group(con, "   ", founder=workspace.id)
    # another business may have a group of the same name: names tell nobody about others
    other = store.create_workspace(con, "Other Co")
    theirs = peers.create_group(con, "North circle", founder=other.id)
    assert theirs.id != group.id
    assert peers.find_group(con, "NORTH circle", viewer=other.id) == theirs
    assert peers.find_group(con, "north circle", viewer=workspace.id) == group
    first = peers.membership(con, group.id, workspace.id)  # the founder is the first member
    assert first is not None
    assert first.name == "Test Co" and not first.show_name
    assert first.published_ids == tuple(peers.publishable_ids(False))
    again = peers.join_group(con, group.id, workspace.id, published_ids=["discount_depth"])
    assert again.member_key == first.member_key
    assert again.published_ids == ("discount_depth",)
    assert len(first.member_key) == 32


def test_a_card_carries_only_chosen_figures_and_never_messages_or_names(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, beta, _) = trio
    card = json.loads(
        peers.latest_card_json(
            con, group.id, key_of(con, group, alpha), viewer=group_viewer(con, group)
        )
        or ""
    )
    assert card["format"] == "opening-day-kpi-card" and card["version"] == 2
    assert card["member"] == {"key": key_of(con, group, alpha)}  # Alpha hides its name
    assert card["group"] == "Harbour circle" and card["as_of"] == "2025-06-30"
    assert card["published_at"] == "2025-07-01T09:00:00"
    assert "currency" not in card  # no amounts shared
    assert [f["id"] for f in card["figures"]] == [
        "prospecting_hours",
        "churn_rate",
        "discount_depth",
    ]
    churn = {"id": "churn_rate", "unit": "share", "value": None, "status": "unknown", "version": 1}
    assert churn in card["figures"]
    text = (
        peers.latest_card_json(
            con, group.id, key_of(con, group, alpha), viewer=group_viewer(con, group)
        )
        or ""
    )
    assert "Jo Bloggs" not in text and "Acme" not in text and "Alpha" not in text
    named = json.loads(
        peers.latest_card_json(
            con, group.id, key_of(con, group, beta), viewer=group_viewer(con, group)
        )
        or ""
    )
    assert named["member"]["name"] == "Beta"


# ---------------------------------------------------------------- the group's spread


def test_medians_and_quartiles_are_interpolated_between_members(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, _, _) = trio
    stats = peers.spread(con, group.id, viewer=alpha.id).set_index("indicator_id")
    # discount 0.10, 0.20, 0.40: positions 0.5, 1, 1.5 of 0..2
    d = stats.loc["discount_depth"]
    assert d["members"] == 3
    assert d["q1"] == pytest.approx(0.15)
    assert d["median"] == pytest.approx(0.20)
    assert d["q3"] == pytest.approx(0.30)
    assert (d["low"], d["high"]) == pytest.approx((0.10, 0.40))
    # prospecting 0.5, 1, 3 h: Q1 0.75, median 1, Q3 2
    p = stats.loc["prospecting_hours"]
    assert (p["q1"], p["median"], p["q3"]) == pytest.approx((0.75, 1.0, 2.0))
    # churn: Alpha's is unknown, so two members: 0.10, 0.30 → Q1 0.15, median 0.20, Q3 0.25
    c = stats.loc["churn_rate"]
    assert c["members"] == 2
    assert (c["q1"], c["median"], c["q3"]) == pytest.approx((0.15, 0.20, 0.25))


def test_a_fourth_member_moves_the_quartiles(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, _, _) = trio
    delta = store.create_workspace(con, "Delta")
    peers.join_group(con, group.id, delta.id, sponsor=alpha.id, published_ids=["prospecting_hours"])
    publish(con, group, delta, {"prospecting_hours": (10.0, "green")})
    p = peers.spread(con, group.id, viewer=delta.id).set_index("indicator_id")
    p = p.loc["prospecting_hours"]
    # 0.5, 1, 3, 10: Q1 at 0.75 → 0.5 + 0.75 × 0.5 = 0.875; median 2; Q3 at 2.25 → 3 + 0.25 × 7
    assert p["members"] == 4
    assert (p["q1"], p["median"], p["q3"]) == pytest.approx((0.875, 2.0, 4.75))


def test_only_each_members_latest_card_counts(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (_, _, gamma) = trio
    publish(con, group, gamma, {"discount_depth": (0.30, "red")}, datetime(2025, 8, 1, 9, 0))
    stats = peers.spread(con, group.id, viewer=gamma.id).set_index("indicator_id")
    # 0.10, 0.20, 0.30 now; Gamma's new card no longer gives prospecting hours
    assert stats.loc["discount_depth", "median"] == pytest.approx(0.20)
    assert stats.loc["discount_depth", "q3"] == pytest.approx(0.25)
    assert stats.loc["prospecting_hours", "members"] == 2
    assert stats.loc["prospecting_hours", "median"] == pytest.approx(2.0)


def test_labels_say_you_show_opted_in_names_and_hide_the_rest(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, beta, gamma) = trio
    as_gamma = peers.member_labels(con, group.id, viewer=gamma.id)
    labels = dict(zip(as_gamma["member_key"], as_gamma["label"], strict=True))
    assert labels[key_of(con, group, gamma)] == "You"
    assert labels[key_of(con, group, beta)] == "Beta"
    assert labels[key_of(con, group, alpha)] == "Member A"
    # Letters do not depend on who looks: Gamma is Member B to everyone else
    as_alpha = peers.member_labels(con, group.id, viewer=alpha.id)
    labels = dict(zip(as_alpha["member_key"], as_alpha["label"], strict=True))
    assert labels[key_of(con, group, alpha)] == "You"
    assert labels[key_of(con, group, gamma)] == "Member B"
    shown = peers.latest_figures(con, group.id, viewer=alpha.id)
    assert set(shown["label"]) == {"You", "Beta", "Member B"}
    assert "Gamma" not in set(shown["label"])
    # a hidden name stays out of the frame, for every viewer but its own business
    names = dict(zip(as_alpha["member_key"], as_alpha["name"], strict=True))
    assert names[key_of(con, group, gamma)] == "" and names[key_of(con, group, beta)] == "Beta"
    assert names[key_of(con, group, alpha)] == "Alpha"
    assert "workspace_id" not in as_alpha and list(as_alpha["here"]) == [True, True, True]
    # the room's labels (the review agenda) say no "You"
    room = peers.member_labels(con, group.id, viewer=alpha.id, mark_you=False)
    assert list(room["label"]) == ["Member A", "Beta", "Member B"]


def test_standing_says_which_of_your_figures_are_in_the_bottom_quartile(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, _, gamma) = trio
    mine = peers.standing(con, group.id, viewer=gamma.id).set_index("indicator_id")
    # discount is lower-is-better: Gamma's 0.40 is above Q3 0.30 → bottom quartile
    assert mine.loc["discount_depth", "position"] == "bottom quartile"
    # prospecting is higher-is-better: 0.5 h is below Q1 0.75 → bottom quartile
    assert mine.loc["prospecting_hours", "position"] == "bottom quartile"
    # churn is lower-is-better: 0.10 is below Q1 0.15 → top quartile
    assert mine.loc["churn_rate", "position"] == "top quartile"
    theirs = peers.standing(con, group.id, viewer=alpha.id).set_index("indicator_id")
    assert theirs.loc["discount_depth", "position"] == "top quartile"
    assert theirs.loc["churn_rate", "position"] == "unknown"


def test_reds_per_member_come_from_the_latest_card(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, beta, gamma) = trio
    reds = peers.reds(con, group.id, viewer=beta.id)
    by_member = dict(zip(reds["member_key"], reds["reds"], strict=True))
    assert key_of(con, group, alpha) not in by_member
    assert list(by_member[key_of(con, group, beta)]) == ["churn_rate"]
    assert sorted(by_member[key_of(con, group, gamma)]) == ["discount_depth", "prospecting_hours"]
    assert peers.reds(
        con, group.id, viewer=beta.id, until=date(2025, 6, 1)
    ).empty  # nothing published then


def test_publishing_a_workspace_without_data_sends_unknowns(
    con: store.Connection, workspace: store.Workspace
) -> None:
    group = peers.create_group(con, "North", founder=workspace.id)
    card = peers.publish(con, group.id, workspace.id)
    assert card.figures and {f.status for f in card.figures} == {"unknown"}
    assert {f.value for f in card.figures} == {None}
    assert peers.spread(con, group.id, viewer=workspace.id).empty


def test_publishing_before_joining_is_refused(
    con: store.Connection, workspace: store.Workspace
) -> None:
    founder = store.create_workspace(con, "Founder")
    group = peers.create_group(con, "North", founder=founder.id)
    with pytest.raises(AccessDenied, match="not a member"):
        peers.publish(con, group.id, workspace.id)
    assert table_counts(con)[2] == 0


def test_leaving_removes_the_member_and_its_cards(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, _, gamma) = trio
    with pytest.raises(AccessDenied, match="Only that business"):
        peers.leave_group(con, group.id, key_of(con, group, gamma), viewer=alpha.id)
    peers.leave_group(con, group.id, key_of(con, group, gamma), viewer=gamma.id)
    stats = peers.spread(con, group.id, viewer=alpha.id).set_index("indicator_id")
    assert stats.loc["discount_depth", "members"] == 2
    assert table_counts(con)[1:3] == (2, 2)
    with pytest.raises(AccessDenied):  # gone means gone: no more reading the group
        peers.spread(con, group.id, viewer=gamma.id)


# ---------------------------------------------------------------- cards between servers


def test_a_card_exported_from_one_store_imports_into_another(
    tmp_path: Path, trio: tuple[peers.Group, list[store.Workspace]], con: store.Connection
) -> None:
    group, (_, beta, gamma) = trio
    beta_file = tmp_path / "beta.json"
    beta_file.write_text(
        peers.latest_card_json(
            con, group.id, key_of(con, group, beta), viewer=group_viewer(con, group)
        )
        or ""
    )
    gamma_text = (
        peers.latest_card_json(
            con, group.id, key_of(con, group, gamma), viewer=group_viewer(con, group)
        )
        or ""
    )

    other = store.connect(tmp_path / "other.duckdb")
    try:
        here = store.create_workspace(other, "Zeta")
        target = peers.create_group(other, "Harbour circle", founder=here.id)
        peers.join_group(other, target.id, here.id, published_ids=["discount_depth"])
        publish(other, target, here, {"discount_depth": (0.05, "green")})

        outcome = peers.import_card(other, target.id, beta_file.read_bytes(), viewer=here.id)
        assert outcome.added and outcome.new_member
        assert peers.import_card(other, target.id, gamma_text, viewer=here.id).added

        imported = {m.member_key: m for m in peers.members(other, target.id, viewer=here.id)}
        assert imported[key_of(con, group, beta)].workspace_id is None
        assert imported[key_of(con, group, beta)].name == "Beta"
        assert imported[key_of(con, group, gamma)].name == ""  # Gamma's name never left
        # discount 0.05 (here), 0.20 (Beta), 0.40 (Gamma): Q1 0.125, median 0.20, Q3 0.30
        d = peers.spread(other, target.id, viewer=here.id).set_index("indicator_id")
        d = d.loc["discount_depth"]
        assert d["members"] == 3
        assert (d["q1"], d["median"], d["q3"]) == pytest.approx((0.125, 0.20, 0.30))
        labels = set(peers.member_labels(other, target.id, viewer=here.id)["label"])
        # Zeta joined first, so it is Member A to the others and Gamma is Member B
        assert labels == {"You", "Beta", "Member B"}
        # the imported card is byte for byte the exported one
        assert (
            peers.latest_card_json(other, target.id, key_of(con, group, beta), viewer=here.id)
            == beta_file.read_text()
        )

        # the same file again changes nothing, and says so
        before = table_counts(other)
        again = peers.import_card(other, target.id, beta_file.read_bytes(), viewer=here.id)
        assert not again.added and "nothing changed" in again.message
        assert table_counts(other) == before
    finally:
        other.close()


def test_a_newer_card_of_an_imported_member_is_the_one_shown(
    con: store.Connection, tmp_path: Path, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (_, beta, _) = trio
    old = (
        peers.latest_card_json(
            con, group.id, key_of(con, group, beta), viewer=group_viewer(con, group)
        )
        or ""
    )
    # Beta publishes again a month later, now anonymous
    peers.join_group(con, group.id, beta.id, published_ids=["discount_depth"], show_name=False)
    publish(con, group, beta, {"discount_depth": (0.50, "red")}, datetime(2025, 8, 1, 9, 0))
    new = (
        peers.latest_card_json(
            con, group.id, key_of(con, group, beta), viewer=group_viewer(con, group)
        )
        or ""
    )
    assert "Beta" not in new

    other = store.connect(tmp_path / "other.duckdb")
    try:
        here = store.create_workspace(other, "Zeta")
        target = peers.create_group(other, "Elsewhere", founder=here.id)
        peers.import_card(other, target.id, old, viewer=here.id)
        outcome = peers.import_card(other, target.id, new, viewer=here.id)
        assert outcome.added and not outcome.new_member
        assert table_counts(other)[2] == 2  # two cards kept
        shown = peers.latest_figures(other, target.id, viewer=here.id)
        assert list(shown["value"]) == [0.50]
        # Zeta (hidden, no card) founded the group, so it holds letter A and Beta is Member B;
        # the withdrawn name stays hidden
        assert list(shown["label"]) == ["Member B"]
        assert "published for 'Harbour circle'" in outcome.message
        # an older card arriving late is kept but does not replace the newer one
        third = peers.import_card(other, target.id, old, viewer=here.id)
        assert not third.added
    finally:
        other.close()


def test_a_local_members_card_cannot_be_imported_into_its_own_group(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, _, _) = trio
    text = (
        peers.latest_card_json(
            con, group.id, key_of(con, group, alpha), viewer=group_viewer(con, group)
        )
        or ""
    )
    before = table_counts(con)
    with pytest.raises(PeerError, match="publishes on this server"):
        peers.import_card(con, group.id, text, viewer=alpha.id)
    assert table_counts(con) == before


def good_card() -> dict[str, Any]:
    return {
        "format": "opening-day-kpi-card",
        "version": 1,
        "member": {"key": "0123456789abcdef0123456789abcdef"},
        "group": "Harbour circle",
        "published_at": "2025-07-01T09:00:00",
        "as_of": "2025-06-30",
        "figures": [
            {"id": "discount_depth", "unit": "share", "value": 0.25, "status": "amber"},
            {"id": "churn_rate", "unit": "share", "value": None, "status": "unknown"},
        ],
    }


def figure_with(**change: Any) -> dict[str, Any]:
    card = good_card()
    card["figures"][0].update(change)
    return card


def money_card() -> dict[str, Any]:
    card = good_card()
    card["figures"].append(
        {"id": "effective_hourly_rate", "unit": "money", "value": 95.0, "status": "green"}
    )
    return card


def with_member(**member: Any) -> dict[str, Any]:
    card = good_card()
    card["member"].update(member)
    return card


def with_top(**top: Any) -> dict[str, Any]:
    card = good_card()
    card.update(top)
    return card


def without(key: str) -> dict[str, Any]:
    card = good_card()
    del card[key]
    return card


def dumped(card: dict[str, Any]) -> bytes:
    return json.dumps(card).encode()


MALFORMED: list[tuple[str, bytes, str]] = [
    ("not json", b"format: opening-day-kpi-card", "not valid JSON"),
    ("not text", b"\xff\xfe\x00\x81binary", "not text"),
    ("empty", b"   ", "empty"),
    ("a list", b"[1, 2]", "expected an object"),
    ("wrong format", dumped(with_top(format="kpi-card")), "not an Opening Day KPI card"),
    ("no format", dumped(without("format")), "not an Opening Day KPI card"),
    ("wrong version", dumped(with_top(version=3)), "version 3"),
    ("version as text", dumped(with_top(version="1")), 'version "1"'),
    ("unknown indicator", dumped(figure_with(id="happiness")), "unknown indicator 'happiness'"),
    ("unit mismatch", dumped(figure_with(unit="ratio")), "measured in 'share'"),
    ("value as text", dumped(figure_with(value="12%")), "not a number: '12%'"),
    ("value a boolean", dumped(figure_with(value=True)), "not a number"),
    (
        "value NaN",
        b'{"format": "opening-day-kpi-card", "version": 1, "member": {"key": "0123456789abcdef0123456789abcdef"}, "group": "G", "published_at": "2025-07-01T09:00:00", "figures": [{"id": "discount_depth", "unit": "share", "value": NaN, "status": "red"}]}',
        "not a finite number",
    ),
    (
        "value Infinity",
        b'{"format": "opening-day-kpi-card", "version": 1, "member": {"key": "0123456789abcdef0123456789abcdef"}, "group": "G", "published_at": "2025-07-01T09:00:00", "figures": [{"id": "discount_depth", "unit": "share", "value": 1e999, "status": "red"}]}',
        "not a finite number",
    ),
    ("status purple", dumped(figure_with(status="purple")), "status 'purple'"),
    ("status missing value", dumped(figure_with(value=None)), "no value but status 'amber'"),
    (
        "unknown with a value",
        dumped(figure_with(status="unknown")),
        "has a value but status 'unknown'",
    ),
    (
        "a message smuggled in",
        dumped(figure_with(message="Jo Bloggs is late")),
        "unexpected field(s) 'message'",
    ),
    (
        "details smuggled in",
        dumped(with_top(details={"top": "Acme"})),
        "unexpected field(s): 'details'",
    ),
    (
        "name without opt-in",
        dumped(with_member(name="Beta Ltd", show_name=False)),
        "did not choose to show",
    ),
    ("name not text", dumped(with_member(name=42)), "must be text"),
    ("money without opt-in", dumped(money_card()), "is an amount (money)"),
    (
        "currency although not sharing",
        dumped({**money_card(), "currency": "EUR", "share_amounts": False}),
        "chose not to share amounts",
    ),
    ("bad currency", dumped({**money_card(), "currency": "euro"}), "three-letter currency"),
    (
        "count without opt-in",
        dumped(figure_with(id="cut_and_run", unit="count", value=3)),
        "is an amount (count)",
    ),
    ("bad member key", dumped(with_member(key="Beta")), "32 hexadecimal"),
    ("member not an object", dumped(with_top(member="Beta")), "'member' must be an object"),
    ("no figures", dumped(with_top(figures=[])), "no figures"),
    ("figures not a list", dumped(with_top(figures={"a": 1})), "must be a list"),
    ("a figure twice", dumped(with_top(figures=[good_card()["figures"][0]] * 2)), "more than once"),
    ("bad published_at", dumped(with_top(published_at="yesterday")), "not a date and time"),
    ("bad as_of", dumped(with_top(as_of="30/06/2025")), "'as_of' is not a date"),
    ("no group", dumped(without("group")), "lacks group"),
    (
        "too large",
        b'{"format": "opening-day-kpi-card", "pad": "' + b"x" * (300 * 1024) + b'"}',
        "at most 256 KB",
    ),
]


@pytest.mark.parametrize(
    ("data", "reason"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_card_is_refused_with_a_reason_and_nothing_written(
    con: store.Connection, workspace: store.Workspace, data: bytes, reason: str
) -> None:
    group = peers.create_group(con, "Harbour circle", founder=workspace.id)
    before = table_counts(con)
    with pytest.raises(PeerError) as err:
        peers.import_card(con, group.id, data, viewer=workspace.id)
    assert reason in str(err.value)
    assert table_counts(con) == before


def test_the_good_card_behind_the_malformed_ones_imports(
    con: store.Connection, workspace: store.Workspace
) -> None:
    group = peers.create_group(con, "Harbour circle", founder=workspace.id)

    def add(card: dict[str, Any]) -> bool:
        return peers.import_card(con, group.id, dumped(card), viewer=workspace.id).added

    assert add(good_card())
    assert add(with_member(key="f" * 32, name="Beta Ltd"))
    assert add({**money_card(), "member": {"key": "e" * 32}, "currency": "EUR"})
    shown = peers.latest_figures(con, group.id, viewer=workspace.id)
    # the founder (hidden, no card yet) holds letter A; the two anonymous imports are B and C
    assert set(shown["label"]) == {"Member B", "Member C", "Beta Ltd"}
    money = shown[shown["indicator_id"] == "effective_hourly_rate"]
    assert list(money["basis"]) == ["EUR"] and list(money["value"]) == [95.0]
    assert table_counts(con)[1:] == (4, 3, 7)  # the founder and three imported members


# ---------------------------------------------------------------- members only


@pytest.fixture
def bay(con: store.Connection) -> tuple[peers.Group, store.Workspace]:
    """A second group, Bay circle: Delta alone, one card, a reset item."""
    delta = store.create_workspace(con, "Delta")
    group = peers.create_group(con, "Bay circle", founder=delta.id)
    peers.join_group(
        con, group.id, delta.id, published_ids=["discount_depth"], reset_item="Delta's secret"
    )
    publish(con, group, delta, {"discount_depth": (0.33, "red")})
    return group, delta


def test_a_member_of_one_group_cannot_read_another_groups_data(
    con: store.Connection,
    trio: tuple[peers.Group, list[store.Workspace]],
    bay: tuple[peers.Group, store.Workspace],
) -> None:
    harbour, (alpha, _, _) = trio
    group, delta = bay
    delta_key = key_of(con, group, delta)
    g = group.id
    reads = {
        "get_group": lambda: peers.get_group(con, g, viewer=alpha.id),
        "members": lambda: peers.members(con, g, viewer=alpha.id),
        "get_member": lambda: peers.get_member(con, g, delta_key, viewer=alpha.id),
        "cards": lambda: peers.cards(con, g, viewer=alpha.id),
        "latest_card_json": lambda: peers.latest_card_json(con, g, delta_key, viewer=alpha.id),
        "member_labels": lambda: peers.member_labels(con, g, viewer=alpha.id),
        "latest_figures": lambda: peers.latest_figures(con, g, viewer=alpha.id),
        "spread": lambda: peers.spread(con, g, viewer=alpha.id),
        "standing": lambda: peers.standing(con, g, viewer=alpha.id),
        "reds": lambda: peers.reds(con, g, viewer=alpha.id),
        "no such group": lambda: peers.spread(con, 999, viewer=alpha.id),
    }
    for what, read in reads.items():
        with pytest.raises(AccessDenied) as err:
            read()
        assert str(err.value) == access.NOT_A_MEMBER, what  # one answer: nothing to tell apart
    # Alpha's own lists never name Bay circle; Delta's never name Harbour circle
    assert peers.list_groups(con, [alpha.id]) == [harbour]
    assert peers.list_groups(con, [delta.id]) == [group]
    assert peers.find_group(con, "Bay circle", viewer=alpha.id) is None
    # its own group still reads as before
    assert peers.spread(con, harbour.id, viewer=alpha.id).shape[0] == 3


def test_a_member_of_one_group_cannot_change_another_group(
    con: store.Connection,
    trio: tuple[peers.Group, list[store.Workspace]],
    bay: tuple[peers.Group, store.Workspace],
) -> None:
    harbour, (alpha, beta, _) = trio
    group, delta = bay
    delta_key = key_of(con, group, delta)
    card = good_card()
    before = table_counts(con)
    changes = {
        "publish": lambda: publish(con, group, alpha, {"discount_depth": (0.01, "green")}),
        "import_card": lambda: peers.import_card(con, group.id, dumped(card), viewer=alpha.id),
        "set_reset_item": lambda: peers.set_reset_item(
            con, group.id, delta_key, "hijacked", viewer=alpha.id
        ),
        "leave_group": lambda: peers.leave_group(con, group.id, delta_key, viewer=alpha.id),
        "join without a sponsor": lambda: peers.join_group(con, group.id, alpha.id),
        "join vouched by a non-member": lambda: peers.join_group(
            con, group.id, alpha.id, sponsor=beta.id
        ),
        "invite into it": lambda: access.create_invitation(con, by=alpha.id, group_id=group.id),
        "join with another group's code": lambda: peers.accept_invitation(
            con, access.create_invitation(con, by=alpha.id, group_id=harbour.id)[1], alpha.id
        ),
    }
    for what, change in changes.items():
        with pytest.raises((AccessDenied, PeerError)) as err:
            change()
        assert isinstance(err.value, AccessDenied) or what.startswith("join with"), what
    assert table_counts(con) == before
    reset = peers.get_member(con, group.id, delta_key, viewer=delta.id).reset_item
    assert reset == "Delta's secret"
    assert con.execute("SELECT count(*) FROM invitations WHERE used_at IS NOT NULL").fetchall() == [
        (0,)
    ]


def test_a_group_invitation_lets_one_business_join_once(
    con: store.Connection, trio: tuple[peers.Group, list[store.Workspace]]
) -> None:
    group, (alpha, _, _) = trio
    newcomer = store.create_workspace(con, "Delta")
    inv, code = access.create_invitation(con, by=alpha.id, group_id=group.id)
    joined, member = peers.accept_invitation(
        con, code, newcomer.id, published_ids=["discount_depth"]
    )
    assert joined == group and member.published_ids == ("discount_depth",)
    assert not member.show_name and not member.share_amounts
    # a member now: it reads the group (its own card is not published yet)
    d = peers.spread(con, group.id, viewer=newcomer.id).set_index("indicator_id")
    assert d.loc["discount_depth", "members"] == 3
    (used,) = access.list_invitations(con, by=alpha.id, group_id=group.id)
    assert (used.id, used.state(), used.used_by) == (inv.id, "used", newcomer.id)
    with pytest.raises(AccessDenied, match="already used"):
        peers.accept_invitation(con, code, store.create_workspace(con, "Echo").id)
    # a business already in the group keeps the code unspent
    _, spare = access.create_invitation(con, by=alpha.id, group_id=group.id)
    with pytest.raises(PeerError, match="already in that peer group"):
        peers.accept_invitation(con, spare, newcomer.id)
    assert [i.state() for i in access.list_invitations(con, by=alpha.id)][0] == "open"
    # an invitation to start a business does not open a group
    _, start = access.create_invitation(con, by=alpha.id)
    with pytest.raises(AccessDenied, match="not for joining"):
        peers.accept_invitation(con, start, store.create_workspace(con, "Foxtrot").id)
