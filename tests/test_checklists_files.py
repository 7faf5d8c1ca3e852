"""Templates travel: exported as TOML in the shipped format, imported as own templates (checked
like the shipped ones: a broken file refused with file and line, nothing written), shared with a
peer group and copied by its other members."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analytics import checklists, peers, store
from analytics.checklists import edits, files, shared
from analytics.errors import AccessDenied, ChecklistError, TemplateError


def _fields(template: checklists.Template) -> list[tuple[object, ...]]:
    return [(i.id, i.prompt, i.help, i.section, i.kind, i.indicators) for i in template.items]


@pytest.mark.parametrize("template_id", sorted(checklists.builtin().templates))
def test_every_built_in_round_trips_item_for_item(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path, template_id: str
) -> None:
    original = checklists.builtin().templates[template_id]
    path = tmp_path / f"{template_id}.toml"
    path.write_text(files.template_toml(original), encoding="utf-8")
    new_id = files.import_file(con, workspace.id, path, "Ann")
    assert new_id == f"own_{template_id}"
    mine = checklists.templates_for(con, workspace.id)[new_id]
    assert (mine.title, mine.purpose, mine.repeat) == (
        original.title,
        original.purpose,
        original.repeat,
    )
    assert _fields(mine) == _fields(original)
    assert mine.custom and all(i.custom for i in mine.items)


def test_the_file_reads_like_the_shipped_one(con: store.Connection) -> None:
    original = checklists.builtin().templates["does_it_work"]
    text = files.template_toml(original)
    shipped = tomllib.loads((checklists.TEMPLATE_DIR / original.file).read_text(encoding="utf-8"))
    assert tomllib.loads(text) == shipped
    assert text.splitlines()[:3] == [
        'id = "does_it_work"',
        'title = "Does it work?"',
        f'purpose = "{original.purpose}"',
    ]


def test_own_text_with_quotes_and_new_lines_survives_and_imports_twice(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws = workspace.id
    tid = checklists.add_template(con, ws, 'The "big" one', "Line one\nline two \\ done")
    checklists.add_item(con, ws, tid, 'Say "no" more?', "=SUM(A1)\ttab", section="Ünïcode")
    path = tmp_path / "mine.toml"
    path.write_text(files.template_toml(checklists.templates_for(con, ws)[tid]), encoding="utf-8")
    again = files.import_file(con, ws, path)
    assert again == "own_the_big_one_2"  # the file's id is taken: numbered
    mine = checklists.templates_for(con, ws)
    assert _fields(mine[again]) == _fields(mine[tid])
    assert mine[again].purpose == "Line one\nline two \\ done"


def test_a_broken_file_is_refused_with_file_and_line_and_nothing_written(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    text = files.template_toml(checklists.builtin().templates["assumptions"])
    lines = text.splitlines()
    bad_line = next(n for n, line in enumerate(lines, 1) if line.startswith("kind = "))
    lines[bad_line - 1] = 'kind = "poem"'
    path = tmp_path / "broken.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        files.import_file(con, workspace.id, path)
    assert (caught.value.file, caught.value.line) == ("broken.toml", bad_line)
    assert str(caught.value).startswith(f"broken.toml, line {bad_line}: item ")
    path.write_text('id = "x"\ntitle = "X"\npurpose = "p"\nrepeat = "daily"\n', encoding="utf-8")
    with pytest.raises(TemplateError, match="broken.toml, line 4: repeat must be one of"):
        files.import_file(con, workspace.id, path)
    assert set(checklists.templates_for(con, workspace.id)) == set(checklists.builtin().templates)


def test_a_member_shares_a_template_and_another_member_copies_it(
    con: store.Connection, workspace: store.Workspace
) -> None:
    other = store.create_workspace(con, "Peer Co")
    outsider = store.create_workspace(con, "Outside Co")
    group = peers.create_group(con, "Owners", founder=workspace.id)
    peers.join_group(con, group.id, other.id, sponsor=workspace.id)
    tid = edits.copy_template(con, workspace.id, "keep_the_whiners_closer", "Ann")
    edits.edit_item(con, workspace.id, tid, "listen", "Who complains most?", "h", "People")
    sid = shared.share(con, workspace.id, group.id, tid, "Ann")
    [on_shelf] = shared.shelf(con, group.id, viewer=other.id)
    assert (on_shelf.id, on_shelf.title, on_shelf.shared_by) == (
        sid,
        "Keep the whiners closer (my copy)",
        "Ann",
    )
    with pytest.raises(AccessDenied):
        shared.shelf(con, group.id, viewer=outsider.id)
    with pytest.raises(ChecklistError, match="No such shared checklist"):
        shared.copy_shared(con, sid, viewer=outsider.id)
    copied = shared.copy_shared(con, sid, viewer=other.id, who="Cy")
    theirs = checklists.templates_for(con, other.id)[copied]
    assert _fields(theirs) == _fields(checklists.templates_for(con, workspace.id)[tid])
    assert theirs.item("listen").prompt == "Who complains most?"
