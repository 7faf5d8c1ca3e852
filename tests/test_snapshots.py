"""Snapshot links: tokens kept hashed, every invalid link alike, frozen content, HTML export."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
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


def test_the_token_is_an_hmac_of_its_salt_under_the_key(
    con: store.Connection, made: Any, db_file: Path
) -> None:
    snap, token = made
    key = Path(f"{db_file}.snapshot-key").read_bytes()
    [(salt, hashed)] = con.execute("SELECT token_salt, token_hash FROM snapshots").fetchall()
    assert len(key) == 32 and len(bytes(salt)) == 16
    # Worked out here with the standard library alone, as the module documents it.
    mac = hmac.new(key, b"opening-day snapshot v1" + bytes(salt), hashlib.sha256).digest()
    assert token == base64.urlsafe_b64encode(mac).decode().rstrip("=")
    assert hashed == hashlib.sha256(token.encode()).hexdigest()
    assert snapshots.derive_token(key, bytes(salt)) == token
    # Another salt, another token: no two links share one.
    other, second = snapshots.create(con, snap.workspace_id, "niche", small_blocks())
    assert second != token and snapshots.token_of(con, other) == second


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


@pytest.mark.parametrize("size", [0, 31, 33])
def test_a_key_file_of_another_length_is_refused_never_replaced(
    con: store.Connection, workspace: store.Workspace, made: Any, db_file: Path, size: int
) -> None:
    snap, token = made
    key = Path(f"{db_file}.snapshot-key")
    key.write_bytes(b"k" * size)
    for attempt in (
        lambda: snapshots.token_of(con, snap),
        lambda: snapshots.create(con, workspace.id, "niche", small_blocks()),
    ):
        with pytest.raises(SnapshotError) as refused:
            attempt()
        message = str(refused.value)
        assert "\n" not in message
        assert str(key) in message and f"({size} bytes, not 32)" in message
        assert "restore it from a backup" in message and "delete it to make new links" in message
    assert key.read_bytes() == b"k" * size  # never silently made anew
    assert con.execute("SELECT count(*) FROM snapshots").fetchall()[0][0] == 1  # nothing written
    assert snapshots.resolve(con, token, now=NOW) is not None  # the link itself still opens


def test_a_new_key_is_written_whole_owner_only_and_synced(
    con: store.Connection,
    workspace: store.Workspace,
    db_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = Path(f"{db_file}.snapshot-key")
    replaced: list[tuple[Path, Path]] = []
    synced: list[str] = []
    synced_before: list[int] = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(src: Any, dst: Any) -> None:
        if "snapshot-key" in str(dst):  # the store has files of its own to replace
            replaced.append((Path(src), Path(dst)))
            assert Path(src).stat().st_size == 32 and Path(src).stat().st_mode & 0o777 == 0o600
            synced_before.append(len(synced))
        real_replace(src, dst)

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "fsync", fsync)
    assert not key.exists()
    snap, token = snapshots.create(con, workspace.id, "niche", small_blocks())
    [(temp, target)] = replaced
    assert target == key and temp.parent == key.parent and temp != key
    # The key's bytes reach the disk before the rename, then the folder holding its new name.
    assert synced[synced_before[0] - 1] == str(temp)
    assert synced[synced_before[0]] == str(key.parent)
    assert key.stat().st_size == 32 and key.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in db_file.parent.iterdir() if "snapshot-key" in p.name] == [key.name]
    assert snapshots.token_of(con, snap) == token
    snapshots.create(con, workspace.id, "niche", small_blocks())
    assert len(replaced) == 1  # made once, then read


def test_a_key_that_cannot_be_written_leaves_nothing_behind(
    con: store.Connection,
    workspace: store.Workspace,
    db_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_replace = os.replace

    def full(src: Any, dst: Any) -> None:
        if "snapshot-key" in str(dst):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(SnapshotError, match=r"cannot be written \(No space left on device\)"):
        snapshots.create(con, workspace.id, "niche", small_blocks())
    assert [p for p in db_file.parent.iterdir() if "snapshot-key" in p.name] == []
    assert con.execute("SELECT count(*) FROM snapshots").fetchall()[0][0] == 0


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


def test_a_copied_store_without_its_key_holds_no_working_link(
    demo_db: Path, tmp_path: Path
) -> None:
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    snap, token = snapshots.create(con, ws.id, "pace", small_blocks())
    con.close()
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, copy)
    con = store.connect(copy)
    try:
        assert snapshots.resolve(con, token) is not None  # whoever has the link can open it
        assert snapshots.token_of(con, snap) is None  # but the copy cannot give it back
        assert not Path(f"{copy}.snapshot-key").exists()  # and asking made no key either
        # Nothing in the copied row is the token or derives it without the key.
        [row] = con.execute("SELECT * FROM snapshots WHERE id = $i", {"i": snap.id}).fetchall()
        assert all(token not in str(v) for v in row)
        snapshots.create(con, ws.id, "pace", small_blocks())  # a new key beside the copy…
        assert snapshots.token_of(con, snap) is None  # … does not bring the old link back
    finally:
        con.close()


def test_links_made_before_schema_8_still_open_but_cannot_be_copied(db_file: Path) -> None:
    con = store.connect(db_file)
    ws = store.create_workspace(con, "Test Co")
    snap, token = snapshots.create(con, ws.id, "niche", small_blocks())
    # The store as schema 7 left it: the token sealed in a column, no salt.
    con.execute("ALTER TABLE snapshots DROP COLUMN token_salt")
    con.execute("ALTER TABLE snapshots ADD COLUMN token_sealed VARCHAR")
    con.execute("UPDATE snapshots SET token_sealed = 'c2VhbGVk'")
    con.execute("DELETE FROM schema_version WHERE version = 8")
    con.close()
    con = store.connect(db_file)  # migrates
    try:
        columns = [r[0] for r in con.execute("DESCRIBE snapshots").fetchall()]
        assert "token_sealed" not in columns and "token_salt" in columns
        [old] = snapshots.list_snapshots(con, ws.id)
        assert old.id == snap.id and old.copyable is False
        assert snapshots.resolve(con, token) is not None
        assert snapshots.token_of(con, old) is None
        new, new_token = snapshots.create(con, ws.id, "niche", small_blocks())
        assert new.copyable and snapshots.token_of(con, new) == new_token
    finally:
        con.close()
