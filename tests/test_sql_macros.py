"""The shared SQL macros (analytics/sql/macros/): each one on a few hand-written rows, and
defined once per connection so every cursor, read-only stores included, can call them."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analytics import queries, schema


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """A bare in-memory DuckDB with the three tables the macros read, a few rows each."""
    db = duckdb.connect(":memory:")
    db.execute(
        "create table customers_current (workspace_id int, customer varchar, segment varchar)"
    )
    db.execute(
        "insert into customers_current values (1, 'A', ' Dental '), (1, 'B', '  '), "
        "(2, 'C', 'Legal')"
    )
    db.execute(
        "create table invoices (workspace_id int, date date, customer varchar, amount decimal(18,2))"
    )
    db.execute(
        """insert into invoices values
        (1, '2024-01-10', 'A', 10),
        (1, '2024-02-10', 'A', null),   -- no amount: left out
        (1, null, 'A', 5),              -- no date: left out
        (1, '2024-03-01', null, 7),     -- no customer: left out
        (1, '2024-03-05', 'B', 20),
        (1, '2024-04-01', 'B', 30),
        (2, '2024-01-10', 'C', 99)      -- another workspace"""
    )
    db.execute("create table tickets (workspace_id int, opened date, customer varchar)")
    db.execute(
        """insert into tickets values
        (1, '2024-01-10', 'A'),   -- on the boundary: before the window
        (1, '2024-02-01', 'A'),
        (1, '2024-02-15', null),  -- no customer: left out
        (1, '2024-03-01', 'B'),   -- on the as-of day: inside
        (2, '2024-02-01', 'C')"""
    )
    db.execute(
        "create table deals_current (workspace_id int, deal_id varchar, status varchar, "
        "closed date, value decimal(18,2))"
    )
    db.execute(
        """insert into deals_current values
        (1, 'D1', 'won', '2024-02-01', 100),
        (1, 'D2', 'won', '2024-03-01', null),   -- no value: left out
        (1, 'D3', 'won', null, 50),             -- not closed: left out
        (1, 'D4', 'lost', '2024-02-01', 70),    -- lost
        (1, 'D5', 'won', '2024-04-01', 40),     -- after the as-of day
        (2, 'D6', 'won', '2024-02-01', 90)      -- another workspace"""
    )
    invoice_days(db)
    more_tables(db)
    queries.define_macros(db)
    return db


def more_tables(db: duckdb.DuckDBPyConnection) -> None:
    """The invoice columns, time entries and peer review tables the later macros read, empty
    (each test of those macros adds its own rows)."""
    db.execute(
        "alter table invoices add column cost decimal(18,2); "
        "alter table invoices add column invoice_no varchar; "
        "alter table invoices add column due date; "
        "alter table invoices add column paid date; "
        "alter table invoices add column recurring boolean; "
        "create table time_entries (workspace_id int, date date, customer varchar, "
        "role varchar, hours double); "
        "create table peer_sessions (id int, held_on date); "
        "create table peer_commitment_reviews (commitment_id int, session_id int, "
        "done boolean, note varchar, reviewed_at timestamp)"
    )


def invoice_days(db: duckdb.DuckDBPyConnection) -> None:
    """The invoice_days fact table from the invoices, as a refresh builds it."""
    [fact] = [f for f in schema.FACTS if f.table == "invoice_days"]
    db.execute(f"create or replace table invoice_days as {fact.select('')}")


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:  # type: ignore[type-arg]
    row = con.cursor().execute(sql).fetchone()
    assert row is not None
    return row


def test_trimmed_is_null_when_blank(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con, "select macros.trimmed('  Dental '), macros.trimmed('   '), macros.trimmed(null)"
    ) == ("Dental", None, None)


def test_segment_or_none_pools_blank_and_missing(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con,
        "select macros.segment_or_none(' Dental '), macros.segment_or_none(''), "
        "macros.segment_or_none(null)",
    ) == ("Dental", "(no segment)", "(no segment)")


def test_type_words_for_matching_terms(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con,
        "select macros.type_words('Cold-Call #2'), macros.type_words('  LinkedIn  message '), "
        "macros.type_words('')",
    ) == ("cold call", "linkedin message", "")


def test_is_complaint_by_type(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con,
        "select macros.is_complaint('Complaint'), macros.is_complaint('billing complaints'), "
        "macros.is_complaint('question'), macros.is_complaint(null)",
    ) == (True, True, False, False)


def test_cost_rate_by_role(con: duckdb.DuckDBPyConnection) -> None:
    # tech 60, sales 70, admin 40, anything else 50
    assert one(
        con,
        """select
            macros.cost_rate('Technician', 60, 70, 40, 50),
            macros.cost_rate('SALES lead', 60, 70, 40, 50),
            macros.cost_rate('admin', 60, 70, 40, 50),
            macros.cost_rate('owner', 60, 70, 40, 50),
            macros.cost_rate(null, 60, 70, 40, 50)""",
    ) == (60, 70, 40, 50, 50)


def test_period_start_follows_the_fiscal_year(con: duckdb.DuckDBPyConnection) -> None:
    # 15 May 2024: month May; calendar quarter Apr–Jun, year 2024. With an April start
    # (shift 3): fiscal quarter Apr–Jun, and 31 Mar 2024 closes the year that began 1 Apr 2023.
    assert one(
        con,
        """select
            macros.period_start('month', date '2024-05-15', 0),
            macros.period_start('quarter', date '2024-05-15', 0),
            macros.period_start('year', date '2024-05-15', 0),
            macros.period_start('quarter', date '2024-05-15', 3),
            macros.period_start('year', date '2024-03-31', 3),
            macros.period_start('year', date '2024-04-01', 3)""",
    ) == (
        date(2024, 5, 1),
        date(2024, 4, 1),
        date(2024, 1, 1),
        date(2024, 4, 1),
        date(2023, 4, 1),
        date(2024, 4, 1),
    )


def test_period_length_per_grain(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con,
        """select
            (date '2024-01-01' + macros.period_length('month'))::date,
            (date '2024-01-01' + macros.period_length('quarter'))::date,
            (date '2024-01-01' + macros.period_length('year'))::date""",
    ) == (date(2024, 2, 1), date(2024, 4, 1), date(2025, 1, 1))


def test_current_customers_of_one_workspace(con: duckdb.DuckDBPyConnection) -> None:
    rows = (
        con.cursor()
        .execute("select customer, segment from macros.current_customers(1) order by customer")
        .fetchall()
    )
    assert rows == [("A", " Dental "), ("B", "  ")]  # raw: cleaning is the caller's choice


def test_invoices_to_keeps_the_countable_lines(con: duckdb.DuckDBPyConnection) -> None:
    # Workspace 1 up to 31 Mar 2024: A 10 (10 Jan) and B 20 (5 Mar); the lines without an
    # amount, a date or a customer, B's April line and workspace 2 are left out.
    assert one(
        con, "select count(*), sum(amount) from macros.invoices_to(1, date '2024-03-31')"
    ) == (2, 30)


def test_invoices_between_excludes_the_boundary(con: duckdb.DuckDBPyConnection) -> None:
    # (10 Jan, 1 Apr]: A's line on 10 Jan is outside, B's 20 and 30 inside (1 Apr included).
    assert one(
        con,
        "select count(*), sum(amount) "
        "from macros.invoices_between(1, date '2024-01-10', date '2024-04-01')",
    ) == (2, 50)


def test_invoice_days_add_up_each_customer_day(con: duckdb.DuckDBPyConnection) -> None:
    # Workspace 3: E has 10 and 2.50 on 1 May (one day: 12.50 in 2 lines) and 1 on 2 May;
    # the line without a customer and the one without an amount are left out, like
    # invoices_to; 3 May is after the as-of day.
    con.execute(
        """insert into invoices (workspace_id, date, customer, amount) values
        (3, '2024-05-01', 'E', 10), (3, '2024-05-01', 'E', 2.5), (3, '2024-05-02', 'E', 1),
        (3, '2024-05-01', null, 4), (3, '2024-05-02', 'E', null), (3, '2024-05-03', 'E', 8)"""
    )
    invoice_days(con)
    to = "select date, amount, lines from macros.invoice_days_to(3, date '2024-05-02') order by 1"
    assert con.cursor().execute(to).fetchall() == [
        (date(2024, 5, 1), 12.5, 2),
        (date(2024, 5, 2), 1, 1),
    ]
    # (1 May, 2 May]: only 2 May.
    between = "select date, amount, lines from macros.invoice_days_between(3, date '2024-05-01', date '2024-05-02')"
    assert con.cursor().execute(between).fetchall() == [(date(2024, 5, 2), 1, 1)]
    # Workspace 1 to 31 Mar, as invoices_to gives it: 2 lines, 30.
    assert one(
        con, "select sum(lines), sum(amount) from macros.invoice_days_to(1, date '2024-03-31')"
    ) == (2, 30)


def test_first_invoices_with_segment(con: duckdb.DuckDBPyConnection) -> None:
    # Up to 31 Mar 2024: A first invoiced 10 Jan (segment ' Dental ' → 'Dental'), B on 5 Mar
    # (a blank segment → '(no segment)'); A's lines without an amount or date do not count.
    rows = (
        con.cursor()
        .execute(
            "select customer, first_invoice, segment "
            "from macros.first_invoices(1, date '2024-03-31') order by customer"
        )
        .fetchall()
    )
    assert rows == [("A", date(2024, 1, 10), "Dental"), ("B", date(2024, 3, 5), "(no segment)")]


def test_segment_periods_fill_the_grid(con: duckdb.DuckDBPyConnection) -> None:
    # Rows in Feb (X) and Apr (Y) 2024, quarters with an April start, to 15 Aug 2024: the
    # fiscal quarters starting 1 Jan, 1 Apr and 1 Jul, each for X and for Y.
    rows = (
        con.cursor()
        .execute(
            """with rows as (
                select * from (values (date '2024-01-01', 'X'), (date '2024-04-01', 'Y'))
                    as t(period_start, segment)
            )
            select period_start, segment
            from macros.segment_periods(rows, 'quarter', date '2024-08-15', 3)
            order by period_start, segment"""
        )
        .fetchall()
    )
    quarters = [date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1)]
    assert rows == [(q, s) for q in quarters for s in ("X", "Y")]


def test_tickets_between_names_a_customer(con: duckdb.DuckDBPyConnection) -> None:
    rows = (
        con.cursor()
        .execute(
            "select opened, customer "
            "from macros.tickets_between(1, date '2024-01-10', date '2024-03-01') order by opened"
        )
        .fetchall()
    )
    assert rows == [(date(2024, 2, 1), "A"), (date(2024, 3, 1), "B")]


def test_won_deals_to_counts_bookings(con: duckdb.DuckDBPyConnection) -> None:
    # Workspace 1 to 31 Mar 2024: D1 only (D2 has no value, D3 no close date, D4 was lost,
    # D5 closed after the day).
    rows = (
        con.cursor()
        .execute("select deal_id, value from macros.won_deals_to(1, date '2024-03-31')")
        .fetchall()
    )
    assert rows == [("D1", 100)]


PARETO_ROWS = """with by_customer as (
    select * from (values
        ('A', 'S', 50.0, 1.0),
        ('B', 'T', 30.0, 2.0),
        ('D', 'T', 10.0, 3.0),
        ('C', 'S', 10.0, 4.0)
    ) as t(customer, segment, value, hours)
)
"""


def test_pareto_ranks_every_segment(con: duckdb.DuckDBPyConnection) -> None:
    frame = (
        con.cursor()
        .execute(PARETO_ROWS + "select * from macros.pareto_ranks(by_customer, []) order by rank")
        .df()
    )
    # Extra columns ride along, in place; the ranking's columns follow.
    assert list(frame.columns) == [
        "customer", "segment", "value", "hours", "rank", "customers", "k20", "k4", "share",
        "cumulative_share", "top20", "top4", "gini",
    ]  # fmt: skip
    # A 50, B 30, then the tie at 10 broken by name: C before D.
    assert frame["customer"].tolist() == ["A", "B", "C", "D"]
    assert frame["hours"].tolist() == [1.0, 2.0, 4.0, 3.0]
    assert frame["rank"].tolist() == [1, 2, 3, 4]
    # 4 customers: top 20 % = ceil(0.8) = 1, top 4 % = ceil(0.16) = 1.
    assert frame["customers"].iloc[0] == 4
    assert (frame["k20"].iloc[0], frame["k4"].iloc[0]) == (1, 1)
    assert frame["share"].tolist() == pytest.approx([0.5, 0.3, 0.1, 0.1])
    assert frame["cumulative_share"].tolist() == pytest.approx([0.5, 0.8, 0.9, 1.0])
    assert frame["top20"].tolist() == [True, False, False, False]
    # Gini over 10, 10, 30, 50: 2 (1·10 + 2·10 + 3·30 + 4·50) / (4 · 100) − 5/4 = 0.35.
    assert frame["gini"].tolist() == pytest.approx([0.35] * 4)


def test_pareto_ranks_within_segments(con: duckdb.DuckDBPyConnection) -> None:
    frame = (
        con.cursor()
        .execute(
            PARETO_ROWS + "select * from macros.pareto_ranks(by_customer, ['S']) order by rank"
        )
        .df()
    )
    # Segment S alone: A 50 and C 10, ranked among themselves out of 60.
    assert frame["customer"].tolist() == ["A", "C"]
    assert frame["rank"].tolist() == [1, 2]
    assert frame["share"].tolist() == pytest.approx([50 / 60, 10 / 60])
    assert (frame["k20"].iloc[0], frame["k4"].iloc[0]) == (1, 1)
    # 2 (1·10 + 2·50) / (2 · 60) − 3/2 = 1/3.
    assert frame["gini"].tolist() == pytest.approx([1 / 3] * 2)


def test_with_segment_adds_the_segment_as_figures_group_it(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # Workspace 1: A is ' Dental ' (trimmed); B's segment is blank; C is workspace 2's and Z
    # is nobody's customer: those three are '(no segment)'.
    cur = con.cursor().execute(
        """with rows as (
            select * from (values ('A', 1), ('B', 2), ('C', 3), ('Z', 4)) as t(customer, n)
        )
        select * from macros.with_segment(1, rows) order by n"""
    )
    assert [d[0] for d in cur.description] == ["customer", "n", "segment"]
    assert cur.fetchall() == [
        ("A", 1, "Dental"),
        ("B", 2, "(no segment)"),
        ("C", 3, "(no segment)"),
        ("Z", 4, "(no segment)"),
    ]


def test_customer_pareto_names_each_segment(con: duckdb.DuckDBPyConnection) -> None:
    # Workspace 1: A is ' Dental ' (trimmed), B's segment is blank and Z is not in
    # customers_current: both '(no segment)'. C (workspace 2's Legal) is not A's kind.
    rows = """with by_customer as (
        select * from (values ('A', 30.0, 1.0), ('Z', 10.0, 2.0), ('B', 10.0, 3.0))
            as t(customer, value, hours)
    )
    """
    frame = (
        con.cursor()
        .execute(rows + "select * from macros.customer_pareto(1, by_customer, []) order by rank")
        .df()
    )
    # The segment follows the customer; the other columns ride along, then the ranking's.
    assert list(frame.columns)[:5] == ["customer", "segment", "value", "hours", "rank"]
    # A 30, then the tie at 10 broken by name: B before Z.
    assert frame["customer"].tolist() == ["A", "B", "Z"]
    assert frame["segment"].tolist() == ["Dental", "(no segment)", "(no segment)"]
    assert frame["hours"].tolist() == [1.0, 3.0, 2.0]
    assert frame["share"].tolist() == pytest.approx([0.6, 0.2, 0.2])
    # 2 (1·10 + 2·10 + 3·30) / (3 · 50) − 4/3 = 1.6 − 4/3 = 4/15.
    assert frame["gini"].tolist() == pytest.approx([4 / 15] * 3)
    within = (
        con.cursor()
        .execute(
            rows + "select customer, rank, share, gini "
            "from macros.customer_pareto(1, by_customer, ['(no segment)']) order by rank"
        )
        .fetchall()
    )
    # B and Z alone, 10 each out of 20: equal shares, Gini 2 (1·10 + 2·10) / (2 · 20) − 3/2 = 0.
    assert within == [("B", 1, 0.5, 0.0), ("Z", 2, 0.5, 0.0)]


def test_segment_period_figures_fill_the_gaps_with_null(con: duckdb.DuckDBPyConnection) -> None:
    # The same grid as segment_periods' test (fiscal quarters from 1 Jan, 1 Apr, 1 Jul 2024
    # for X and Y), with figures for X in January's quarter and Y in July's only.
    rows = (
        con.cursor()
        .execute(
            """with rows(period_start, segment) as (
                values (date '2024-01-01', 'X'), (date '2024-04-01', 'Y')
            ),
            figures(period_start, segment, n, amount) as (
                values (date '2024-01-01', 'X', 5, 1.5), (date '2024-07-01', 'Y', 2, 0.5)
            )
            select * from macros.segment_period_figures(rows, figures, 'quarter',
                date '2024-08-15', 3)
            order by period_start, segment"""
        )
        .fetchall()
    )
    assert rows == [
        (date(2024, 1, 1), "X", 5, 1.5),
        (date(2024, 1, 1), "Y", None, None),
        (date(2024, 4, 1), "X", None, None),
        (date(2024, 4, 1), "Y", None, None),
        (date(2024, 7, 1), "X", None, None),
        (date(2024, 7, 1), "Y", 2, 0.5),
    ]


def test_macros_reach_every_cursor_of_a_read_only_store(tmp_path: Path) -> None:
    path = str(tmp_path / "store.duckdb")
    writer = duckdb.connect(path)
    writer.execute(
        "create table customers_current (workspace_id int, customer varchar, segment varchar)"
    )
    writer.execute(
        "insert into customers_current values (1, 'A', 'X'), (1, 'B', null), (2, 'C', 'X')"
    )
    # the tables the table macros read must exist when they are defined
    writer.execute(
        "create table invoices (workspace_id int, date date, customer varchar, amount int)"
    )
    writer.execute("create table tickets (workspace_id int, opened date, customer varchar)")
    invoice_days(writer)
    writer.execute(
        "create table deals_current (workspace_id int, status varchar, closed date, value int)"
    )
    more_tables(writer)
    writer.close()
    reader = duckdb.connect(path, read_only=True)
    queries.define_macros(reader)
    queries.define_macros(reader)  # once per connection: a second call changes nothing
    first, second = reader.cursor(), reader.cursor()
    assert first.execute("select count(*) from macros.current_customers(1)").fetchone() == (2,)
    assert second.execute("select macros.segment_or_none(null)").fetchone() == ("(no segment)",)
    # The store itself stays untouched: still read-only, no table added.
    with pytest.raises(duckdb.Error):
        reader.cursor().execute("create table t (x int)")
    reader.close()


def test_customer_takings_sums_the_window(con: duckdb.DuckDBPyConnection) -> None:
    cur = con.cursor()
    cur.execute(
        """update invoices set cost = 4 where customer = 'A' and amount = 10;
        insert into invoices (workspace_id, date, customer, amount, cost) values
            (1, '2024-03-20', 'B', 5, 1.5),
            (1, '2024-01-01', 'B', 100, 50)   -- on the boundary: before the window"""
    )
    rows = cur.execute(
        "select * from macros.customer_takings(1, date '2024-01-01', date '2024-03-31') "
        "order by customer"
    ).fetchall()
    # A: 10 with cost 4 (its other lines are not countable). B: 20 (no cost) + 5 (cost 1.5);
    # its 30 on 1 April is after the as-of day.
    assert rows == [("A", 10.0, 4.0, 1), ("B", 25.0, 1.5, 1)]


def test_customer_time_cost_at_the_rate_of_the_role(con: duckdb.DuckDBPyConnection) -> None:
    cur = con.cursor()
    cur.execute(
        """insert into time_entries values
        (1, '2024-02-01', 'A', ' Technician', 2),
        (1, '2024-02-02', 'A', 'Sales', 1.5),
        (1, '2024-02-03', 'A', null, 1),
        (1, '2024-02-04', 'A', 'tech', -3),     -- negative: left out
        (1, '2024-02-05', null, 'tech', 4),     -- no customer: left out
        (1, '2024-01-01', 'B', 'admin', 8),     -- on the boundary: before the window
        (1, '2024-03-31', 'B', 'admin', 0.5),
        (2, '2024-02-01', 'A', 'tech', 9)       -- another workspace"""
    )
    rows = cur.execute(
        "select * from macros.customer_time_cost(1, date '2024-01-01', date '2024-03-31', "
        "60, 70, 40, 50) order by customer"
    ).fetchall()
    # A: 2 h tech at 60 + 1.5 h sales at 70 + 1 h without role at 50 = 120 + 105 + 50.
    # B: 0.5 h admin at 40.
    assert rows == [("A", 4.5, 275.0), ("B", 0.5, 20.0)]


def test_cash_lines_keep_open_and_recently_paid(con: duckdb.DuckDBPyConnection) -> None:
    cur = con.cursor()
    cur.execute(
        """update invoices set paid = '2023-04-01' where customer = 'A' and amount = 10;
        update invoices set paid = '2023-04-02' where customer = 'B' and amount = 20"""
    )
    rows = cur.execute(
        "select customer, amount, paid from macros.cash_lines(1, date '2024-03-31') order by amount"
    ).fetchall()
    # 365 days before 31 March 2024 is 1 April 2023: A's line paid that day is left out, B's
    # paid a day later kept; B's 30 of 1 April is after the as-of day.
    assert rows == [("B", 20, date(2023, 4, 2))]


def test_latest_reviews_from_the_last_session(con: duckdb.DuckDBPyConnection) -> None:
    cur = con.cursor()
    cur.execute(
        """insert into peer_sessions values (1, '2024-01-10'), (2, '2024-02-10');
        insert into peer_commitment_reviews values
            (7, 2, true, 'done late', '2024-01-01 09:00'),   -- the later session wins
            (7, 1, false, 'not yet', '2024-03-01 09:00'),
            (8, 1, false, 'first', '2024-01-10 09:00'),
            (8, 1, true, 'second', '2024-01-10 10:00')       -- same session: recorded last"""
    )
    rows = cur.execute("select * from macros.latest_reviews() order by commitment_id").fetchall()
    assert rows == [
        (7, 2, date(2024, 2, 10), True, "done late"),
        (8, 1, date(2024, 1, 10), True, "second"),
    ]


def test_query_row_gives_the_one_row_as_python_values(con: duckdb.DuckDBPyConnection) -> None:
    # Workspace 1 to 31 Mar 2024: A's line of 10 Jan and B's of 5 Mar count (A's line
    # without an amount, its line without a date and the line without a customer do not).
    assert queries.query_row(con, "niche_invoice_span", {"ws": 1, "as_of": date(2024, 3, 31)}) == {
        "first_date": date(2024, 1, 10),
        "last_date": date(2024, 3, 5),
        "lines": 2,
    }
    # A workspace without invoices: no dates (None, not NaT) and no lines.
    assert queries.query_row(con, "niche_invoice_span", {"ws": 9, "as_of": date(2024, 3, 31)}) == {
        "first_date": None,
        "last_date": None,
        "lines": 0,
    }


def test_a_statement_is_parsed_once_and_serves_every_thread(
    con: duckdb.DuckDBPyConnection,
) -> None:
    text = queries.sql("niche_invoice_span")
    assert queries.parsed(text) is queries.parsed(text)
    # Two threads run the one parsed statement at once, each for its own workspace and day:
    # each gets its own answer every time (workspace 1 to 1 Apr: 3 lines, B's last on 1 Apr;
    # workspace 2: C's one line of 10 Jan).
    wanted = {
        (1, date(2024, 4, 1)): (date(2024, 1, 10), date(2024, 4, 1), 3),
        (2, date(2024, 12, 31)): (date(2024, 1, 10), date(2024, 1, 10), 1),
    }
    wrong: list[tuple[int, date]] = []

    def run(ws: int, as_of: date) -> None:
        for _ in range(40):
            row = queries.query_row(con, "niche_invoice_span", {"ws": ws, "as_of": as_of})
            if tuple(row.values()) != wanted[(ws, as_of)]:
                wrong.append((ws, as_of))

    threads = [threading.Thread(target=run, args=key) for key in wanted]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
