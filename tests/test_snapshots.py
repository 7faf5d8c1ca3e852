"""Snapshot links: tokens kept hashed, every invalid link alike, frozen content, HTML export."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics import snapshots, store
from analytics.__main__ import main
from analytics.errors import SnapshotError

NOW = datetime(2026, 11, 23, 9, 0, 0)


def small_blocks() -> list[dict[str, Any]]:
    fig = go.Figure(go.Bar(x=["Dental", "Legal"], y=[1200.5, 800.0], name="Revenue"))
    return [
        snapshots.heading_block("Niche growth", 1),
        snapshots.metrics_block([("Segment growth", "12.5%", "🟢 On track")]),
        snapshots.chart_block(fig),
        snapshots.table_block(
            pd.DataFrame({"Segment": ["Dental", "Legal"], "Share": [60.02, 39.98]}),
            {"Share": "%.1f%%"},
        ),
    ]


@pytest.fixture
def made(con: store.Connection, workspace: store.Workspace) -> tuple[snapshots.Snapshot, str]:
    return snapshots.create(
        con,
        workspace.id,
        "niche",
        small_blocks(),
        title="For my coach",
        author="Sam",
        expires_days=7,
        as_of=date(2026, 10, 31),
        now=NOW,
    )


def test_a_link_opens_the_frozen_blocks(con: store.Connection, made: Any) -> None:
    snap, token = made
    assert snapshots.well_formed(token) and len(token) == 43
    item = snapshots.resolve(con, token, now=NOW)
    assert item is not None
    assert item.snapshot.title == "For my coach"
    assert item.snapshot.shown_name == "Test Co"
    assert item.snapshot.expires_at == NOW + timedelta(days=7)
    assert [b["kind"] for b in item.blocks] == ["heading", "metrics", "chart", "table"]
    table = item.blocks[3]
    assert table["rows"] == [["Dental", 60.02], ["Legal", 39.98]]
    assert list(item.blocks[2]["figure"]["data"][0]["y"]) == [1200.5, 800.0]


def test_the_store_keeps_only_a_hash_of_the_token(con: store.Connection, made: Any) -> None:
    snap, token = made
    rows = con.execute("SELECT * FROM snapshots").fetchall()
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    hashed = con.execute("SELECT token_hash FROM snapshots").fetchall()[0][0]
    assert hashed == hashlib.sha256(token.encode()).hexdigest()


def test_the_owner_can_copy_the_link_again_only_with_the_key_file(
    con: store.Connection, made: Any, db_file: Path
) -> None:
    snap, token = made
    assert snapshots.token_of(con, snap) == token
    key = Path(f"{db_file}.snapshot-key")
    assert key.stat().st_size == 32 and oct(key.stat().st_mode & 0o777) == "0o600"
    key.write_bytes(b"x" * 32)  # another machine's key: the sealed copy no longer opens
    assert snapshots.token_of(con, snap) is None
    assert snapshots.resolve(con, token, now=NOW) is not None  # the link itself still works


@pytest.mark.parametrize(
    "token",
    ["", None, "None", "../x", "'\"", "<script>", "a" * 42, "a" * 44, 12345, ["x"]],
    ids=repr,
)
def test_malformed_tokens_never_reach_the_store(token: Any) -> None:
    class NoStore:
        def cursor(self) -> Any:
            raise AssertionError("a malformed token was looked up")

    assert snapshots.resolve(NoStore(), token) is None  # type: ignore[arg-type]


def test_unknown_revoked_and_expired_links_are_all_just_not_valid(
    con: store.Connection, workspace: store.Workspace, made: Any
) -> None:
    snap, token = made
    assert snapshots.resolve(con, "A" * 43, now=NOW) is None  # well formed, never issued
    assert snapshots.resolve(con, token, now=NOW + timedelta(days=7)) is None  # expired
    assert snapshots.resolve(con, token, now=NOW + timedelta(days=6, hours=23)) is not None
    assert snapshots.get(con, workspace.id, snap.id).state(NOW + timedelta(days=8)) == "expired"
    snapshots.revoke(con, workspace.id, snap.id, now=NOW)
    assert snapshots.resolve(con, token, now=NOW) is None
    assert snapshots.get(con, workspace.id, snap.id).state(NOW) == "revoked"
    with pytest.raises(SnapshotError, match="revoked"):
        snapshots.set_expiry(con, workspace.id, snap.id, None, now=NOW)


def test_expiry_can_be_moved_or_removed_but_not_into_the_past(
    con: store.Connection, workspace: store.Workspace, made: Any
) -> None:
    snap, token = made
    snapshots.set_expiry(con, workspace.id, snap.id, None, now=NOW)
    assert snapshots.resolve(con, token, now=NOW + timedelta(days=400)) is not None
    later = NOW + timedelta(days=1)
    assert snapshots.set_expiry(con, workspace.id, snap.id, later, now=NOW).expires_at == later
    assert snapshots.resolve(con, token, now=NOW + timedelta(days=2)) is None
    with pytest.raises(SnapshotError, match="past"):
        snapshots.set_expiry(con, workspace.id, snap.id, NOW - timedelta(hours=1), now=NOW)


def test_snapshots_stay_in_their_workspace(
    con: store.Connection, workspace: store.Workspace, made: Any
) -> None:
    snap, _ = made
    other = store.create_workspace(con, "Other Co")
    assert snapshots.list_snapshots(con, other.id) == []
    with pytest.raises(SnapshotError, match="no snapshot"):
        snapshots.revoke(con, other.id, snap.id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page": "data"}, "Unknown page"),
        ({"title": "x" * 121}, "keep it to 120"),
        ({"expires_days": 0}, "1 to 3650"),
        ({"expires_days": 3651}, "1 to 3650"),
        ({"blocks": []}, "nothing on the page"),
        ({"blocks": [{"kind": "script", "text": "x"}]}, "not something"),
    ],
)
def test_refusals_say_why_and_write_nothing(
    con: store.Connection, workspace: store.Workspace, kwargs: dict[str, Any], message: str
) -> None:
    args: dict[str, Any] = {"page": "niche", "blocks": small_blocks(), **kwargs}
    with pytest.raises(SnapshotError, match=message):
        snapshots.create(
            con,
            workspace.id,
            args.pop("page"),
            args.pop("blocks"),
            **args,
        )
    assert con.execute("SELECT count(*) FROM snapshots").fetchall()[0][0] == 0


def test_anonymous_hides_the_business_name(
    con: store.Connection, workspace: store.Workspace
) -> None:
    snap, token = snapshots.create(con, workspace.id, "pace", small_blocks(), anonymous=True)
    assert snap.shown_name == "anonymous"
    item = snapshots.resolve(con, token)
    assert item is not None and "Test Co" not in snapshots.to_html(item)


def test_html_export_is_self_contained_and_inert(
    con: store.Connection, workspace: store.Workspace
) -> None:
    blocks = [
        *small_blocks(),
        snapshots.text_block("Customer \\<script\\>alert\\(1\\)\\</script\\> **grew**"),
        snapshots.table_block(pd.DataFrame({"Name": ["<img src=x onerror=alert(1)>"]})),
    ]
    snap, token = snapshots.create(con, workspace.id, "niche", blocks, title="<b>Q3</b>")
    item = snapshots.resolve(con, token)
    assert item is not None
    page = snapshots.to_html(item)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "Customer &lt;script&gt;alert(1)&lt;/script&gt; <strong>grew</strong>" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<title>&lt;b&gt;Q3&lt;/b&gt;</title>" in page
    assert "<script src=" not in page  # Plotly's JavaScript is inlined, not fetched
    assert page.count("Plotly.newPlot") == 1
    assert "60.0%" in page  # the table's "%.1f%%" format, as the page showed it


@pytest.mark.parametrize(
    ("value", "format_", "shown"),
    [
        (1234.5, "localized", "1,234.50"),
        (1234.0, "localized", "1,234"),
        (54.49, "%.1f%%", "54.5%"),
        (0.5449, "percent", "54.5%"),
        (7.25, "%.1f", "7.2"),
        (None, "%.1f", "—"),
        (True, None, "✓"),
        ("Dental", None, "Dental"),
    ],
)
def test_table_cells_read_as_on_the_page(value: Any, format_: str | None, shown: str) -> None:
    assert snapshots.cell_text(value, format_) == shown


def test_markdown_escapes_stay_literal() -> None:
    assert snapshots.markdown_html("\\*\\*not bold\\*\\* **bold** *it*") == (
        "**not bold** <strong>bold</strong> <em>it</em>"
    )


# ---------------------------------------------------------------- on the demo business


@pytest.fixture
def demo_con(demo_db: Path) -> Any:
    connection = store.connect(demo_db)
    yield connection
    connection.close()


def test_a_snapshot_does_not_change_when_the_data_does(demo_con: store.Connection) -> None:
    ws = store.list_workspaces(demo_con)[0]
    blocks, day_ = snapshots.page_blocks(demo_con, ws.id, "scoreboard")
    snap, token = snapshots.create(demo_con, ws.id, "scoreboard", blocks, as_of=day_)
    before = snapshots.resolve(demo_con, token)
    assert before is not None
    invoices = [b for b in store.list_batches(demo_con, ws.id) if b.entity == "invoices"]
    store.undo_batch(demo_con, ws.id, invoices[0].id)  # every invoice line is gone now
    after = snapshots.resolve(demo_con, token)
    assert after is not None and after.blocks == before.blocks
    now_blocks, _ = snapshots.page_blocks(demo_con, ws.id, "scoreboard")
    assert json.dumps(now_blocks, default=str) != json.dumps(before.blocks)


def test_the_payload_holds_no_raw_rows(demo_con: store.Connection) -> None:
    ws = store.list_workspaces(demo_con)[0]
    for page in snapshots.PAGES:
        blocks, day_ = snapshots.page_blocks(demo_con, ws.id, page)
        snap, _ = snapshots.create(demo_con, ws.id, page, blocks, as_of=day_)
        payload = demo_con.execute(
            "SELECT payload FROM snapshots WHERE id = $i", {"i": snap.id}
        ).fetchall()[0][0]
        # No invoice line or deal of the store, by its own number.
        for table, column in (("invoices", "invoice_no"), ("deals", "deal_id")):
            ids = demo_con.execute(
                f"SELECT DISTINCT {column} FROM {table} WHERE workspace_id = $w "
                f"AND {column} IS NOT NULL ORDER BY {column} LIMIT 500",
                {"w": ws.id},
            ).fetchall()
            assert ids, f"the demo has no {table} to look for"
            leaked = [i for (i,) in ids if f'"{i}"' in payload]
            assert not leaked, f"{page} snapshot holds {table} rows: {leaked[:3]}"
        tables = [b for b in json.loads(payload)["blocks"] if b["kind"] == "table"]
        if page == "scoreboard":
            assert len(tables) == 1 and len(tables[0]["rows"]) <= 9  # one row per measurable
        else:
            assert tables == []


def test_cli_create_list_revoke_export(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(demo_db)
    ws = "Demo - Harbour IT"
    args = ["snapshot", "create", "--db", db, "--workspace", ws, "--expires-days", "3"]
    assert main([*args, "--base-url", "https://dash.example.com/", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["page"] == "scoreboard" and made["state"] == "live"
    assert made["link"] == f"https://dash.example.com/?snapshot={made['token']}"
    assert main(["snapshot", "list", "--db", db, "--workspace", ws, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in listed] == [made["id"]]
    out = tmp_path / "snap.html"
    assert main(["snapshot", "export", str(made["id"]), str(out), "--db", db]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Read-only snapshot" in html and "Weekly scorecard" in html
    assert main(["snapshot", "revoke", str(made["id"]), "--db", db]) == 0
    capsys.readouterr()
    con = store.connect(demo_db)
    try:
        assert snapshots.resolve(con, made["token"]) is None
    finally:
        con.close()
    assert main(["snapshot", "revoke", "999", "--db", db]) == 1
    assert "no snapshot 999" in capsys.readouterr().err


def test_a_copied_store_without_its_key_still_resolves_links(demo_db: Path, tmp_path: Path) -> None:
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    snap, token = snapshots.create(con, ws.id, "pace", small_blocks())
    con.close()
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, copy)
    con = store.connect(copy)
    try:
        assert snapshots.resolve(con, token) is not None
        assert snapshots.token_of(con, snap) is None  # a new key beside the copy
    finally:
        con.close()
