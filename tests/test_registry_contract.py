"""The registry contract: an indicator is one entry + its SQL + its test, and then it is
everywhere — on its page, on the Scoreboard, in `kpis --json`, in Settings, in snapshots
and in the README's list — with no other file touched.

The first half checks every registered indicator on the demo business (each page, the
command line and Settings are run once and read by every case). The second half registers
a new indicator at test time, with a query and thresholds of its own, and finds it in each
of those places with the number worked out by hand.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from analytics import areas, indicators, snapshots, store
from analytics.__main__ import main
from analytics.indicators import Context, Indicator, Result, Thresholds
from tests.apptest import every_tab, no_failure, run_page, texts
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

IDS = list(indicators.REGISTRY)


@dataclass
class Seen:
    """What the app, the command line and snapshots show for one store."""

    pages: dict[str, str]  # page id → its readable text
    metrics: dict[str, dict[str, str]]  # page id → headline label → value
    kpis: dict[str, Any]  # `kpis --json`
    threshold_keys: set[str]  # the Settings page's widget keys
    cards: dict[str, dict[str, dict[str, Any]]]  # snapshot page → card label → block
    workspace_id: int


def see(db: Path, capsys: pytest.CaptureFixture[str], page_ids: list[str]) -> Seen:
    pages: dict[str, str] = {}
    metrics: dict[str, dict[str, str]] = {}
    for page_id in [*page_ids, "scoreboard"]:
        # an area page: each of its tabs opened in turn (the headline is the same on each)
        at, pages[page_id], _ = every_tab(areas.page(page_id).file)
        metrics[page_id] = {m.label: m.value for m in at.metric if m.label}
    at = run_page(areas.page("settings").file)
    no_failure(at)
    keys = {str(w.key) for w in at.number_input if w.key}
    con = store.connect(db)
    ws = store.list_workspaces(con)[0]
    cards = {
        p: {b["label"]: b for b in snapshots.page_blocks(con, ws.id, p)[0] if b["kind"] == "card"}
        for p in [*page_ids, "scoreboard"]
    }
    con.close()
    capsys.readouterr()
    assert main(["kpis", "--db", str(db), "--workspace", ws.name, "--json"]) == 0
    kpis = json.loads(capsys.readouterr().out)
    return Seen(pages, metrics, kpis, keys, cards, ws.id)


_DEMO: dict[str, Seen] = {}


@pytest.fixture
def demo_seen(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> Seen:
    """The demo as every place shows it, built by the first case and read by the rest (the
    demo store is the same copy for each)."""
    if "demo" not in _DEMO:
        _DEMO["demo"] = see(demo_db, capsys, [a.id for a in areas.AREAS])
    return _DEMO["demo"]


# ---------------------------------------------------------------- every registered indicator


@pytest.mark.parametrize("ind_id", IDS)
def test_every_indicator_is_on_its_page(demo_seen: Seen, ind_id: str) -> None:
    ind = indicators.get(ind_id)
    assert ind.page in {p.id for p in areas.PAGES}
    shown = demo_seen.pages[ind.page]
    assert f"**{ind.label}**" in shown  # its card
    assert ind.label in demo_seen.metrics[ind.page]  # its headline number
    assert f"**{ind.label}**" in demo_seen.pages["scoreboard"]


@pytest.mark.parametrize("ind_id", IDS)
def test_every_indicator_is_in_kpis_json(demo_seen: Seen, ind_id: str) -> None:
    found = demo_seen.kpis["indicators"][ind_id]
    assert set(found) == {"value", "status", "message", "details"}
    assert found["status"] in indicators.STATUS_ORDER
    assert list(demo_seen.kpis["indicators"]) == IDS


@pytest.mark.parametrize("ind_id", IDS)
def test_every_indicator_has_thresholds_in_settings(demo_seen: Seen, ind_id: str) -> None:
    ws = demo_seen.workspace_id
    assert {f"thr_{ws}_{ind_id}_green", f"thr_{ws}_{ind_id}_red"} <= demo_seen.threshold_keys


@pytest.mark.parametrize("ind_id", IDS)
def test_every_indicator_is_in_snapshots(demo_seen: Seen, ind_id: str) -> None:
    ind = indicators.get(ind_id)
    card = demo_seen.cards[ind.page][ind.label]
    # the frozen card holds what the page's card and headline show
    assert card["value"] == demo_seen.metrics[ind.page][ind.label]
    assert card["status"] == demo_seen.kpis["indicators"][ind_id]["status"]
    assert ind.label in demo_seen.cards["scoreboard"]


def _marked_id(decorator: ast.expr) -> str | None:
    """The id in `@pytest.mark.hand_worked("id")`, else None."""
    if (
        isinstance(decorator, ast.Call)
        and ast.unparse(decorator.func) == "pytest.mark.hand_worked"
        and decorator.args
        and isinstance(decorator.args[0], ast.Constant)
    ):
        return str(decorator.args[0].value)
    return None


@cache
def hand_worked() -> dict[str, list[tuple[str, str]]]:
    """Indicator id → (file::test, its source) for every test in tests/test_*.py marked
    `@pytest.mark.hand_worked(id)`: those that assert its value worked out by hand. Read from
    the source, so no test module is imported (or run) twice."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                for decorator in node.decorator_list:
                    ind_id = _marked_id(decorator)
                    if ind_id is not None:
                        where = f"{path.name}::{node.name}"
                        code = ast.get_source_segment(source, node) or ""
                        found.setdefault(ind_id, []).append((where, code))
    return found


