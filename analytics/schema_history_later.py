"""Shipped migrations from 14 on, as literal SQL (analytics/schema_history.py holds 1–13 and
lists these after them).

Frozen like those: a shipped migration is never edited (tests/test_migrations.py pins each
one's digest); add the next one at the end of LATER."""

from __future__ import annotations

# Notes on the timeline (analytics/notes.py): a dated event of the business, kept when removed
# (undo), and each edit's previous version in notes_history.
_MIGRATION_14 = [
    "CREATE SEQUENCE IF NOT EXISTS note_ids START 1",
    """CREATE TABLE IF NOT EXISTS notes (
      id INTEGER PRIMARY KEY DEFAULT nextval('note_ids'),
      workspace_id INTEGER NOT NULL,
      day DATE NOT NULL,
      until_day DATE,
      concerns VARCHAR,
      text VARCHAR NOT NULL,
      author VARCHAR NOT NULL DEFAULT '',
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      updated_at TIMESTAMP,
      removed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS notes_history (
      note_id INTEGER NOT NULL,
      workspace_id INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      day DATE NOT NULL,
      until_day DATE,
      concerns VARCHAR,
      text VARCHAR NOT NULL,
      saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (note_id, revision))""",
]

# Summaries several figures share, kept like customers_current and deals_current (FACTS):
# invoice lines per customer-day, activities per week (undated ones too), type and whether to a non-customer,
# time per week and category and per week and person, hours per deal-day, and one row per deal with its hours (after
# deal_hours, which it reads). Filled here for every workspace; each
# write to a workspace's rows refreshes that workspace's.
_MIGRATION_15 = [
    """CREATE TABLE invoice_days AS
SELECT workspace_id, customer, date, sum(amount) AS amount, count(*) AS lines
FROM invoices WHERE date IS NOT NULL AND amount IS NOT NULL
GROUP BY workspace_id, customer, date""",
    """CREATE TABLE activity_weeks AS
SELECT a.workspace_id, date_trunc('week', a.date)::date AS week_start, a.type,
  a.customer IS NOT NULL AND (f.first_invoiced IS NULL OR f.first_invoiced > a.date)
    AS to_non_customer,
  sum(a.minutes) AS minutes, count(*) - count(a.minutes) AS minutes_missing,
  count(*) AS activities
FROM (SELECT workspace_id, date, type, customer, minutes
  FROM activities) AS a
LEFT JOIN (SELECT workspace_id, customer, min(date) AS first_invoiced
  FROM invoices GROUP BY workspace_id, customer) AS f
  ON a.workspace_id = f.workspace_id AND a.customer = f.customer
GROUP BY ALL""",
    """CREATE TABLE category_weeks AS
SELECT workspace_id, date_trunc('week', date)::date AS week_start, category,
  sum(hours) FILTER (WHERE hours >= 0) AS hours, count(*) AS entries
FROM time_entries WHERE date IS NOT NULL
GROUP BY ALL""",
    """CREATE TABLE person_weeks AS
SELECT workspace_id, person, date_trunc('week', date)::date AS week_start,
  sum(hours) FILTER (WHERE hours >= 0) AS hours
FROM time_entries WHERE person IS NOT NULL AND date IS NOT NULL
GROUP BY ALL""",
    """CREATE TABLE deal_hours AS
SELECT workspace_id, deal_id, date,
  coalesce(lower(category) LIKE '%pre%sal%', false) AS presales,
  sum(hours) FILTER (WHERE hours >= 0) AS hours, count(hours) AS entries
FROM time_entries WHERE deal_id IS NOT NULL
GROUP BY ALL""",
    """CREATE TABLE deal_facts AS
SELECT d.workspace_id, d.deal_id,
  coalesce(nullif(trim(d.owner), ''), '(no salesperson)') AS owner,
  d.customer, d.status, d.created, d.closed,
  d.value::double AS value, d.list_value::double AS list_value,
  d.estimated_hours, d.presales_hours,
  h.presales_logged, h.actual_hours, h.last_logged, h.before_close, h.last_day
FROM (SELECT * FROM deals_current) AS d
LEFT JOIN (
  SELECT t.workspace_id, t.deal_id,
    sum(t.hours) FILTER (WHERE t.presales) AS presales_logged,
    sum(t.hours) FILTER (WHERE NOT t.presales) AS actual_hours,
    max(t.date) FILTER (WHERE NOT t.presales) AS last_logged,
    sum(t.hours) FILTER (WHERE NOT t.presales AND t.date <= c.closed) AS before_close,
    max(t.date) AS last_day
  FROM (SELECT * FROM deal_hours WHERE hours IS NOT NULL AND date IS NOT NULL) AS t
  LEFT JOIN (SELECT workspace_id, deal_id, closed FROM deals_current) AS c
    ON t.workspace_id = c.workspace_id AND t.deal_id = c.deal_id
  GROUP BY t.workspace_id, t.deal_id) AS h
  ON d.workspace_id = h.workspace_id AND d.deal_id = h.deal_id""",
]


