"""`peers list` on a hand-made group (text and JSON), and `demo --peers`: six demo businesses in
one group with published cards and a past session, seen on the Peers and Review pages."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from analytics import demo_peers, peers, review, store
from analytics.indicators import Result
from tests.apptest import no_failure, run_page, texts
from tests.test_cli import run_cli


def test_peers_list_shows_members_as_the_group_sees_them_with_each_figure(
    con: store.Connection, db_file: Path
) -> None:
    alpha, beta, gamma = (store.create_workspace(con, n) for n in ("Alpha", "Beta", "Gamma"))
    group = peers.create_group(con, "Harbour circle", founder=alpha.id)
    for ws in (alpha, beta, gamma):
        peers.join_group(
            con,
            group.id,
            ws.id,
            sponsor=alpha.id,
            published_ids=["discount_depth", "churn_rate"],
            show_name=ws.name == "Beta",
        )
    figures = {"discount_depth": (0.125, "amber"), "churn_rate": (None, "unknown")}
    results = {i: Result(i, v, s, "") for i, (v, s) in figures.items()}  # type: ignore[arg-type]
    peers.publish(
        con, group.id, alpha.id, date(2025, 6, 30), results=results,
        published_at=datetime(2025, 7, 1, 9, 0),
    )  # fmt: skip
    con.close()

    ran = run_cli("peers", "list", "--db", db_file, "--workspace", "Gamma")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        "Harbour circle (3 members)",
        "  Member A: card of 2025-06-30 (published 2025-07-01 09:00:00), 2 figures",
        "    churn_rate v1  —  unknown",
        "    discount_depth v1  0.125  amber",
        "  Beta: no card yet",
        "  You: no card yet",
    ]
    ran = run_cli("peers", "list", "--db", db_file, "--json")  # no one is "You"
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == [
        {
            "group": "Harbour circle",
            "members": [
                {
                    "label": "Member A",
                    "you": False,
                    "here": True,
                    "card": {
                        "as_of": "2025-06-30",
                        "published_at": "2025-07-01T09:00:00",
                        "figures": [
                            {"id": "churn_rate", "version": 1, "value": None, "status": "unknown"},
                            {"id": "discount_depth", "version": 1, "value": 0.125, "status": "amber"},
                        ],
                    },
                },
                {"label": "Beta", "you": False, "here": True, "card": None},
                {"label": "Member B", "you": False, "here": True, "card": None},
            ],
        }
    ]  # fmt: skip
    ran = run_cli("peers", "list", "--db", db_file, "--workspace", "Nobody")
    assert ran.returncode == 1 and "Nobody" in ran.stderr


# ---------------------------------------------------------------- demo --peers


@pytest.fixture(scope="module")
def peers_demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo_peers") / "store.duckdb"
    ran = run_cli("demo", "--db", path, "--peers")
    assert ran.returncode == 0, ran.stderr
    assert "Demo peer group 'Demo peer circle': 6 businesses, each card published; 1 past " in (
        ran.stdout
    )
    return path


def test_demo_peers_builds_six_businesses_in_one_group_with_cards_and_a_past_session(
    peers_demo_store: Path,
) -> None:
    con = store.connect(peers_demo_store, read_only=True)
    try:
        names = [w.name for w in store.list_workspaces(con)]
        assert names[0] == "Demo - Harbour IT" and len(names) == 6
        founder = store.get_workspace(con, names[0])
        (group,) = peers.list_groups(con, [w.id for w in store.list_workspaces(con)])
        members = peers.members(con, group.id, viewer=founder.id)
        assert len(members) == 6 and all(m.workspace_id is not None for m in members)
        cards = peers.cards(con, group.id, viewer=founder.id)
        assert cards["member_key"].nunique() == 6
        # different sizes: the businesses' customer counts all differ
        sizes = {store.entity_counts(con, w.id)["customers"] for w in store.list_workspaces(con)}
        assert len(sizes) == 6
        stats = peers.spread(con, group.id, viewer=founder.id)
        assert stats["banded"].all() and (stats["members"] >= 5).all()
        (session,) = review.sessions(con, group.id, viewer=founder.id)
        assert session.held_on == demo_peers.SESSION_DAY and session.is_closed
        made = review.commitments(con, session.id, viewer=founder.id)
        assert len(made) == len(demo_peers.COMMITMENTS) == 4
    finally:
        con.close()
    ran = run_cli(
        "peers", "list", "--db", peers_demo_store, "--workspace", "Demo - Harbour IT", "--json"
    )
    (listing,) = json.loads(ran.stdout)
    assert [m["label"] for m in listing["members"]] == [
        "You",
        "Northwind Support",
        "Member B",
        "Lantern IT",
        "Member C",
        "Summit Managed Services",
    ]
    assert all(len(m["card"]["figures"]) >= 20 for m in listing["members"])


@pytest.fixture
def demo_pages(peers_demo_store: Path, db_file: Path, fresh_streamlit: None) -> None:
    for suffix in ("", ".wal"):
        if Path(f"{peers_demo_store}{suffix}").exists():
            shutil.copy(f"{peers_demo_store}{suffix}", f"{db_file}{suffix}")


@pytest.mark.usefixtures("demo_pages")
def test_the_demo_peers_page_draws_quartile_bands(peers_demo_store: Path) -> None:
    at = run_page("pages/peers.py")
    no_failure(at)
    shown = texts(at)
    assert "quartiles need 5" not in shown
    standing = at.dataframe[0].value
    assert len(standing) >= 20 and "—" not in set(standing["Q1"])
    assert not standing["Where you stand"].str.startswith("— Fewer").any()
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) >= 20
    assert all(c["layout"]["shapes"][0]["type"] == "rect" for c in charts)  # Q1–Q3 shaded
    assert all(any("Median" in str(a) for a in c["layout"]["annotations"]) for c in charts)


@pytest.mark.usefixtures("demo_pages")
def test_the_demo_review_page_lists_the_past_session() -> None:
    at = run_page("pages/review.py")
    no_failure(at)
    overview = next(t.value for t in at.dataframe if "Held on" in t.value)
    assert len(overview) == 1
    assert int(overview["Commitments made"].iloc[0]) == 4
    assert overview["Closed"].iloc[0] == "yes"