@pytest.mark.parametrize("ind_id", IDS)
def test_every_indicator_has_a_value_worked_out_by_hand(ind_id: str) -> None:
    # Adding an indicator without a test of its number fails here.
    tests = hand_worked().get(ind_id)
    assert tests, f"no test in tests/test_*.py is marked @pytest.mark.hand_worked({ind_id!r})"
    for where, code in tests:  # and the marked test does compute it
        assert f'"{ind_id}"' in code, where


def test_hand_worked_marks_name_registered_indicators() -> None:
    # a mistyped or renamed id would leave its indicator counted as tested
    assert set(hand_worked()) <= set(IDS), sorted(set(hand_worked()) - set(IDS))


def test_the_registry_lists_the_areas_in_page_order() -> None:
    # each area's indicators together, the areas in the order of their pages
    order = [a.id for a in areas.AREAS]
    seen = [i.area for i in indicators.REGISTRY.values()]
    assert seen == sorted(seen, key=order.index)
    assert set(seen) == set(order)  # and no area is left without an indicator


def readme_list() -> str | None:
    """The README's indicator list: the section headed "Indicators", if it has one."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^#+ Indicators\b.*?(?=^#+ |\Z)", text, re.M | re.S)
    return found.group(0) if found else None


@pytest.mark.parametrize("ind_id", IDS)
def test_every_indicator_is_in_the_readme(ind_id: str) -> None:
    listed = readme_list()
    if listed is None:
        pytest.xfail("README.md has no 'Indicators' section listing the ids yet")
    assert f"`{ind_id}`" in listed, f"README's indicator list lacks {ind_id}"


# ---------------------------------------------------------------- a new indicator


NEW_ID = "invoices_lately"


def compute_invoices_lately(ctx: Context) -> Result:
    """Invoice lines in the 28 days up to the invoices' own last day."""
    ind = indicators.get(NEW_ID)
    day = ctx.entity_as_of("invoices")
    if day is None:
        return ind.unknown("No invoices yet: load your invoices.")
    row = ctx.con.execute(
        "SELECT count(*) FROM invoices WHERE workspace_id = $w "
        "AND date > $d - INTERVAL 28 DAY AND date <= $d",
        {"w": ctx.workspace_id, "d": day},
    ).fetchone()
    n = int(row[0]) if row else 0
    return Result(NEW_ID, float(n), ind.judge(n, ctx.settings), f"{n} invoice lines in 4 weeks.")


