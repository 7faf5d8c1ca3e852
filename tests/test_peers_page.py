"""Peers and Review session as an owner meets them, headless with AppTest: empty store, the demo,
three businesses published into one group (medians and quartiles read off the page), a session."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import peers, store
from analytics.indicators import Result
from tests.apptest import PAGE_FILES, no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

PEERS = "pages/peers.py"
REVIEW = "pages/review.py"


ITEMS = {
    "Alpha": "Tear down the wall — Huddle before meetings",
    "Beta": "Tear down the wall — Estimate before quoting",
    "Gamma": "Tear down the wall — Presales commission",
}


def three_publish(db_file: Path) -> dict[str, str]:
    """Alpha (hidden, founded the group), Beta (shows its name) and Gamma (hidden) publish
    discount depth 0.10 / 0.20 / 0.40 and prospecting hours 1 / 3 / 0.5; returns name → member
    key."""
    con = store.connect(db_file)
    try:
        alpha = store.create_workspace(con, "Alpha")
        group = peers.create_group(con, "Harbour circle", founder=alpha.id)
        keys = {}
        figures = {
            "Alpha": {"discount_depth": (0.10, "green"), "prospecting_hours": (1.0, "green")},
            "Beta": {"discount_depth": (0.20, "amber"), "prospecting_hours": (3.0, "green")},
            "Gamma": {"discount_depth": (0.40, "red"), "prospecting_hours": (0.5, "red")},
        }
        for n, (name, figs) in enumerate(figures.items()):
            ws = store.find_workspace(con, name) or store.create_workspace(con, name)
            member = peers.join_group(
                con,
                group.id,
                ws.id,
                sponsor=alpha.id,
                published_ids=list(figs),
                show_name=name == "Beta",
                reset_item=ITEMS[name],
            )
            results = {i: Result(i, v, s, "msg") for i, (v, s) in figs.items()}  # type: ignore[arg-type]
            peers.publish(
                con,
                group.id,
                ws.id,
                date(2025, 6, 30),
                results=results,
                published_at=datetime(2025, 7, 1, 9, n),
            )
            keys[name] = member.member_key
        return keys
    finally:
        con.close()


def test_both_pages_are_registered() -> None:
    assert PEERS in PAGE_FILES and REVIEW in PAGE_FILES


@pytest.mark.parametrize("page", [PEERS, REVIEW])
def test_an_empty_store_says_what_to_do(page: str) -> None:
    at = run_page(page)
    no_failure(at)
    assert "No business yet" in texts(at) or "No peer group" in texts(at)


def test_a_workspace_without_a_group_is_invited_to_start_one(
    with_workspace: store.Workspace,
) -> None:
    at = run_page(PEERS)
    no_failure(at)
    assert at.title[0].value == "Peers"
    assert "No peer group for this business yet" in texts(at)
    at.text_input[0].input("Harbour circle")
    at.button[0].click().run()  # the form's submit button
    no_failure(at)
    assert "Peer group Harbour circle created, with Harbour IT as its first member" in texts(at)
    assert "Last published never" in texts(at)  # a member at once: no join step for the founder


def test_three_published_cards_show_medians_quartiles_and_hidden_names(db_file: Path) -> None:
    three_publish(db_file)
    at = run_page(PEERS)  # Alpha is the first workspace, so Alpha is "You"
    no_failure(at)
    shown = texts(at)
    assert "linear interpolation" in shown
    standing = at.dataframe[0].value.set_index("Figure")
    # three members: fewer than quartiles need (5), so no Q1, median or Q3 and no position
    # (the analytics still work them out: discount Q1 0.15, median 0.20, Q3 0.30, test_peers)
    d = standing.loc["Discount on won deals"]
    assert (d["You"], d["Q1"], d["Median"], d["Q3"]) == ("10.0%", "—", "—", "—")
    assert d["Members"] == 3 and d["Where you stand"] == "— Fewer than 5 members"
    p = standing.loc["Prospecting hours per week"]
    assert (p["You"], p["Median"], p["Q3"]) == ("1.0 h", "—", "—")
    assert p["Where you stand"] == "— Fewer than 5 members"
    # headline: none of Alpha's two figures can be placed in a quarter
    assert any(m.value == "0 of 0" for m in at.metric)

    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 2
    # three members: the values as dots, no band and no median drawn, and the line says why
    assert all(not c["layout"].get("shapes") and not c["layout"].get("annotations") for c in charts)
    assert shown.count("Only 3 members published this figure: quartiles need 5.") == 2
    discount = next(c for c in charts if 10.0 in c["data"][-1]["x"])
    traces = {t["name"]: t for t in discount["data"]}
    assert traces["You"]["text"] == ["You"] and traces["You"]["marker"]["symbol"] == "star"
    assert traces["You"]["x"] == pytest.approx([10.0])
    assert sorted(traces["Other members"]["text"]) == ["Beta", "Member B"]

    tables = [t.value for t in at.dataframe]
    members = set().union(*(set(t["Member"]) for t in tables if "Member" in t))
    assert members == {"You", "Beta", "Member B"}
    everything = shown + json.dumps(charts) + "".join(t.to_json() for t in tables)
    assert "Gamma" not in everything  # Gamma did not opt in to show its name
    assert "Alpha" not in everything
    assert "The others see you as Member A" in shown


def test_an_imported_name_that_looks_like_html_shows_as_written(db_file: Path) -> None:
    three_publish(db_file)
    name = '<b>Delta</b> <a href="https://x.example">AT&T</a>'
    card = {
        "format": "opening-day-kpi-card",
        "version": 1,
        "member": {"key": "d" * 32, "name": name},
        "group": "Harbour circle",
        "published_at": "2025-07-01T10:00:00",
        "as_of": "2025-06-30",
        "figures": [{"id": "discount_depth", "unit": "share", "value": 0.3, "status": "amber"}],
    }
    con = store.connect(db_file)
    try:
        alpha = store.list_workspaces(con)[0]
        (group,) = peers.list_groups(con, [alpha.id])
        assert peers.import_card(con, group.id, json.dumps(card), viewer=alpha.id).new_member
    finally:
        con.close()
    at = run_page(PEERS)
    no_failure(at)
    members = set().union(*(set(t.value["Member"]) for t in at.dataframe if "Member" in t.value))
    assert name in members  # a table cell is text: shown exactly as the card gave it
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    texts_in_charts = [x for c in charts for t in c["data"] for x in t.get("text") or []]
    # Plotly would draw <b> and a live <a href>: the "<" reaches it escaped, so it shows as is
    assert '&lt;b>Delta&lt;/b> &lt;a href="https://x.example">AT&T&lt;/a>' in texts_in_charts
    assert not any("<b>" in str(x) or "<a " in str(x) for x in texts_in_charts)
    shown = [str(e.value) for kind in ("markdown", "caption") for e in getattr(at, kind)]
    assert not any("<b>Delta" in s or "<a href" in s for s in shown)  # no live markup


def test_joining_and_publishing_on_the_demo(demo_db: Path) -> None:
    # the owner's other business started the group; on a normal server it vouches for the demo
    con = store.connect(demo_db)
    founder = store.create_workspace(con, "Founder Co")
    peers.create_group(con, "Demo circle", founder=founder.id)
    demo = store.list_workspaces(con)[0]
    con.close()
    at = run_page(PEERS, ws=demo.name)
    no_failure(at)
    assert "has not joined **Demo circle** yet; only its members see its figures" in texts(at)
    assert not at.get("plotly_chart") and not at.dataframe
    at.button(key="FormSubmitter:peers_join_1-Join the group").click().run()
    no_failure(at)
    assert "Joined Demo circle" in texts(at)
    at.button(key="peers_publish_1").click().run()
    no_failure(at)
    assert "Card published to Demo circle" in texts(at)
    assert at.get("plotly_chart")  # one strip per figure, a single member for now
    assert "Your figures beside the group" in texts(at)
    assert any(b.label == "Export my latest card (JSON)" for b in at.get("download_button"))
    con = store.connect(demo_db)
    try:
        (group,) = peers.list_groups(con, [demo.id])
        member = peers.membership(con, group.id, demo.id)
        assert member is not None
        card = json.loads(
            peers.latest_card_json(con, group.id, member.member_key, viewer=demo.id) or ""
        )
    finally:
        con.close()
    assert "name" not in card["member"] and "currency" not in card
    assert {f["unit"] for f in card["figures"]}.isdisjoint({"money", "count"})


# ---------------------------------------------------------------- review session


def test_review_page_without_groups_points_to_peers(with_workspace: store.Workspace) -> None:
    at = run_page(REVIEW)
    no_failure(at)
    assert at.title[0].value == "Review session"
    assert "No peer group yet" in texts(at)


def test_a_session_runs_its_agenda_and_the_next_opens_with_its_commitments(
    db_file: Path,
) -> None:
    from analytics import review

    keys = three_publish(db_file)
    con = store.connect(db_file)
    alpha = store.get_workspace(con, "Alpha").id
    (group,) = peers.list_groups(con, [alpha])
    first = review.start_session(con, group.id, date.today() - timedelta(days=30), viewer=alpha)
    review.add_commitment(
        con, first.id, keys["Gamma"], "Sam", "Stop discounting over 15%", date.today(), viewer=alpha
    )
    con.close()

    at = run_page(REVIEW)
    no_failure(at)
    shown = texts(at)
    assert "Start today's session" in shown or "Start a session" in shown
    at.button(key="FormSubmitter:review_new-Start the session").click().run()
    no_failure(at)
    con = store.connect(db_file)
    second = review.sessions(con, group.id, viewer=alpha)[0].id
    con.close()
    shown = texts(at)
    # the agenda: last session's commitments, each member's reds and reset item, new commitments
    assert "Last session's commitments" in shown
    (followup,) = [r for r in at.radio if "Stop discounting over 15%" in r.label.replace("\\", "")]
    assert followup.value == "Not reviewed yet"
    assert "Member B" in shown and "Beta" in shown and "Gamma" not in shown
    assert "Discount on won deals" in shown  # Member B's red
    assert "Tear down the wall — Estimate before quoting" in shown
    assert "min per item" in shown

    followup.set_value("✔ Done")
    at.button(key=f"FormSubmitter:review_followup_{second}-Save what was done").click().run()
    no_failure(at)
    assert "1 follow-up(s) recorded" in texts(at)
    con = store.connect(db_file)
    done = review.to_review(con, second, viewer=alpha)
    con.close()
    assert list(done["done"]) == [True]

    at.toggle(key="review_projector").set_value(True).run()
    no_failure(at)
    assert "Item 1 of 5" in texts(at)  # review + three members + new commitments
    at.button(key="review_next").click().run()
    no_failure(at)
    assert "Item 2 of 5" in texts(at)


def test_review_on_the_demo_opens_a_past_session_and_runs_the_timer(demo_db: Path) -> None:
    from analytics import review

    con = store.connect(demo_db)
    try:
        ws = store.list_workspaces(con)[0]
        group = peers.create_group(con, "Demo circle", founder=ws.id)
        member = peers.join_group(con, group.id, ws.id, reset_item="Does it work? — Offices")
        peers.publish(con, group.id, ws.id)
        session = review.start_session(
            con, group.id, date.today(), minutes_per_item=3, viewer=ws.id
        )
        review.add_commitment(
            con,
            session.id,
            member.member_key,
            "Pat",
            "Ring the =top 5 customers",
            date.today(),
            viewer=ws.id,
        )
        review.close_session(con, session.id, viewer=ws.id)
    finally:
        con.close()
    at = run_page(REVIEW)
    no_failure(at)
    assert "Start today's session" in texts(at)
    at.selectbox(key="review_session_pick").set_value(session.id).run()
    no_failure(at)
    shown = texts(at)
    assert "This session is closed" in shown
    assert "🔴 Act now" in shown  # the demo business has red figures
    assert "Does it work? — Offices" in shown
    decided = next(t.value for t in at.dataframe if "Commitment" in t.value)
    assert list(decided["Commitment"]) == ["Ring the =top 5 customers"]
    assert list(decided["Followed up"]) == ["Not reviewed yet"]
    assert any(
        m.label == "Time for this item (not started)" and m.value == "3:00" for m in at.metric
    )
    at.button(key="review_start").click().run()
    no_failure(at)
    assert any(m.label == "Time left" and m.value in ("3:00", "2:59") for m in at.metric)


def test_a_copied_link_reopens_the_same_group_and_session(db_file: Path) -> None:
    from analytics import review

    three_publish(db_file)
    con = store.connect(db_file)
    try:
        alpha = store.get_workspace(con, "Alpha").id
        other = peers.create_group(con, "Another circle", founder=alpha)
        first = peers.find_group(con, "Harbour circle", viewer=alpha)
        assert first is not None
        session = review.start_session(con, first.id, date(2025, 7, 3), viewer=alpha)
    finally:
        con.close()
    at = run_page(PEERS, ws="Alpha", group=str(other.id))
    no_failure(at)
    [picker] = [s for s in at.selectbox if s.label == "Peer group"]
    assert picker.value == other.id
    at = run_page(REVIEW, ws="Alpha", group=str(first.id), session=str(session.id))
    no_failure(at)
    assert "Session of 3 Jul 2025" in texts(at)


# ---------------------------------------------------------------- a shared server: members only

ALPHA_PHRASE = "alpha otter lantern quarry"
DELTA_PHRASE = "delta heron harbour dawn"


def two_circles(db_file: Path) -> dict[str, int]:
    """Alpha alone in Harbour circle; Delta alone in Bay circle, with a card, a reset item and
    a session whose commitment nobody else should read. Both protected by a passphrase."""
    from analytics import access, review

    con = store.connect(db_file)
    try:
        alpha = access.create_protected_workspace(con, "Alpha", ALPHA_PHRASE)
        delta = access.create_protected_workspace(con, "Delta", DELTA_PHRASE)
        harbour = peers.create_group(con, "Harbour circle", founder=alpha.id)
        bay = peers.create_group(con, "Bay circle", founder=delta.id)
        for ws, group, value, item in (
            (alpha, harbour, 0.10, "Alpha's item"),
            (delta, bay, 0.33, "Delta's secret item"),
        ):
            peers.join_group(
                con, group.id, ws.id, published_ids=["discount_depth"], reset_item=item
            )
            peers.publish(
                con,
                group.id,
                ws.id,
                date(2025, 6, 30),
                results={"discount_depth": Result("discount_depth", value, "red", "m")},
                published_at=datetime(2025, 7, 1, 9, 0),
            )
        session = review.start_session(con, bay.id, date(2025, 7, 3), viewer=delta.id)
        member = peers.membership(con, bay.id, delta.id)
        assert member is not None
        review.add_commitment(
            con,
            session.id,
            member.member_key,
            "Dee",
            "Delta's secret commitment",
            date(2025, 8, 1),
            viewer=delta.id,
        )
        return {"alpha": alpha.id, "delta": delta.id, "bay": bay.id, "session": session.id}
    finally:
        con.close()


def open_as_alpha(page: str, **query: str) -> AppTest:
    at = run_page(page, **query)
    at.text_input(key="unlock:name").input("Alpha")
    at.text_input(key="unlock:phrase").input(ALPHA_PHRASE)
    at.button(key="unlock:go").click().run()
    no_failure(at)
    return at


def everything(at: AppTest) -> str:
    """All the page shows: text, tables, charts and the choices of every picker."""
    shown = [texts(at)]
    shown += [t.value.to_json() for t in at.dataframe]
    shown += [c.proto.spec for c in at.get("plotly_chart")]
    shown += [str(s.options) for s in at.selectbox]
    return "\n".join(shown)


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENING_DAY_SHARED", "1")


@pytest.mark.usefixtures("shared")
def test_on_a_shared_server_a_member_sees_only_its_own_groups(db_file: Path) -> None:
    ids = two_circles(db_file)
    # Alpha follows a link to Bay circle's group and session: neither opens
    at = open_as_alpha(PEERS, group=str(ids["bay"]))
    assert at.title[0].value == "Peers"
    [picker] = [s for s in at.selectbox if s.label == "Peer group"]
    assert picker.options == ["Harbour circle"]
    shown = everything(at)
    assert "Bay circle" not in shown and "Delta" not in shown and "33.0%" not in shown
    assert "10.0%" in shown  # Alpha's own figure, in its own group
    at = open_as_alpha(REVIEW, group=str(ids["bay"]), session=str(ids["session"]))
    shown = everything(at)
    assert "Harbour circle" in shown
    assert "Bay circle" not in shown and "Delta's secret" not in shown
    assert "3 Jul 2025" not in shown  # Bay circle's session is not even listed


@pytest.mark.usefixtures("shared")
def test_on_a_shared_server_an_invitation_code_opens_the_group(db_file: Path) -> None:
    from analytics import access

    ids = two_circles(db_file)
    con = store.connect(db_file)
    _, code = access.create_invitation(con, by=ids["delta"], group_id=ids["bay"])
    con.close()
    at = open_as_alpha(PEERS)
    at.text_input(key="peers_join_code:code").input("od-inv-not-the-code")
    at.button(key="peers_join_code:go").click().run()
    assert "not a valid invitation code" in texts(at)
    at.text_input(key="peers_join_code:code").input(code)
    at.button(key="peers_join_code:go").click().run()
    no_failure(at)
    assert "Joined Bay circle" in texts(at)
    [picker] = [s for s in at.selectbox if s.label == "Peer group"]
    assert picker.options == ["Bay circle", "Harbour circle"] and picker.value == ids["bay"]
    shown = everything(at)
    assert "33.0%" in shown and "Delta" not in shown  # Delta's figure, its name still hidden
    # now a member, Alpha sees Bay circle's session and what it decided
    at.switch_page(REVIEW).run()
    no_failure(at)
    at.selectbox(key="review_session_pick").set_value(ids["session"]).run()
    no_failure(at)
    assert "Delta's secret commitment" in everything(at)

    # and, as a member, invites another business into Bay circle
    at.switch_page(PEERS).run()
    at.button(key=f"peers_invite_{ids['bay']}:make").click().run()
    no_failure(at)
    (made,) = [c.value for c in at.code]
    con = store.connect(db_file)
    try:
        invitations = access.list_invitations(con, by=ids["alpha"], group_id=ids["bay"])
        assert [(i.kind, i.state()) for i in invitations] == [("group", "open")]
        assert made.startswith("od-inv-")
    finally:
        con.close()