# The business's issues list (figures, checklist items, typed topics) that review sessions
# work in order; a solved item links to the commitment it became. Every change is a revision
# (who, when, in which session), and the latest one can be undone.
_MIGRATION_16 = [
    "CREATE SEQUENCE IF NOT EXISTS issue_ids START 1",
    """CREATE TABLE IF NOT EXISTS issues (
      id INTEGER PRIMARY KEY,
      workspace_id INTEGER NOT NULL,
      title VARCHAR NOT NULL,
      raised_by VARCHAR NOT NULL DEFAULT '',
      priority INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 3),
      position INTEGER NOT NULL,
      state VARCHAR NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'discussing', 'solved', 'dropped')),
      source_kind VARCHAR NOT NULL DEFAULT 'typed'
        CHECK (source_kind IN ('indicator', 'checklist', 'typed')),
      source_id VARCHAR NOT NULL DEFAULT '',
      source_note VARCHAR NOT NULL DEFAULT '',
      raised_session_id INTEGER,
      raised_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      closed_session_id INTEGER,
      closed_at TIMESTAMP,
      commitment_id INTEGER,
      deleted_at TIMESTAMP)""",
    "CREATE SEQUENCE IF NOT EXISTS issue_revision_ids START 1",
    """CREATE TABLE IF NOT EXISTS issue_revisions (
      id BIGINT PRIMARY KEY DEFAULT nextval('issue_revision_ids'),
      workspace_id INTEGER NOT NULL,
      issue_id INTEGER NOT NULL,
      session_id INTEGER,
      what VARCHAR NOT NULL,
      old_value VARCHAR NOT NULL DEFAULT '',
      new_value VARCHAR NOT NULL DEFAULT '',
      changed_by VARCHAR NOT NULL DEFAULT '',
      changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      undone_at TIMESTAMP,
      undone_by VARCHAR)""",
]

# Review packs: one row per pack made (what it held, the file's digest), so the next pack
# can compare from the day of the last one.
_MIGRATION_17 = [
    "CREATE SEQUENCE IF NOT EXISTS pack_ids START 1",
    """CREATE TABLE IF NOT EXISTS packs (
      id INTEGER PRIMARY KEY DEFAULT nextval('pack_ids'),
      workspace_id INTEGER NOT NULL,
      made_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      as_of DATE NOT NULL,
      since DATE NOT NULL,
      pages VARCHAR NOT NULL,
      format VARCHAR NOT NULL,
      sha256 VARCHAR NOT NULL)""",
]

