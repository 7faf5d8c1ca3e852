"""demo_params.sql reads the scale's knobs from `demo_scale`, which demo.scale_sql builds from
Scale (the keys of demo_scales.toml): every knob arrives, with its kind's SQL type."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date

from analytics import demo, store
from analytics.queries import sql


def test_every_knob_reaches_demo_params_with_its_type(con: store.Connection) -> None:
    params = {"seed": 7, "end_date": date(2026, 10, 31), **asdict(demo.SCALES["small"])}
    demo._run(con, f"CREATE TEMP TABLE demo_scale AS {demo.scale_sql()}", params)
    demo._run(con, f"CREATE TEMP TABLE p AS {sql('demo_params')}", params)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE p)").fetchall())
    knobs = [f.name for f in fields(demo.Scale)]
    # the dates first, then every knob of Scale in its order, then what is worked out
    assert list(types)[:13] == ["seed", "end_date", *knobs]
    assert types["seed"] == "BIGINT" and types["end_date"] == "DATE"
    assert [types[k] for k in ("customers", "techs", "prospecting_slots")] == ["INTEGER"] * 3
    assert [types[k] for k in ("invoice_items", "ticket_rate", "deal_size")] == ["DOUBLE"] * 3
    row = dict(zip(types, con.execute("SELECT * FROM p").fetchall()[0], strict=True))
    assert (row["customers"], row["techs"], row["admins"]) == (242, 10, 2)
    assert (row["invoice_items"], row["ticket_rate"], row["deal_size"]) == (1.0, 0.35, 1.6)
    # 47 months before October 2026; designed at 242 customers, so f = 1
    assert (row["start_month"], row["end_month"]) == (date(2022, 11, 1), date(2026, 10, 1))
    assert row["f"] == 1.0
    # 200 days before 31 Oct 2026 is Tuesday 14 Apr: the gap starts that Monday
    assert row["gap_start"] == date(2026, 4, 13) and row["gap_weeks"] in (6, 7)
    assert (row["gap_end"] - row["gap_start"]).days == 7 * row["gap_weeks"] - 1
