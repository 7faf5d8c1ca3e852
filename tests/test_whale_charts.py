"""The profit whale chart (ui/whale_charts.py) and the service-firm reference on the revenue
80/20 curve (ui/fit_charts.pareto_curve), on frames worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.indicators import fit
from ui import fit_charts, whale_charts


def ranked(profits: list[float]) -> pd.DataFrame:
    """A whale frame as fit_profit_whale.sql returns it, from profits already ranked."""
    profit = np.asarray(profits, dtype=float)
    running = np.cumsum(profit)
    return pd.DataFrame(
        {
            "customer": [f"C{i:05d}" for i in range(1, len(profit) + 1)],
            "profit": profit,
            "rank": np.arange(1, len(profit) + 1),
            "cumulative_share": running / running[-1],
            "peak_rank": int(np.argmax(running)) + 1,
        }
    )


def test_a_small_curve_keeps_every_customer_from_the_origin() -> None:
    # 50, 30, 20, −10, −20: total 70; running 50, 80, 100, 90, 70 → shares 0.714, 1.143,
    # 1.429 (the peak, at 3), 1.286, 1.0.
    points = whale_charts.whale_points(ranked([50, 30, 20, -10, -20]))
    assert list(points["rank"]) == [0, 1, 2, 3, 4, 5]
    assert points["cumulative_share"].round(3).tolist() == [0, 0.714, 1.143, 1.429, 1.286, 1.0]
    assert points["customer"].iloc[1] == "C00001" and points["profit"].iloc[5] == -20


def test_a_large_curve_is_thinned_keeping_the_ends_and_the_peak_exactly() -> None:
    # 10,000 customers: 6,999 earn 1 each, the next (rank 7,000) 0.5, then 3,000 lose 0.5
    # each. Running total peaks at rank 7,000 (6,999.5), ends at 5,499.5.
    frame = ranked([1.0] * 6999 + [0.5] + [-0.5] * 3000)
    assert int(frame["peak_rank"].iloc[0]) == 7000
    points = whale_charts.whale_points(frame)
    assert len(points) <= whale_charts.WHALE_POINTS
    ranks = points["rank"].tolist()
    assert ranks[:2] == [0, 1] and ranks[-1] == 10000 and 7000 in ranks
    assert ranks == sorted(ranks)
    peak = points.loc[points["rank"] == 7000, "cumulative_share"].item()
    assert peak == frame["cumulative_share"].max() == 6999.5 / 5499.5
    assert points["cumulative_share"].iloc[-1] == 1.0
    fig = whale_charts.whale_curve(points, 10000, 7000, peak, 3000, "USD")
    assert len(fig.to_json()) < 150_000  # well under the snapshot budget at this scale
    curve, marker = fig.data
    assert len(curve.x) == len(points)
    assert (marker.x[0], round(marker.y[0], 1)) == (7000, 127.3)
    assert "Peak: 127% from 7,000 customers" in marker.text[0]
    # the hover names the customer and its profit
    assert list(curve.customdata[list(curve.x).index(7000)]) == ["C07000", 0.5]
    assert list(curve.customdata[0]) == ["(none yet)", 0.0]
    # the tail shaded from rank 7,001, labelled in words
    (tail,) = fig.layout.shapes[:1]
    assert (tail.x0, tail.x1) == (7000.5, 10000)
    texts = [a.text for a in fig.layout.annotations]
    assert "The tail: 3,000 cost more than they pay" in texts
    assert "100%: your whole profit" in texts


def test_no_points_when_the_total_is_not_a_profit() -> None:
    frame = ranked([10, -30]).assign(cumulative_share=np.nan)
    assert whale_charts.whale_points(frame).empty


def pareto(values: list[float]) -> fit.Pareto:
    frame = pd.DataFrame({"customer": [f"C{i}" for i in range(len(values))], "value": values})
    frame["rank"] = range(1, len(values) + 1)
    frame["customers"] = len(values)
    frame["k20"] = -(-len(values) * 20 // 100)
    frame["k4"] = -(-len(values) * 4 // 100)
    frame["top20"] = frame["rank"] <= frame["k20"]
    frame["top4"] = frame["rank"] <= frame["k4"]
    frame["gini"] = 0.5
    return fit.pareto_from_ranks("revenue", frame)


def test_the_revenue_curve_marks_both_references_at_20_percent() -> None:
    p = pareto([50, 20, 10, 5, 5, 4, 3, 1, 1, 1])
    fig = fit_charts.pareto_curve(p, "Revenue: the 80/20 curve", "revenue")
    refs = {t.name: (t.x[0], t.y[0]) for t in fig.data if str(t.name).startswith("Reference")}
    assert refs == {
        "Reference, the 80/20 rule of thumb: the top 20% bring 80%": (20, 80),
        "Reference, service firms, McCarthy & Winer: the top 20% bring 66%": (20, 66),
    }
    (caption,) = [a.text for a in fig.layout.annotations]
    assert "80%: the 80/20 rule of thumb" in caption
    assert "66%: service firms (McCarthy & Winer)" in caption
    # the owner's own top 20 % is still marked: 2 of 10 customers, (50 + 20) / 100 = 70 %
    assert any(str(t.name).startswith("Top 20% (2 customers): 70.0% of revenue") for t in fig.data)
    # the curve of tickets has no revenue reference
    tickets = fit_charts.pareto_curve(p, "Tickets: the 80/20 curve", "tickets")
    assert not any(str(t.name).startswith("Reference") for t in tickets.data)
    assert not tickets.layout.annotations