# Scorecard goals that change with the season (analytics/period_goals.py): per measurable, a
# goal for a run of months of every year (one month, or a named season such as Oct–Dec),
# kept when removed, and every change as a revision (who, when, old and new).
_MIGRATION_18 = [
    "CREATE SEQUENCE IF NOT EXISTS period_goal_ids START 1",
    """CREATE TABLE IF NOT EXISTS period_goals (
      id INTEGER PRIMARY KEY DEFAULT nextval('period_goal_ids'),
      workspace_id INTEGER NOT NULL,
      measurable VARCHAR NOT NULL,
      name VARCHAR NOT NULL DEFAULT '',
      from_month INTEGER NOT NULL CHECK (from_month BETWEEN 1 AND 12),
      to_month INTEGER NOT NULL CHECK (to_month BETWEEN 1 AND 12),
      goal DOUBLE NOT NULL CHECK (goal >= 0),
      removed_at TIMESTAMP)""",
    "CREATE SEQUENCE IF NOT EXISTS period_goal_revision_ids START 1",
    """CREATE TABLE IF NOT EXISTS period_goal_revisions (
      id BIGINT PRIMARY KEY DEFAULT nextval('period_goal_revision_ids'),
      workspace_id INTEGER NOT NULL,
      period_goal_id INTEGER NOT NULL,
      what VARCHAR NOT NULL CHECK (what IN ('added', 'edited', 'removed')),
      old_value VARCHAR NOT NULL DEFAULT '',
      new_value VARCHAR NOT NULL DEFAULT '',
      changed_by VARCHAR NOT NULL DEFAULT '',
      changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
]

# Invoices' due and paid dates (optional fields; not part of the row fingerprint, so an
# export imported before them is still recognised): what the cash calendar reads.
_MIGRATION_19 = [
    "ALTER TABLE invoices ADD COLUMN IF NOT EXISTS due DATE",
    "ALTER TABLE invoices ADD COLUMN IF NOT EXISTS paid DATE",
]

# Rows that fill in after they first appear in an export: an invoice gets paid, a ticket
# resolved. Fingerprint version 2 (analytics/importer/fingerprint.py): a ticket is the same
# ticket by when it was opened, for whom, its type and severity, so next month's export of a
# ticket now resolved is that ticket, not a second one (version 1 counted its resolved day and
# hours as identity). Stored tickets get the new fingerprint, renumbered in the order they
# were imported. An import that brings such a row with a later field filled in or changed
# (invoices: due, paid; tickets: resolved, hours) updates the stored row and keeps the value
# it replaced in row_updates, so undoing that import puts it back.
_TICKET_IDENTITY_V2 = ("opened", "customer", "type", "severity")
_MIGRATION_20 = [
    """CREATE TABLE IF NOT EXISTS row_updates (
      workspace_id INTEGER NOT NULL,
      batch_id INTEGER NOT NULL,
      entity VARCHAR NOT NULL,
      row_fp UHUGEINT NOT NULL,
      occurrence INTEGER NOT NULL,
      field VARCHAR NOT NULL,
      old_value VARCHAR,
      new_value VARCHAR NOT NULL)""",
    "UPDATE tickets SET row_fp = md5_number(concat_ws(chr(31), "
    "coalesce(CAST(opened AS VARCHAR), chr(30)), coalesce(CAST(customer AS VARCHAR), chr(30)), "
    "coalesce(CAST(type AS VARCHAR), chr(30)), coalesce(CAST(severity AS VARCHAR), chr(30)))) "
    "WHERE row_fp IS NOT NULL",
    """UPDATE tickets SET occurrence = n.occurrence
FROM (SELECT rowid AS rid, row_number() OVER (
        PARTITION BY workspace_id, row_fp ORDER BY batch_id, source_row, rowid) AS occurrence
      FROM tickets WHERE row_fp IS NOT NULL) AS n
WHERE tickets.rowid = n.rid""",
]

# The deals' facts kept in the order the discount figure's table shows them (salesperson,
# close day, deal id): its query then reads them in that order without sorting them again
# (DuckDB keeps a table's order in a query without ORDER BY; sorting the year's won deals
# took a quarter of that query's time). The refresh inserts them in that order too
# (analytics/schema.py).
_MIGRATION_21 = [
    "CREATE OR REPLACE TABLE deal_facts AS "
    "SELECT * FROM deal_facts ORDER BY workspace_id, owner, closed, deal_id",
]

# A figure's whole result (details with their types, and its frame) beside the Scoreboard's
# row, as bytes (analytics/indicators/whole.py): an area page's first visit after a restart
# reads its figures instead of computing them (analytics/indicators/stored.py, area_results).
_MIGRATION_22 = [
    "ALTER TABLE indicator_results ADD COLUMN IF NOT EXISTS whole BLOB",
]

LATER: list[tuple[int, list[str]]] = [
    (14, _MIGRATION_14),
    (15, _MIGRATION_15),
    (16, _MIGRATION_16),
    (17, _MIGRATION_17),
    (18, _MIGRATION_18),
    (19, _MIGRATION_19),
    (20, _MIGRATION_20),
    (21, _MIGRATION_21),
    (22, _MIGRATION_22),
]
