"""Snapshots in the app: "Share snapshot" freezes the page as drawn, a link shows only that,
every invalid link looks the same, and the Shared links page manages them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from analytics import snapshots, store
from tests.apptest import app, each_tab, no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")


def share(at: AppTest, title: str = "") -> str:
    """Fill the Share snapshot form and return the link the page then shows."""
    if title:
        [t for t in at.text_input if t.label == "Title"][0].input(title)
    [b for b in at.button if b.label == "Create link"][0].click().run()
    no_failure(at)
    links = [c.value for c in at.code if "?snapshot=" in str(c.value)]
    assert len(links) == 1, texts(at)
    return str(links[0])


def open_link(token: Any) -> AppTest:
    at = app()
    if token is not None:
        at.query_params["snapshot"] = token
    at.run()
    no_failure(at)
    return at


def stored(db: Path) -> list[tuple[snapshots.Snapshot, list[dict[str, Any]]]]:
    con = store.connect(db)
    try:
        ws = store.list_workspaces(con)[0]
        return [
            (s, snapshots.frozen(con, ws.id, s.id).blocks)
            for s in snapshots.list_snapshots(con, ws.id)
        ]
    finally:
        con.close()


def shown_tables(at: AppTest) -> list[int]:
    return [len(df.value) for df in at.dataframe]


def test_sharing_the_pace_page_freezes_what_it_shows(demo_db: Path) -> None:
    at = run_page("pages/pace.py")
    no_failure(at)
    headline = {m.label: m.value for m in at.metric}
    # the page is every tab of it, as the owner opens each in turn (the share run draws all)
    tables_on_page: list[int] = []
    charts_on_page = 0
    for step in each_tab(at):
        tables_on_page += shown_tables(step)
        charts_on_page += len(step.get("plotly_chart"))
    link = share(at, "Pace for my coach")
    assert link.startswith("http://127.0.0.1:8501/?snapshot=")  # the address it listens on
    [(snap, blocks)] = stored(demo_db)
    assert (snap.page, snap.title, snap.shown_name) == (
        "pace",
        "Pace for my coach",
        "Harbour IT (demo)",
    )
    kinds = [b["kind"] for b in blocks]
    assert kinds[:2] == ["heading", "text"] and blocks[0]["text"] == "Pace"
    # Every table the page drew, with exactly the rows it drew; no more.
    assert [len(b["rows"]) for b in blocks if b["kind"] == "table"] == tables_on_page
    charts = sum(k == "chart" for k in kinds) + sum(
        1 for b in blocks if b["kind"] == "card" and b["spark"]
    )
    assert charts == charts_on_page
    frozen_headline = {
        m["label"]: m["value"] for b in blocks if b["kind"] == "metrics" for m in b["items"]
    }
    assert frozen_headline == headline


def test_a_link_shows_the_frozen_page_and_nothing_else(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page("pages/niche.py")
    headline = {m.label: m.value for m in at.metric}
    token = share(at).split("=", 1)[1]

    # Watch every statement the view runs: only the token lookup may touch the store.
    import ui.store

    real = ui.store.connection()
    seen: list[str] = []

    class Cursor:
        def __init__(self, cur: Any) -> None:
            self.cur = cur

        def execute(self, sql: str, *args: Any) -> Any:
            seen.append(sql)
            return self.cur.execute(sql, *args)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.cur, name)

    class Spy:
        def cursor(self) -> Cursor:
            return Cursor(real.cursor())

        def execute(self, sql: str, *args: Any) -> Any:
            seen.append(sql)
            return real.execute(sql, *args)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(ui.store, "connection", lambda: Spy())
    view = open_link(token)
    assert seen and all("FROM snapshots WHERE token_hash" in sql for sql in seen), seen
    assert {m.label: m.value for m in view.metric} == headline
    assert "Read-only snapshot" in texts(view) and "Harbour IT (demo)" in texts(view)
    assert len(view.get("plotly_chart")) >= 3
    # No navigation, no sidebar, no widget: nothing that could reach live data.
    assert len(view.sidebar) == 0
    assert view.get("page_link") == []
    for kind in ("button", "selectbox", "multiselect", "text_input", "radio", "checkbox"):
        assert len(getattr(view, kind)) == 0, kind


def test_every_invalid_link_gets_the_same_page(demo_db: Path) -> None:
    at = run_page("pages/scoreboard.py")
    live = share(at).split("=", 1)[1]
    revoked = share(at).split("=", 1)[1]
    expired = share(at).split("=", 1)[1]
    con = store.connect(demo_db)
    try:
        ids = {s.title: s.id for s in snapshots.list_snapshots(con, 1)}
        by_token = {t: snapshots.resolve(con, t) for t in (revoked, expired)}
        snapshots.revoke(con, 1, by_token[revoked].snapshot.id)  # type: ignore[union-attr]
        con.execute(
            "UPDATE snapshots SET expires_at = $t WHERE id = $i",
            {"t": datetime.now() - timedelta(minutes=1), "i": by_token[expired].snapshot.id},  # type: ignore[union-attr]
        )
    finally:
        con.close()
    assert ids
    reference = None
    for token in ("", "None", "../x", "'\"", "A" * 43, revoked, expired):
        view = open_link(token)
        shown = (texts(view), len(view.metric), len(view.get("plotly_chart")), len(view.sidebar))
        assert "This link is not valid" in shown[0], token
        reference = reference or shown
        assert shown == reference, token
    assert "Scoreboard" in texts(open_link(live))


def test_the_shared_links_page_lists_revokes_and_exports(demo_db: Path) -> None:
    at = run_page("pages/sharing.py")
    no_failure(at)
    assert "No snapshots yet" in texts(at)
    at = run_page("pages/fit.py")
    token = share(at, "Fit for the board").split("=", 1)[1]
    at = run_page("pages/sharing.py")
    no_failure(at)
    [table] = at.dataframe
    assert list(table.value["Title"]) == ["Fit for the board"]
    assert list(table.value["State"]) == ["🟢 Live"]
    assert any(token in str(c.value) for c in at.code)  # the owner can copy it again
    at.checkbox(key="revoke_sure_1").check().run()
    at.button(key="revoke_1").click().run()
    no_failure(at)
    assert list(at.dataframe[0].value["State"]) == ["⛔ Revoked"]
    assert not any(token in str(c.value) for c in at.code)
    assert "This link is not valid" in texts(open_link(token))


def test_the_shared_links_page_on_an_empty_store() -> None:
    at = run_page("pages/sharing.py")
    no_failure(at)
    assert "load the demo" in texts(at).lower()


def test_snapshot_blocks_are_json(demo_db: Path) -> None:
    at = run_page("pages/friction.py")
    share(at)
    [(snap, blocks)] = stored(demo_db)
    assert snap.page == "friction"
    json.dumps(blocks, allow_nan=False)


def test_on_a_shared_server_a_link_needs_no_passphrase_and_opens_nothing_else(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = store.connect(demo_db)
    try:
        ws = store.list_workspaces(con)[0]
        blocks, day_ = snapshots.page_blocks(con, ws.id, "scoreboard")
        _, token = snapshots.create(con, ws.id, "scoreboard", blocks, as_of=day_)
    finally:
        con.close()
    monkeypatch.setenv("OPENING_DAY_SHARED", "1")
    view = open_link(token)
    assert "Read-only snapshot" in texts(view)
    assert blocks[1]["kind"] == "metrics"
    assert [m.value for m in view.metric][:4] == [m["value"] for m in blocks[1]["items"]]
    # The live pages of the same server still ask for the passphrase.
    at = run_page("pages/scoreboard.py")
    assert "cannot be opened here" in texts(at)
    assert "Read-only snapshot" not in texts(at) and len(at.metric) == 0


def test_the_shared_links_page_reopens_the_linked_snapshot(demo_db: Path) -> None:
    con = store.connect(demo_db)
    try:
        ws = store.list_workspaces(con)[0]
        blocks, day_ = snapshots.page_blocks(con, ws.id, "niche")
        first, _ = snapshots.create(con, ws.id, "niche", blocks, title="First")
        snapshots.create(con, ws.id, "niche", blocks, title="Second")
    finally:
        con.close()
    at = run_page("pages/sharing.py", link=str(first.id))
    no_failure(at)
    assert at.selectbox(key="sharing_pick").value == first.id  # not the newest, listed first


def test_the_shared_links_page_says_why_a_link_cannot_be_copied(demo_db: Path) -> None:
    con = store.connect(demo_db)
    try:
        ws = store.list_workspaces(con)[0]
        blocks, day_ = snapshots.page_blocks(con, ws.id, "niche")
        old, _ = snapshots.create(con, ws.id, "niche", blocks, title="Older")
        new, new_token = snapshots.create(con, ws.id, "niche", blocks, title="Newer")
        # A link made before schema 8 has a hash and no salt: it opens, it cannot be copied.
        con.execute("UPDATE snapshots SET token_salt = NULL WHERE id = $i", {"i": old.id})
    finally:
        con.close()
    at = run_page("pages/sharing.py", link=str(old.id))
    no_failure(at)
    table = at.dataframe[0].value.set_index("Title")
    assert table.loc["Older", "Copy again"] == "No (older link)"
    assert table.loc["Newer", "Copy again"] == "Yes"
    assert "made by an earlier version of Opening Day" in texts(at)
    assert not any("?snapshot=" in str(c.value) for c in at.code)

    # A damaged key file: one line saying which file and what to do, instead of the link.
    key = Path(f"{demo_db}.snapshot-key")
    key.write_bytes(b"")
    at = run_page("pages/sharing.py", link=str(new.id))
    assert not at.exception
    [error] = at.error
    shown = error.value.replace("\\", "")
    assert str(key) in shown and "(0 bytes, not 32)" in shown and "backup" in shown
    assert not any(new_token in str(c.value) for c in at.code)


def test_the_html_download_is_made_after_the_store_was_let_go(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Download HTML runs when the browser asks for the file, after the run that drew the
    button; by then the app may have closed the store (two idle seconds)."""
    import time

    import duckdb

    import ui.store
    from ui import share as ui_share

    con = store.connect(demo_db)
    try:
        ws = store.list_workspaces(con)[0]
        blocks, day_ = snapshots.page_blocks(con, ws.id, "pace")
        snap, _ = snapshots.create(con, ws.id, "pace", blocks, title="For the file", as_of=day_)
    finally:
        con.close()
    monkeypatch.setattr(ui.store, "IDLE_SECONDS", 0.2)
    held = ui.store.handle()
    held.enter()  # the run that draws the Shared links page and its button …
    ran_with = held.connection()
    held.leave()
    time.sleep(0.6)
    assert not held.is_open()  # … has ended, and the store was let go
    try:
        page = ui_share.html_file(ws.id, snap.id).decode("utf-8")
        assert "<title>For the file</title>" in page
        assert page.count("<h1>Pace</h1>") == 1 and page.count("Plotly.newPlot") >= 1
        # what the page's connection kept from the run gives instead
        with pytest.raises(duckdb.ConnectionException, match="closed"):
            snapshots.frozen(ran_with, ws.id, snap.id)
    finally:
        held.close()
