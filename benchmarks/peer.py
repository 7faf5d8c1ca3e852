"""The pandas-per-rerun peer: the same figures from the Parquet export in pandas, against the app.

A dashboard that keeps no store reads its files and recomputes in pandas on every rerun. This
times that peer against the app on the same data, in one process, paired: the large demo's
workspace is exported with `python -m analytics export` (one Parquet file per entity, the
current rows), then, `rounds` times in turn,

- the app: a fresh indicator Context on the open store and `indicators.compute_many` for
  PEER_INDICATORS, side by side on the figure threads as `compute_all` runs a page's figures
  (what a page's figures cost without Streamlit's cache);
- the app again, one figure after the other on one thread (`app_one_by_one`: each figure's
  own time, and the ratio without the second core);
- pandas: read the Parquet files those figures need (pyarrow, money cast to float64 there)
  and compute the same four values with pandas only,

after one untimed round of each (imports and first reads happen once per process, not per
rerun), and reports the median of each and their ratio (pandas ÷ app; the issue's target is
≥ 10), in wall seconds and in this process's CPU seconds (every thread's: steadier than wall
time on a shared machine, and the figure threads cannot lower it: the work is the same).

The four are one per area, each a different kind of work: a ranking (revenue Pareto, top-20 %
share), a two-window comparison (segment growth), a weekly series with a classification and a
join against every invoice (prospecting hours per week), and a median over a deal window
(discount depth). Each pandas value must equal the app's within 1e-9, or the run fails: a
peer that computes something else proves nothing. The owner's settings (thresholds, activity
types, default minutes) are read from the store once and given to both.

`python -m benchmarks.run --only peer`, or directly: `python -m benchmarks.peer --db STORE`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PEER_INDICATORS = ("revenue_pareto", "segment_growth", "prospecting_hours", "discount_depth")
ROUNDS = 5
TOLERANCE = 1e-9
TARGET_RATIO = 10.0
# The Parquet files (entities) and columns the four figures read.
COLUMNS = {
    "invoices": ["date", "customer", "amount"],
    "activities": ["date", "type", "customer", "minutes"],
    "time_entries": ["date", "hours", "category"],
    "deals": ["status", "created", "closed", "value", "list_value"],
}
SALES_CATEGORIES = ("sales", "selling", "business development", "bd", "new business")


@dataclass
class PeerReport:
    rounds: int
    app_s: list[float] = field(default_factory=list)
    pandas_s: list[float] = field(default_factory=list)
    app_cpu_s: list[float] = field(default_factory=list)
    # the same figures one after the other on one thread (`app_one_by_one`)
    app_one_by_one_s: list[float] = field(default_factory=list)
    pandas_cpu_s: list[float] = field(default_factory=list)
    pandas_load_s: list[float] = field(default_factory=list)
    # each figure's compute one by one, and "context": the fresh Context they share
    app_per_figure_s: dict[str, list[float]] = field(default_factory=dict)
    values: dict[str, dict[str, float | None]] = field(default_factory=dict)  # id → app, pandas
    export_s: float = 0.0
    parquet_mb: float = 0.0
    load_average: list[float] = field(default_factory=list)

    @property
    def app_median(self) -> float:
        return statistics.median(self.app_s)

    @property
    def pandas_median(self) -> float:
        return statistics.median(self.pandas_s)

    @property
    def disagreements(self) -> dict[str, dict[str, float | None]]:
        """The figures where pandas and the app differ by more than TOLERANCE."""
        return {
            i: v
            for i, v in self.values.items()
            if v["app"] is None
            or v["pandas"] is None
            or abs(float(v["app"]) - float(v["pandas"])) > TOLERANCE
        }

    @property
    def ratio(self) -> float:
        return self.pandas_median / self.app_median

    @property
    def one_by_one_ratio(self) -> float:
        """pandas ÷ the app computing the figures one after the other on one thread."""
        return self.pandas_median / statistics.median(self.app_one_by_one_s)

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.pandas_cpu_s) / statistics.median(self.app_cpu_s)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "ratio": round(self.ratio, 2),
            "cpu_ratio": round(self.cpu_ratio, 2),
            "one_by_one_ratio": round(self.one_by_one_ratio, 2),
            "disagreements": self.disagreements,
        }


# ---------------------------------------------------------------- pandas


def read(folder: Path) -> dict[str, pd.DataFrame]:
    """The columns the figures need, money as float64 and dates as datetime64."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frames = {}
    for entity, columns in COLUMNS.items():
        table = pq.read_table(folder / f"{entity}.parquet", columns=columns)
        for i, column in enumerate(table.schema):
            if pa.types.is_decimal(column.type):
                table = table.set_column(i, column.name, table.column(i).cast(pa.float64()))
        frames[entity] = table.to_pandas(date_as_object=False)
    return frames