NEW = Indicator(
    id=NEW_ID,
    area="pace",
    label="Invoice lines in the last 4 weeks",
    unit="count",
    higher_is_better=True,
    description="How often you invoice: a quiet month of invoicing is a quiet month of cash.",
    thresholds=Thresholds(green=4, red=2),
    compute=compute_invoices_lately,
    reads=("invoices",),
    heading="How often do you invoice?",
    next_step="Invoice the work done this week.",
)


@pytest.fixture
def registered() -> Iterator[Indicator]:
    indicators.register(NEW)
    try:
        yield NEW
    finally:
        del indicators.REGISTRY[NEW_ID]


def test_a_new_indicator_needs_no_other_file(
    invoices_only: Path, registered: Indicator, capsys: pytest.CaptureFixture[str]
) -> None:
    # Invoices every 7 days from 1 Jul 2023; the last on 28 Jun 2025. The 28 days up to it
    # (after 31 May) hold 7, 14, 21 and 28 June: 4 lines, green from 4.
    assert registered.page == "pace"  # its area's page, without saying so
    seen = see(invoices_only, capsys, ["pace"])
    pace = seen.pages["pace"]
    assert seen.metrics["pace"][registered.label] == "4"
    assert "How often do you invoice?" in pace  # the default section's heading
    assert f"**{registered.label}** · 🟢 On track" in pace  # the default card
    assert "4 invoice lines in 4 weeks." in pace
    # the page's sections for the five Pace figures are still there, before it
    assert pace.index("Prospecting, every week") < pace.index("How often do you invoice?")
    assert f"**{registered.label}**" in seen.pages["scoreboard"]
    found = seen.kpis["indicators"][NEW_ID]
    assert found["value"] == 4 and found["status"] == "green"
    ws = seen.workspace_id
    assert {f"thr_{ws}_{NEW_ID}_green", f"thr_{ws}_{NEW_ID}_red"} <= seen.threshold_keys
    for page in ("pace", "scoreboard"):
        card = seen.cards[page][registered.label]
        assert (card["value"], card["status"]) == ("4", "green")


def test_a_new_indicator_follows_the_owners_thresholds(
    invoices_only: Path, registered: Indicator
) -> None:
    # The owner asks for 6 lines in 4 weeks and turns red under 5: the same 4 lines are red.
    from analytics.settings import save_settings

    con = store.connect(invoices_only)
    ws = store.list_workspaces(con)[0]
    save_settings(con, ws.id, {f"threshold:{NEW_ID}": {"green": 6, "red": 5}})
    result = indicators.compute_all(con, ws.id, area="pace")[NEW_ID]
    con.close()
    assert (result.value, result.status) == (4.0, "red")
    # its own tab, the last, labelled with its label
    at = run_page(areas.page("pace").file, section=registered.label)
    no_failure(at)
    assert [t.label for t in at.tabs][-1] == registered.label
    assert f"**{registered.label}** · 🔴 Act now" in texts(at)
    assert "Invoice the work done this week." in texts(at)  # its next step


@pytest.mark.parametrize("area", [a.id for a in areas.AREAS])
def test_custom_sections_name_indicators_of_their_area(area: str) -> None:
    # A renderer under a mistyped or moved id would never be drawn: the card would fall back
    # to the default section without a word.
    from ui import sections

    module = sections.custom(area)
    assert module is not None, f"ui/sections/{area}.py"
    ids = [i.id for i in indicators.in_area(area)]
    assert set(sections.renderers(module)) <= set(ids)
    # the page's order holds each of the area's indicators once
    assert sorted(sections.order(area, sections.renderers(module))) == sorted(ids)
    # and so do its tabs, each under a label of its own (the label is the tab's link)
    tabs = sections.tabs(area, module)
    assert sorted(i for t in tabs for i in t.ids) == sorted(ids)
    assert len({t.label for t in tabs}) == len(tabs)
    # a card drawn beside another's is named under that one's renderer, not a tab of its own
    assert set(getattr(module, "ALSO_DRAWS", {})) <= set(sections.renderers(module))
