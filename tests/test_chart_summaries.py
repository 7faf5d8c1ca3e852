"""The big charts summarise in SQL: box plots from quartiles, capped scatters that keep every
point the coaching names, heatmaps of the people that matter. Each summary on a tiny
hand-made store (answers worked out in the comments), then every chart's JSON on the large
demo against its budget."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics import indicators, store
from analytics.indicators import fit, friction, pace
from analytics.settings import defaults
from tests.apptest import each_tab, no_failure, run_page, texts
from tests.conftest import ROOT
from tests.conftest import insert_rows as insert
from ui import charts, fit_charts, friction_charts

AS_OF = date(2025, 6, 30)  # windows: 1 Jul 2024 – 30 Jun 2025


def run(
    con: store.Connection, ws: int, ind_id: str, as_of: date = AS_OF, **overrides: Any
) -> indicators.Result:
    ctx = indicators.context(con, ws, as_of, {**defaults(), **overrides})
    assert ctx is not None
    return indicators.compute(indicators.get(ind_id), ctx)


def won(deal_id: str, owner: str, **fields: Any) -> dict[str, Any]:
    return {
        "deal_id": deal_id,
        "status": "won",
        "created": date(2025, 1, 2),
        "closed": date(2025, 2, 1),
        "owner": owner,
        "customer": f"Customer {deal_id}",
        **fields,
    }


def spec_size(fig: go.Figure) -> int:
    return len(fig.to_json())


# ---------------------------------------------------------------- discount boxes

# Discounts off a list value of 1,000 (value = 1,000 × (1 − discount)):
#   Ann: 0, 2, 4, 6, 8, 50 %      Bob: 10 % six times, 30 %, 40 %      Cy: 20 %
# Ann (n = 6, positions (n − 1) × p): q1 at 1.25 → 2 + 0.25 × 2 = 2.5 %; median at 2.5 → 5 %;
#   q3 at 3.75 → 6 + 0.75 × 2 = 7.5 %. IQR 5 %, limits 2.5 − 7.5 = −5 % and 7.5 + 7.5 = 15 %:
#   whiskers at 0 % and 8 %, one deal beyond (50 %, 35 points past the limit).
# Bob (n = 8): q1 at 1.75 → 10 %; median at 3.5 → 10 %; q3 at 5.25 → 10 + 0.25 × 20 = 15 %.
#   IQR 5 %, limits 2.5 % and 22.5 %: whiskers 10 % and 10 %; 30 % and 40 % beyond, 40 % the
#   furthest.
# Cy (n = 1): everything at 20 %, nothing beyond.
# Deepest median first: Cy 20 %, Bob 10 %, Ann 5 %.
ANN = [0, 2, 4, 6, 8, 50]
BOB = [10] * 6 + [30, 40]


@pytest.fixture
def discount_frame(con: store.Connection, workspace: store.Workspace) -> pd.DataFrame:
    rows = [won(f"A{i}", "Ann", list_value=1000, value=1000 - 10 * d) for i, d in enumerate(ANN)]
    rows += [won(f"B{i}", "Bob", list_value=1000, value=1000 - 10 * d) for i, d in enumerate(BOB)]
    rows += [
        won("C1", "Cy", list_value=1000, value=800),
        won("C2", "Cy", value=700),  # no list value: no discount, left out
    ]
    insert(con, "deals", rows, workspace.id)
    r = run(con, workspace.id, "discount_depth")
    assert r.known
    return r.frame


def test_discount_boxes_by_hand(discount_frame: pd.DataFrame) -> None:
    boxes = friction.discount_boxes(discount_frame).set_index("owner")
    assert boxes.index.tolist() == ["Cy", "Bob", "Ann"]
    assert boxes["deals"].tolist() == [1, 8, 6]
    ann, bob, cy = boxes.loc["Ann"], boxes.loc["Bob"], boxes.loc["Cy"]
    assert [ann["q1"], ann["median"], ann["q3"]] == pytest.approx([0.025, 0.05, 0.075])
    assert [ann["low_limit"], ann["high_limit"]] == pytest.approx([-0.05, 0.15])
    assert [ann["lowerfence"], ann["upperfence"]] == pytest.approx([0.0, 0.08])
    assert ann["outliers"] == 1
    assert [bob["q1"], bob["median"], bob["q3"]] == pytest.approx([0.10, 0.10, 0.15])
    assert [bob["lowerfence"], bob["upperfence"]] == pytest.approx([0.10, 0.10])
    assert bob["outliers"] == 2
    assert [cy["q1"], cy["median"], cy["q3"], cy["lowerfence"], cy["upperfence"]] == (
        pytest.approx([0.2] * 5)
    )
    assert cy["outliers"] == 0


def test_discount_outliers_are_the_furthest_capped_per_salesperson(
    discount_frame: pd.DataFrame,
) -> None:
    boxes = friction.discount_boxes(discount_frame)
    every = friction.discount_outliers(discount_frame, boxes)
    assert list(zip(every["owner"], every["deal_id"], strict=True)) == [
        ("Ann", "A5"),
        ("Bob", "B7"),  # 40 %: 17.5 points past 22.5 %
        ("Bob", "B6"),  # 30 %: 7.5 points past
    ]
    assert every["distance"].tolist() == pytest.approx([0.35, 0.175, 0.075])
    capped = friction.discount_outliers(discount_frame, boxes, per_owner=1)
    assert capped["deal_id"].tolist() == ["A5", "B7"]
    assert capped["owner_outliers"].tolist() == [1, 2]  # the count behind the cap
    caption = friction_charts.discount_caption(boxes, capped)
    assert "2 of the 3 deals beyond the whiskers, the 1 furthest of each salesperson" in caption


def test_the_discount_chart_draws_boxes_from_quartiles(discount_frame: pd.DataFrame) -> None:
    boxes = friction.discount_boxes(discount_frame)
    outliers = friction.discount_outliers(discount_frame, boxes)
    fig = friction_charts.discount_by_salesperson(boxes, outliers, 0.15, {})
    drawn = [t for t in fig.data if t.type == "box"]
    assert [t.name for t in drawn] == ["Cy", "Bob", "Ann"]
    ann = drawn[2]
    assert ann.y is None and ann.boxpoints is False  # no deal carried inside the box
    assert (ann.q1[0], ann.median[0], ann.q3[0]) == pytest.approx((2.5, 5.0, 7.5))
    assert (ann.lowerfence[0], ann.upperfence[0]) == pytest.approx((0.0, 8.0))
    dots = [t for t in fig.data if t.type == "scatter"]
    assert len(dots) == 1 and list(dots[0].y) == pytest.approx([50.0, 40.0, 30.0])


# ---------------------------------------------------------------- estimated vs actual

# Won deals (estimate h → logged h): E01 10 → 30 (+20 h, ×3), E02 2 → 5 (+3 h, ×2.5),
# E03 40 → 55 (+15 h, ×1.375), E09 10 → 11 (+1 h); the rest at or under the estimate:
# E04 10 → 8, E05 10 → 9, E06–E08 and E12 10 → 10, E10 10 → 9, E11 10 → 8.
# With 6 points at most and the 2 biggest overruns of each kind kept: by hours E01, E03; by
# share E01, E02 → 3 overruns, 3 slots for the other 9. In order (estimate, hours, id):
# E04, E11, E05, E10, E06, E07, E08, E12, E09; every ceil(9 / 3) = 3rd from the first →
# E04, E10, E08.
EFFORT = {
    "E01": (10, 30),
    "E02": (2, 5),
    "E03": (40, 55),
    "E04": (10, 8),
    "E05": (10, 9),
    "E06": (10, 10),
    "E07": (10, 10),
    "E08": (10, 10),
    "E09": (10, 11),
    "E10": (10, 9),
    "E11": (10, 8),
    "E12": (10, 10),
}


@pytest.fixture
def effort_frame(con: store.Connection, workspace: store.Workspace) -> pd.DataFrame:
    ws = workspace.id
    deals = [
        won(d, "Ann" if d < "E07" else "Bob", estimated_hours=e) for d, (e, _) in EFFORT.items()
    ]
    insert(con, "deals", deals, ws)
    logged = [
        {"date": date(2025, 3, 3), "person": "Tess", "hours": a, "deal_id": d}
        for d, (_, a) in EFFORT.items()
    ]
    insert(con, "time_entries", logged, ws)
    r = run(con, ws, "effort_overrun")
    assert r.known
    judged = r.frame.dropna(subset=["ratio"])
    return judged[~judged["in_delivery"]]


def test_effort_points_keep_every_biggest_overrun_and_sample_the_rest(
    effort_frame: pd.DataFrame,
) -> None:
    points = friction.effort_points(effort_frame, cap=6, keep=2)
    shown = dict(zip(points["deal_id"], points["shown"], strict=True))
    assert shown == {
        "E01": "overrun",
        "E02": "overrun",
        "E03": "overrun",
        "E04": "sample",
        "E10": "sample",
        "E08": "sample",
    }
    first = points.iloc[0]
    assert (first["total"], first["overruns"], first["low"], first["high"]) == (12, 3, 2, 55)
    # the same rows give the same points
    again = friction.effort_points(effort_frame.sample(frac=1, random_state=1), cap=6, keep=2)
    assert sorted(again["deal_id"]) == sorted(points["deal_id"])
    caption = friction_charts.effort_caption(points)
    assert caption.startswith("Showing 6 of 12 deals: all 3 biggest overruns")
    assert "sample of the rest" in caption
    fig = friction_charts.estimate_vs_actual(points, {})
    assert sum(len(t.x) for t in fig.data if t.mode == "markers") == 6


def test_effort_points_are_every_deal_under_the_cap(effort_frame: pd.DataFrame) -> None:
    points = friction.effort_points(effort_frame)
    assert len(points) == 12 and set(points["shown"]) == {"all"}
    assert friction_charts.effort_caption(points).startswith("Each dot is a won deal (12)")


# ---------------------------------------------------------------- heatmaps of people

# Time-tracking coverage over the 13 complete weeks to Sun 29 Jun 2025 (31 Mar – 29 Jun),
# capacity 40 h; everyone logged once in January, so every week counts for everyone.
# Hours missing: Ann logs 40 a week → 0; Ben 20 → 13 × 20 = 260; Cy 40 in one week only →
# 12 × 40 = 480; Dee 30 → 130; Eve 30 → 130 (tied with Dee: lower coverage first, then by
# name: Dee). Most missing first: Cy, Ben, Dee, Eve, Ann.
COVERAGE_WEEK = [date(2025, 3, 31) + timedelta(weeks=w) for w in range(13)]
COVERAGE_HOURS = {"Ann": [40] * 13, "Ben": [20] * 13, "Cy": [40] + [0] * 12, "Dee": [30] * 13}


@pytest.fixture
def coverage_frame(con: store.Connection, workspace: store.Workspace) -> pd.DataFrame:
    rows = [
        {"date": week, "person": person, "hours": h}
        for person, hours in {**COVERAGE_HOURS, "Eve": [30] * 13}.items()
        for week, h in zip(COVERAGE_WEEK, hours, strict=True)
        if h
    ]
    rows += [{"date": date(2025, 1, 6), "person": p, "hours": 1} for p in ("Ann", "Cy", "Dee")]
    rows += [{"date": date(2025, 1, 6), "person": p, "hours": 1} for p in ("Ben", "Eve")]
    insert(con, "time_entries", rows, workspace.id)
    r = run(con, workspace.id, "time_tracking_coverage", date(2025, 6, 29))
    assert r.known
    return r.frame


def test_coverage_heatmap_shows_the_people_missing_most_hours(
    coverage_frame: pd.DataFrame,
) -> None:
    top = friction.coverage_top_people(coverage_frame, 2)
    assert top.drop_duplicates("person")["person"].tolist() == ["Cy", "Ben"]
    assert len(top) == 2 * 13 and set(top["people"]) == {5}
    assert top.drop_duplicates("person")["missing_hours"].tolist() == [480, 260]
    everyone = friction.coverage_top_people(coverage_frame, None)
    assert everyone.drop_duplicates("person")["person"].tolist() == [
        "Cy",
        "Ben",
        "Dee",
        "Eve",
        "Ann",
    ]
    fig = friction_charts.coverage_heatmap(top, 40)
    assert list(fig.data[0].y) == ["Cy", "Ben"]  # drawn top down (the axis is reversed)
    assert fig.data[0].text is not None  # 26 cells: small enough to print each number
    assert "The 2 of 5 people with the most hours missing" in charts.people_caption(
        top, "the most hours missing"
    )


# Workload over the 4 weeks to Sun 30 Mar 2025, band 30–45 h (weeks outside, too fast):
#   Ana 50, 50, 40, 20 → 3, 2    Cy 20, 20, 25, 40 → 3, 0    Eve 50, 40, 40, 40 → 1, 1
#   Ben 46, 40, 40, 40 → 1, 1 (1 h beyond against Eve's 5)    Dot 40 × 4 → 0
# Most weeks outside, then most too fast, then most hours beyond: Ana, Cy, Eve, Ben, Dot.
WORKLOAD_WEEK = [date(2025, 3, 3) + timedelta(weeks=w) for w in range(4)]
WORKLOAD = {
    "Ana": [50, 50, 40, 20],
    "Ben": [46, 40, 40, 40],
    "Cy": [20, 20, 25, 40],
    "Dot": [40, 40, 40, 40],
    "Eve": [50, 40, 40, 40],
}


def test_workload_heatmap_ranks_people_by_weeks_outside_the_band(
    con: store.Connection, workspace: store.Workspace
) -> None:
    rows = [
        {"date": week, "person": person, "hours": h}
        for person, hours in WORKLOAD.items()
        for week, h in zip(WORKLOAD_WEEK, hours, strict=True)
    ]
    insert(con, "time_entries", rows, workspace.id)
    r = run(con, workspace.id, "workload_pace", date(2025, 3, 30), pace_weeks=4)
    everyone = pace.workload_top_people(r.frame, 30, 45, None)
    order = everyone.drop_duplicates("person")
    assert order["person"].tolist() == ["Ana", "Cy", "Eve", "Ben", "Dot"]
    assert order["weeks_outside"].tolist() == [3, 3, 1, 1, 0]
    top = pace.workload_top_people(r.frame, 30, 45, 3)
    assert top.drop_duplicates("person")["person"].tolist() == ["Ana", "Cy", "Eve"]
    fig = charts.workload_heatmap(top, 30, 45)
    assert list(fig.data[0].y) == ["Ana", "Cy", "Eve"]
    assert fig.data[0].text is not None


def test_big_heatmaps_carry_no_cell_text_and_stay_a_sensible_height() -> None:
    weeks = [date(2025, 1, 6) + timedelta(weeks=w) for w in range(13)]
    rows = pd.DataFrame(
        [
            {"person": f"P{p:03}", "week_start": w, "hours": 40.0, "rank": p + 1, "people": 250}
            for p in range(250)
            for w in weeks
        ]
    )
    top = rows[rows["rank"] <= charts.TOP_PEOPLE]
    for frame, rows_shown in ((top, 25), (rows, 250)):
        for fig in (
            charts.workload_heatmap(frame, 30, 45),
            friction_charts.coverage_heatmap(frame, 40),
        ):
            assert len(fig.data[0].y) == rows_shown
            assert fig.data[0].text is None  # 325 or 3,250 cells: numbers on hover only
            assert fig.layout.height <= charts.HEATMAP_MAX_PX
    assert charts.heatmap_height(25) == 25 * charts.ROW_PX + 140


# ---------------------------------------------------------------- value against burden

# Revenue and tickets in the 12 months to 30 Jun 2025 (burden = tickets: none record hours):
#   C01 10,000 / 1   C02 9,000 / 8   C03 8,000 / 0   C04 7,000 / 6   C05 6,000 / 2
#   C06 5,000 / 5    C07 1,000 / 9   C08 900 / 7     C09 800 / 1     C10 700 / 3
#   C11 600 / 0      C12 500 / 4
# Medians: revenue (1,000 + 5,000) / 2 = 3,000, burden (3 + 4) / 2 = 3.5 → ideal C01 C03 C05,
# maintain C02 C04 C06, fix or fire C07 C08 C12, grow C09 C10 C11.
# At most 6 points, 2 names, 1 extreme of each kind: named C01, C02 (revenue) and C07
# (burden); extremes C01 (revenue, first ideal) and C07 (burden, first to fix or fire) → 3
# kept, 3 slots for the other 9. In order (quadrant, revenue): C12, C08 | C11, C10, C09 |
# C05, C03 | C06, C04; every 3rd from the first (1st, 4th, 7th) → C12, C10, C03.
QUADRANT = {
    "C01": (10000, 1),
    "C02": (9000, 8),
    "C03": (8000, 0),
    "C04": (7000, 6),
    "C05": (6000, 2),
    "C06": (5000, 5),
    "C07": (1000, 9),
    "C08": (900, 7),
    "C09": (800, 1),
    "C10": (700, 3),
    "C11": (600, 0),
    "C12": (500, 4),
}


@pytest.fixture
def quadrant_frame(con: store.Connection, workspace: store.Workspace) -> pd.DataFrame:
    ws = workspace.id
    insert(
        con,
        "invoices",
        [{"date": AS_OF, "customer": c, "amount": rev} for c, (rev, _) in QUADRANT.items()],
        ws,
    )
    tickets = [
        {"opened": date(2025, 4, 1), "customer": c, "type": "support"}
        for c, (_, n) in QUADRANT.items()
        for _ in range(n)
    ]
    insert(con, "tickets", tickets, ws)
    r = run(con, ws, "customer_quadrant")
    assert r.known and r.details["burden_basis"] == "tickets"
    return r.frame


def test_quadrant_points_keep_the_named_and_extreme_customers(
    quadrant_frame: pd.DataFrame,
) -> None:
    points = fit.quadrant_points(quadrant_frame, cap=6, keep=1, labels=2)
    shown = dict(zip(points["customer"], points["shown"], strict=True))
    assert shown == {
        "C01": "extreme",
        "C02": "extreme",
        "C07": "extreme",
        "C12": "sample",
        "C10": "sample",
        "C03": "sample",
    }
    assert set(points.loc[points["named"], "customer"]) == {"C01", "C02", "C07"}
    counts = points.drop_duplicates("quadrant").set_index("quadrant")["in_quadrant"]
    assert counts.to_dict() == {"fix_or_fire": 3, "grow": 3, "ideal": 3, "maintain": 3}
    first = points.iloc[0]
    assert (first["total"], first["kept"]) == (12, 3)
    assert (first["least_burden"], first["no_burden"], first["no_revenue"]) == (1, True, False)
    fig = fit_charts.value_vs_burden(points, "tickets", "USD")
    # the legend counts every customer of a group, shown or not
    assert {t.name for t in fig.data if t.mode == "markers"} == {
        "Ideal (3)",
        "Maintain (3)",
        "Grow (3)",
        "Fix or fire (3)",
    }
    labels = next(t for t in fig.data if t.mode == "text")
    assert set(labels.text) == {"C01", "C02", "C07"}
    caption = fit_charts.quadrant_caption(points)
    assert caption.startswith("Showing 6 of 12 customers: all 3 at the extremes")
    # under the cap: every customer, and nothing to say about it
    every = fit.quadrant_points(quadrant_frame)
    assert len(every) == 12 and set(every["shown"]) == {"all"}
    assert fit_charts.quadrant_caption(every) == ""


# ---------------------------------------------------------------- budgets on the large demo

CHART_BUDGET = 150 * 1024  # bytes of chart JSON, each
PAGE_BUDGET = 300 * 1024  # all of one page's charts together


@pytest.fixture(scope="module")
def large_demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The large demo (about 10k won deals a year, 250 people, 2,800 customers), generated
    once in a child process so its memory goes with it."""
    path = tmp_path_factory.mktemp("large") / "large.duckdb"
    subprocess.run(
        [sys.executable, "-m", "analytics", "demo", "--scale", "large", "--db", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return path


@pytest.fixture
def large_demo(large_demo_store: Path, db_file: Path) -> Path:
    shutil.copy(large_demo_store, db_file)
    return db_file


def chart_sizes(at: Any) -> dict[str, int]:
    sizes = {}
    for chart in at.get("plotly_chart"):
        spec = chart.proto.spec
        title = json.loads(spec)["layout"].get("title", {}).get("text", "")
        sizes[f"{len(sizes)}: {title[:50]}"] = len(spec.encode("utf-8"))
    return sizes


@pytest.mark.usefixtures("fresh_streamlit", "large_demo")
@pytest.mark.parametrize("page", ["pace", "niche", "fit", "friction"])
def test_chart_json_stays_within_budget_on_the_large_demo(page: str) -> None:
    at = run_page(f"pages/{page}.py")
    no_failure(at)
    seen, drawn_any = [], False
    for step in each_tab(at):  # a run draws one tab: each within the budget
        sizes = chart_sizes(step)
        drawn_any = drawn_any or bool(sizes)
        over = {t: s for t, s in sizes.items() if s > CHART_BUDGET}
        assert not over, f"charts over {CHART_BUDGET:,} bytes: {over}"
        assert sum(sizes.values()) <= PAGE_BUDGET, sizes
        seen.append(texts(step))
    assert drawn_any
    shown = "\n".join(seen)
    if page == "friction":
        drawn = re.search(r"Showing (\d+) of ([\d,]+) deals: all [\d,]+ biggest overruns", shown)
        assert drawn is not None
        assert 500 < int(drawn[1]) <= 600 < int(drawn[2].replace(",", ""))
        assert "The 25 of 250 people with the most hours missing" in shown
        assert "Showing the 25 people with the smallest share of 250" in shown
    if page == "fit":
        assert "customers: all" in shown
    if page == "pace":
        assert "The 25 of 250 people with the most weeks outside the band" in shown


@pytest.mark.usefixtures("fresh_streamlit", "large_demo")
@pytest.mark.parametrize(
    ("page", "key"),
    [("pace", "pace_workload_everyone"), ("friction", "friction_coverage_everyone")],
)
def test_show_all_people_draws_everyone_within_budget(page: str, key: str) -> None:
    tab = {"pace": "Weeks outside a sustainable pace", "friction": "Time-tracking coverage"}
    at = run_page(f"pages/{page}.py", section=tab[page])
    toggle = at.toggle(key=key)
    assert toggle.label == "Show all 250 people" and toggle.value is False
    toggle.set_value(True).run()
    no_failure(at)
    assert at.session_state[key] is True
    heatmap = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["data"][0]["type"] == "heatmap"
    )
    assert len(heatmap["data"][0]["y"]) == 250
    assert "text" not in heatmap["data"][0]
    assert heatmap["layout"]["height"] <= charts.HEATMAP_MAX_PX
    assert all(s <= CHART_BUDGET for s in chart_sizes(at).values())
    assert "All 250 people" in texts(at)


def improvement_bars(at: Any) -> dict[str, float]:
    import base64

    import numpy as np

    def values(array: Any) -> list[Any]:
        """A trace's values, decoding Plotly's typed arrays ({"dtype", "bdata"})."""
        if isinstance(array, dict):
            raw = base64.b64decode(array["bdata"])
            return np.frombuffer(raw, dtype=np.dtype(array["dtype"])).tolist()
        return list(array)

    spec = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "spent improving" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )
    bars = spec["data"][0]
    return {str(y): float(x) for y, x in zip(values(bars["y"]), values(bars["x"]), strict=True)}


@pytest.mark.usefixtures("fresh_streamlit", "large_demo")
def test_improvement_shows_the_people_who_improve_least_first() -> None:
    at = run_page("pages/friction.py", section="Improvement time")
    few = improvement_bars(at)
    at.toggle(key="friction_improvement_everyone").set_value(True).run()
    no_failure(at)
    every = improvement_bars(at)
    assert len(few) == 25 and len(every) == 250
    # The 25 shown are the 25 smallest shares of the whole chart (ties may swap names).
    assert sorted(few.values()) == sorted(every.values())[:25]
    assert all(every[name] == share for name, share in few.items())