def _last_day(dates: pd.Series, today: pd.Timestamp) -> pd.Timestamp:
    return dates[dates <= today].max()


def pandas_figures(f: dict[str, pd.DataFrame], settings: dict[str, Any]) -> dict[str, float]:
    """The four figures from the frames `read` gives, computed in pandas."""
    from analytics.indicators.niche import months_back

    today = pd.Timestamp(date.today())
    out: dict[str, float] = {}

    # Revenue Pareto and segment growth: invoices to their last real day.
    inv = f["invoices"].dropna(subset=["date", "customer", "amount"])
    as_of_inv = _last_day(inv["date"], today)
    after = pd.Timestamp(months_back(as_of_inv.date(), 12))
    prior_after = pd.Timestamp(months_back(as_of_inv.date(), 24))
    current = inv[(inv["date"] > after) & (inv["date"] <= as_of_inv)]
    by_customer = current.groupby("customer")["amount"].sum()
    by_customer = by_customer[by_customer > 0].sort_values(ascending=False)
    k20 = (len(by_customer) * 20 + 99) // 100
    out["revenue_pareto"] = float(by_customer.iloc[:k20].sum()) / float(by_customer.sum())
    revenue = float(current["amount"].sum())
    prior = float(inv.loc[(inv["date"] > prior_after) & (inv["date"] <= after), "amount"].sum())
    out["segment_growth"] = (revenue - prior) / prior

    # Prospecting hours: activities and prospecting time, per ISO week, to the later last day.
    acts, times = f["activities"], f["time_entries"]
    as_of = max(_last_day(acts["date"], today), _last_day(times["date"], today))
    terms = _terms(settings)
    types = pd.Series(acts["type"].dropna().unique())
    k = types.str.lower().str.replace(r"[^a-z]+", " ", regex=True).str.strip()
    kinds = pd.DataFrame(
        {"type": types, "kind": k.map(_kind), "counts": k.map(lambda s: any(t in s for t in terms))}
    )
    a = acts[acts["date"].notna() & (acts["date"] <= as_of)].merge(
        kinds[kinds["counts"]], on="type"
    )
    first_invoiced = f["invoices"].dropna(subset=["date"]).groupby("customer")["date"].min()
    first = a["customer"].map(first_invoiced)
    to_non_customer = a["customer"].notna() & (first.isna() | (first > a["date"]))
    a = a[~a["kind"].isin(["call", "email"]) | to_non_customer]
    default = a["kind"].map(lambda kind: _default_minutes(settings, kind))
    a_hours = (a["minutes"].fillna(default) / 60.0).groupby(_week(a["date"])).sum()
    category = times["category"].str.lower()
    prospecting_time = (
        times["date"].le(as_of)
        & times["hours"].ge(0)
        & (category.str.contains("prospect", regex=False) | category.isin(SALES_CATEGORIES))
        .fillna(False)
        .astype(bool)
    )
    t = times[prospecting_time]
    t_hours = t["hours"].groupby(_week(t["date"])).sum()
    first_week = _week(pd.Series([min(acts["date"].min(), times["date"].min())])).iloc[0]
    last_week = _week(pd.Series([as_of + timedelta(days=1)])).iloc[0] - timedelta(days=7)
    weeks = pd.date_range(first_week, last_week, freq="7D")
    hours = a_hours.reindex(weeks, fill_value=0.0) + t_hours.reindex(weeks, fill_value=0.0)
    out["prospecting_hours"] = float(hours.tail(int(settings.get("pace_weeks", 13))).mean())

    # Discount depth: won deals closed in the 12 months to the deals' last real day.
    deals = f["deals"]
    happened = deals["created"].where(
        deals["status"] == "open", deals["closed"].fillna(deals["created"])
    )
    as_of_deals = _last_day(happened, today)
    after = pd.Timestamp(months_back(as_of_deals.date(), 12))
    won = deals[
        (deals["status"] == "won") & (deals["closed"] > after) & (deals["closed"] <= as_of_deals)
    ]
    priced = won[(won["list_value"] > 0) & won["value"].notna()]
    out["discount_depth"] = float(
        ((priced["list_value"] - priced["value"]) / priced["list_value"]).median()
    )
    return out


def _week(dates: pd.Series) -> pd.Series:
    """The Monday of each day's ISO week."""
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def _terms(settings: dict[str, Any]) -> list[str]:
    from analytics.settings import PROSPECTING_TYPES

    chosen = settings.get("prospecting_types", PROSPECTING_TYPES)
    terms = (re.sub(r"[^a-z]+", " ", str(t).lower()).strip() for t in chosen)
    return sorted({t for t in terms if t})


def _kind(k: str) -> str:
    """The kind of an activity type (lowercased, non-letters as spaces), as the SQL has it."""
    if "cold" in k:
        return "cold call"
    if "mailshot" in k or "mail shot" in k or "mailing" in k:
        return "mailshot"
    if "prospect" in k or "outreach" in k:
        return "prospecting"
    if "call" in k or "phone" in k:
        return "call"
    if "email" in k or "e mail" in k:
        return "email"
    return "other"


def _default_minutes(settings: dict[str, Any], kind: str) -> float:
    key = "prospecting" if kind == "other" else kind.replace(" ", "_")
    return float(settings[f"minutes_{key}"])


# ---------------------------------------------------------------- the app


def app_figures(con: Any, workspace_id: int, settings: dict[str, Any]) -> dict[str, float | None]:
    """The four figures as a page computes them: a fresh Context, then
    `indicators.compute_many` (side by side on the figure threads, as `compute_all`)."""
    from analytics import indicators

    ctx = indicators.context(con, workspace_id, None, settings)
    assert ctx is not None
    chosen = [indicators.get(i) for i in PEER_INDICATORS]
    return {i: r.value for i, r in indicators.compute_many(chosen, ctx).items()}


def app_one_by_one(
    con: Any, workspace_id: int, settings: dict[str, Any], seconds: dict[str, list[float]]
) -> dict[str, float | None]:
    """The four figures one after the other on one thread: a fresh Context, one compute each
    (the seconds each took, and the Context's, are added to `seconds`)."""
    from analytics import indicators

    started = time.perf_counter()
    ctx = indicators.context(con, workspace_id, None, settings)
    seconds.setdefault("context", []).append(round(time.perf_counter() - started, 4))
    assert ctx is not None
    values = {}
    for i in PEER_INDICATORS:
        started = time.perf_counter()
        values[i] = indicators.compute(indicators.get(i), ctx).value
        seconds.setdefault(i, []).append(round(time.perf_counter() - started, 4))
    return values


# ---------------------------------------------------------------- the run


def export(db: Path, folder: Path) -> float:
    """`python -m analytics export` of the store's first workspace; its wall seconds."""
    from analytics import store

    con = store.connect(db, read_only=True)
    try:
        name = store.list_workspaces(con)[0].name
    finally:
        con.close()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "analytics", "export", "--db", str(db), "--workspace", name]
        + [str(folder)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def run(db: Path, workdir: Path, *, rounds: int = ROUNDS) -> PeerReport:
    import os

    from analytics import store
    from analytics.settings import get_settings

    workdir.mkdir(parents=True, exist_ok=True)
    folder = workdir / "parquet"
    report = PeerReport(rounds)
    report.load_average.append(round(os.getloadavg()[0], 2))
    report.export_s = round(export(db, folder), 2)
    report.parquet_mb = round(
        sum((folder / f"{e}.parquet").stat().st_size for e in COLUMNS) / 1024 / 1024, 1
    )
    con = store.connect(db, read_only=True)
    try:
        ws = store.list_workspaces(con)[0]
        settings = get_settings(con, ws.id)
        # one untimed round each: imports (pyarrow), the figure threads and first reads
        # happen once per process, not per rerun, for either side
        app_figures(con, ws.id, settings)
        app_one_by_one(con, ws.id, settings, {})
        pandas_figures(read(folder), settings)
        for _ in range(rounds):
            started, cpu = time.perf_counter(), time.process_time()
            app = app_figures(con, ws.id, settings)
            report.app_s.append(round(time.perf_counter() - started, 4))
            report.app_cpu_s.append(round(time.process_time() - cpu, 4))
            started = time.perf_counter()
            alone = app_one_by_one(con, ws.id, settings, report.app_per_figure_s)
            report.app_one_by_one_s.append(round(time.perf_counter() - started, 4))
            assert alone == app, (alone, app)
            started, cpu = time.perf_counter(), time.process_time()
            frames = read(folder)
            loaded = time.perf_counter()
            ours = pandas_figures(frames, settings)
            report.pandas_s.append(round(time.perf_counter() - started, 4))
            report.pandas_cpu_s.append(round(time.process_time() - cpu, 4))
            report.pandas_load_s.append(round(loaded - started, 4))
    finally:
        con.close()
    report.values = {i: {"app": app[i], "pandas": ours[i]} for i in PEER_INDICATORS}
    report.load_average.append(round(os.getloadavg()[0], 2))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a store holding the large demo")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opening-day-peer-") as tmp:
        r = run(args.db, Path(tmp), rounds=args.rounds)
    print(json.dumps(r.as_dict(), indent=2))
    return 1 if r.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
