"""Every shipped migration of the store, as literal SQL (analytics/schema.py re-exports them).

Frozen: a shipped migration is never edited (tests/test_migrations.py pins each one's
digest); add the next one at the end of MIGRATIONS."""

from __future__ import annotations

DEALS_CURRENT_SQL = """
CREATE OR REPLACE VIEW deals_current AS
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (
    PARTITION BY workspace_id, deal_id ORDER BY batch_id DESC, source_row DESC) AS rn
  FROM deals)
WHERE rn = 1
"""

# Customers as they stand now, as migrations 1 and 10 made the view and migration 11 the
# table (the live form, FACTS, follows ENTITIES; these do not).
_CUSTOMERS_CURRENT_V1 = """SELECT workspace_id, customer,
  arg_max(external_id, coalesce(batch_id, 0)) FILTER (WHERE external_id IS NOT NULL) AS external_id,
  arg_max(segment, coalesce(batch_id, 0)) FILTER (WHERE segment IS NOT NULL) AS segment,
  arg_max(region, coalesce(batch_id, 0)) FILTER (WHERE region IS NOT NULL) AS region,
  arg_max(size, coalesce(batch_id, 0)) FILTER (WHERE size IS NOT NULL) AS size,
  arg_max(channel, coalesce(batch_id, 0)) FILTER (WHERE channel IS NOT NULL) AS channel,
  arg_max(first_seen, coalesce(batch_id, 0)) FILTER (WHERE first_seen IS NOT NULL) AS first_seen,
  arg_max(renewal_date, coalesce(batch_id, 0)) FILTER (WHERE renewal_date IS NOT NULL) AS renewal_date,
  arg_max(status, coalesce(batch_id, 0)) FILTER (WHERE status IS NOT NULL) AS status,
  bool_and(auto) AS auto
FROM customers GROUP BY workspace_id, customer"""
_CUSTOMERS_CURRENT_VIEW_V1 = "CREATE OR REPLACE VIEW customers_current AS\n" + _CUSTOMERS_CURRENT_V1


# The first schema, as literal SQL (it was built from ENTITIES, so a field added to an entity
# changed what a new store got from migration 1; since issue 13 it is frozen as it stood then,
# which already held the customers' external id that migration 10 adds to older stores).
_MIGRATION_1 = [
    "CREATE SEQUENCE IF NOT EXISTS workspace_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS batch_ids START 1",
    """CREATE TABLE IF NOT EXISTS workspaces (
          id INTEGER PRIMARY KEY DEFAULT nextval('workspace_ids'),
          name VARCHAR NOT NULL UNIQUE,
          display_name VARCHAR,
          created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS batches (
          id INTEGER PRIMARY KEY DEFAULT nextval('batch_ids'),
          workspace_id INTEGER NOT NULL,
          entity VARCHAR NOT NULL,
          file_name VARCHAR NOT NULL,
          sha256 VARCHAR NOT NULL,
          rows_read INTEGER NOT NULL,
          rows_imported INTEGER NOT NULL,
          rows_rejected INTEGER NOT NULL,
          duplicates_skipped INTEGER NOT NULL,
          customers_created INTEGER NOT NULL DEFAULT 0,
          mapping VARCHAR,
          created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
          undone_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS rejects (
          batch_id INTEGER NOT NULL,
          row_number INTEGER NOT NULL,
          column_name VARCHAR,
          value VARCHAR,
          reason VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS mappings (
          workspace_id INTEGER NOT NULL,
          name VARCHAR NOT NULL,
          entity VARCHAR NOT NULL,
          mapping VARCHAR NOT NULL,
          headers VARCHAR NOT NULL,
          saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
          PRIMARY KEY (workspace_id, name))""",
    """CREATE TABLE IF NOT EXISTS settings (
          workspace_id INTEGER NOT NULL,
          key VARCHAR NOT NULL,
          value VARCHAR NOT NULL,
          saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
          PRIMARY KEY (workspace_id, key))""",
    """CREATE TABLE IF NOT EXISTS customers (
  workspace_id INTEGER NOT NULL,
  batch_id INTEGER,
  source_row INTEGER,
  customer VARCHAR,
  external_id VARCHAR,
  segment VARCHAR,
  region VARCHAR,
  size INTEGER,
  channel VARCHAR,
  first_seen DATE,
  renewal_date DATE,
  status VARCHAR,
  auto BOOLEAN DEFAULT FALSE,
  row_fp UHUGEINT,
  occurrence INTEGER
)""",
    """CREATE TABLE IF NOT EXISTS invoices (
  workspace_id INTEGER NOT NULL,
  batch_id INTEGER,
  source_row INTEGER,
  date DATE,
  customer VARCHAR,
  amount DECIMAL(18,4),
  invoice_no VARCHAR,
  product VARCHAR,
  recurring BOOLEAN,
  cost DECIMAL(18,4),
  row_fp UHUGEINT,
  occurrence INTEGER
)""",
    """CREATE TABLE IF NOT EXISTS deals (
  workspace_id INTEGER NOT NULL,
  batch_id INTEGER,
  source_row INTEGER,
  deal_id VARCHAR,
  status VARCHAR,
  customer VARCHAR,
  created DATE,
  closed DATE,
  value DECIMAL(18,4),
  list_value DECIMAL(18,4),
  owner VARCHAR,
  estimated_hours DOUBLE,
  presales_hours DOUBLE,
  source VARCHAR,
  stage VARCHAR,
  row_fp UHUGEINT,
  occurrence INTEGER
)""",
    """CREATE TABLE IF NOT EXISTS time_entries (
  workspace_id INTEGER NOT NULL,
  batch_id INTEGER,
  source_row INTEGER,
  date DATE,
  person VARCHAR,
  hours DOUBLE,
  customer VARCHAR,
  deal_id VARCHAR,
  role VARCHAR,
  billable BOOLEAN,
  category VARCHAR,
  row_fp UHUGEINT,
  occurrence INTEGER
)""",
    """CREATE TABLE IF NOT EXISTS activities (
  workspace_id INTEGER NOT NULL,
  batch_id INTEGER,
  source_row INTEGER,
  date DATE,
  type VARCHAR,
  person VARCHAR,
  customer VARCHAR,
  minutes DOUBLE,
  outcome VARCHAR,
  row_fp UHUGEINT,
  occurrence INTEGER
)""",
    """CREATE TABLE IF NOT EXISTS tickets (
  workspace_id INTEGER NOT NULL,
  batch_id INTEGER,
  source_row INTEGER,
  opened DATE,
  customer VARCHAR,
  type VARCHAR,
  severity VARCHAR,
  resolved DATE,
  hours DOUBLE,
  row_fp UHUGEINT,
  occurrence INTEGER
)""",
    _CUSTOMERS_CURRENT_VIEW_V1,
    DEALS_CURRENT_SQL,
]

# The same file may be imported as two entities (Superstore as invoices and as customers) or
# sheet by sheet: a batch is identified by content, entity and sheet, not content alone.
_MIGRATION_2 = ["ALTER TABLE batches ADD COLUMN sheet VARCHAR"]

# Hard reset: checklist runs (answers are an append-only log, so two sessions editing one
# run never overwrite each other), owner-made templates and items, goals, season records.
_MIGRATION_3 = [
    "CREATE SEQUENCE IF NOT EXISTS checklist_run_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS checklist_answer_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS goal_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS goal_step_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS season_ids START 1",
    """CREATE TABLE IF NOT EXISTS checklist_templates (
      workspace_id INTEGER NOT NULL,
      template_id VARCHAR NOT NULL,
      title VARCHAR NOT NULL,
      purpose VARCHAR NOT NULL DEFAULT '',
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (workspace_id, template_id))""",
    """CREATE TABLE IF NOT EXISTS checklist_custom_items (
      workspace_id INTEGER NOT NULL,
      template_id VARCHAR NOT NULL,
      item_id VARCHAR NOT NULL,
      section VARCHAR NOT NULL DEFAULT '',
      prompt VARCHAR NOT NULL,
      help VARCHAR NOT NULL DEFAULT '',
      kind VARCHAR NOT NULL DEFAULT 'question',
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (workspace_id, template_id, item_id))""",
    """CREATE TABLE IF NOT EXISTS checklist_runs (
      id INTEGER PRIMARY KEY DEFAULT nextval('checklist_run_ids'),
      workspace_id INTEGER NOT NULL,
      template_id VARCHAR NOT NULL,
      started_on DATE NOT NULL,
      started_by VARCHAR NOT NULL DEFAULT '',
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      closed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS checklist_answers (
      id BIGINT PRIMARY KEY DEFAULT nextval('checklist_answer_ids'),
      workspace_id INTEGER NOT NULL,
      run_id INTEGER NOT NULL,
      item_id VARCHAR NOT NULL,
      status VARCHAR NOT NULL,
      note VARCHAR NOT NULL DEFAULT '',
      owner VARCHAR NOT NULL DEFAULT '',
      due DATE,
      changed_by VARCHAR NOT NULL DEFAULT '',
      changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS goals (
      id INTEGER PRIMARY KEY DEFAULT nextval('goal_ids'),
      workspace_id INTEGER NOT NULL,
      title VARCHAR NOT NULL,
      target_date DATE NOT NULL,
      owner VARCHAR NOT NULL DEFAULT '',
      source_run_id INTEGER,
      source_item_id VARCHAR,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS goal_steps (
      id INTEGER PRIMARY KEY DEFAULT nextval('goal_step_ids'),
      workspace_id INTEGER NOT NULL,
      goal_id INTEGER NOT NULL,
      kind VARCHAR NOT NULL,
      title VARCHAR NOT NULL,
      due DATE NOT NULL,
      done_on DATE,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS seasons (
      id INTEGER PRIMARY KEY DEFAULT nextval('season_ids'),
      workspace_id INTEGER NOT NULL,
      started_on DATE,
      ended_on DATE NOT NULL,
      figures VARCHAR NOT NULL,
      closed_by VARCHAR NOT NULL DEFAULT '',
      closed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
]

# Computed indicator results, kept per data version so a new session or a restart reads the
# Scoreboard instead of recomputing it (see analytics/indicators/stored.py).
_MIGRATION_4 = [
    """CREATE TABLE IF NOT EXISTS indicator_results (
      workspace_id INTEGER NOT NULL,
      as_of_key VARCHAR NOT NULL,
      indicator_id VARCHAR NOT NULL,
      version VARCHAR NOT NULL,
      payload VARCHAR NOT NULL,
      computed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (workspace_id, as_of_key, indicator_id))""",
]

# Sharing: snapshot links (the token is kept only as a hash), peer groups with their members,
# published KPI cards (one row per figure, so medians and quartiles are SQL), review sessions
# with commitments (reviews are appended, never overwritten), and workspace passphrases.
_MIGRATION_5 = [
    "CREATE SEQUENCE IF NOT EXISTS snapshot_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS peer_group_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS peer_card_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS peer_session_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS peer_commitment_ids START 1",
    """CREATE TABLE IF NOT EXISTS snapshots (
      id INTEGER PRIMARY KEY DEFAULT nextval('snapshot_ids'),
      workspace_id INTEGER NOT NULL,
      token_hash VARCHAR NOT NULL UNIQUE,
      page VARCHAR NOT NULL,
      title VARCHAR NOT NULL,
      shown_name VARCHAR NOT NULL,
      author VARCHAR NOT NULL DEFAULT '',
      as_of DATE,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      expires_at TIMESTAMP,
      revoked_at TIMESTAMP,
      payload VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS peer_groups (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_group_ids'),
      name VARCHAR NOT NULL UNIQUE,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS peer_members (
      group_id INTEGER NOT NULL,
      member_key VARCHAR NOT NULL,
      workspace_id INTEGER,
      name VARCHAR NOT NULL DEFAULT '',
      show_name BOOLEAN NOT NULL DEFAULT false,
      share_amounts BOOLEAN NOT NULL DEFAULT false,
      published_ids VARCHAR NOT NULL DEFAULT '[]',
      reset_item VARCHAR NOT NULL DEFAULT '',
      joined_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (group_id, member_key))""",
    """CREATE TABLE IF NOT EXISTS peer_cards (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_card_ids'),
      group_id INTEGER NOT NULL,
      member_key VARCHAR NOT NULL,
      published_at TIMESTAMP NOT NULL,
      as_of DATE,
      source VARCHAR NOT NULL DEFAULT 'here',
      card VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS peer_card_values (
      card_id INTEGER NOT NULL,
      indicator_id VARCHAR NOT NULL,
      unit VARCHAR NOT NULL,
      value DOUBLE,
      status VARCHAR NOT NULL,
      PRIMARY KEY (card_id, indicator_id))""",
    """CREATE TABLE IF NOT EXISTS peer_sessions (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_session_ids'),
      group_id INTEGER NOT NULL,
      held_on DATE NOT NULL,
      minutes_per_item INTEGER NOT NULL DEFAULT 5,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      closed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS peer_commitments (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_commitment_ids'),
      session_id INTEGER NOT NULL,
      member_key VARCHAR NOT NULL,
      owner VARCHAR NOT NULL,
      text VARCHAR NOT NULL,
      due DATE NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS peer_commitment_reviews (
      commitment_id INTEGER NOT NULL,
      session_id INTEGER NOT NULL,
      done BOOLEAN NOT NULL,
      note VARCHAR NOT NULL DEFAULT '',
      reviewed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS workspace_passphrases (
      workspace_id INTEGER PRIMARY KEY,
      salt BLOB NOT NULL,
      hash BLOB NOT NULL,
      n INTEGER NOT NULL,
      r INTEGER NOT NULL,
      p INTEGER NOT NULL,
      set_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
]

# The snapshot token sealed with a key kept beside the store, so the owner can copy a link
# again later while the store itself holds only the token's hash.
_MIGRATION_6 = ["ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS token_sealed VARCHAR"]

# Shared servers that keep businesses apart: the admin secret (one scrypt-hashed row),
# invitation codes (only their SHA-256 is kept; single-use, expiring, revocable; made by a
# workspace or, with no workspace, by the admin) and the server-wide count of wrong tries
# per target (epoch seconds, so a test can drive the clock). Group names stop being unique
# across the server, so creating a group never tells a non-member that a name is taken.
_MIGRATION_7 = [
    """CREATE TABLE IF NOT EXISTS admin_passphrase (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      salt BLOB NOT NULL,
      hash BLOB NOT NULL,
      n INTEGER NOT NULL,
      r INTEGER NOT NULL,
      p INTEGER NOT NULL,
      set_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    "CREATE SEQUENCE IF NOT EXISTS invitation_ids START 1",
    """CREATE TABLE IF NOT EXISTS invitations (
      id INTEGER PRIMARY KEY DEFAULT nextval('invitation_ids'),
      code_hash VARCHAR NOT NULL UNIQUE,
      kind VARCHAR NOT NULL,
      group_id INTEGER,
      workspace_id INTEGER,
      note VARCHAR NOT NULL DEFAULT '',
      created_at TIMESTAMP NOT NULL,
      expires_at TIMESTAMP NOT NULL,
      used_at TIMESTAMP,
      used_by INTEGER,
      revoked_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS access_attempts (
      key VARCHAR PRIMARY KEY,
      failures INTEGER NOT NULL,
      last_try DOUBLE NOT NULL,
      wait_until DOUBLE NOT NULL)""",
    """CREATE TABLE peer_groups_v7 (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_group_ids'),
      name VARCHAR NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    "INSERT INTO peer_groups_v7 SELECT id, name, created_at FROM peer_groups",
    "DROP TABLE peer_groups",
    "ALTER TABLE peer_groups_v7 RENAME TO peer_groups",
]

# Snapshot tokens derived from the key beside the store and a random salt per link (HMAC),
# instead of sealed: only the salt and the token's hash are kept. Links made before keep
# their hash, so they still open; their sealed copies go, so they cannot be copied again.
_MIGRATION_8 = [
    "ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS token_salt BLOB",
    "ALTER TABLE snapshots DROP COLUMN IF EXISTS token_sealed",
]

# The change count (one row) that lets an open notice changes lost with a damaged write-ahead
# log, and the notices the store keeps for its owner until they are read.
_MIGRATION_9 = [
    """CREATE TABLE IF NOT EXISTS store_journal (
      seq BIGINT NOT NULL,
      changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    "INSERT INTO store_journal (seq) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM store_journal)",
    "CREATE SEQUENCE IF NOT EXISTS store_notice_ids START 1",
    """CREATE TABLE IF NOT EXISTS store_notices (
      id INTEGER PRIMARY KEY DEFAULT nextval('store_notice_ids'),
      kind VARCHAR NOT NULL,
      message VARCHAR NOT NULL,
      noticed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      dismissed_at TIMESTAMP)""",
]


# Honest numbers on mixed exports. Customers carry an external id (a CRM's account id) that
# other files' customer columns resolve through; `people` is the name list that resolves
# owner and person ids (a CRM's users). Rows that fail a sanity check at import are kept and
# listed in `row_checks` (one row per row and check; see analytics/importer/checks.py). The
# customers' fingerprints are recomputed with the new field, so a file imported before the
# upgrade still matches its rows.
def _md5_of(*fields: str) -> str:
    """The fingerprint over literal field names (analytics/importer/fingerprint.py)."""
    parts = ", ".join(f"coalesce(CAST({f} AS VARCHAR), chr(30))" for f in fields)
    return f"md5_number(concat_ws(chr(31), {parts}))"


_CUSTOMER_FIELDS_V10 = (
    "customer",
    "external_id",
    "segment",
    "region",
    "size",
    "channel",
    "first_seen",
    "renewal_date",
    "status",
)
_MIGRATION_10 = [
    "ALTER TABLE customers ADD COLUMN IF NOT EXISTS external_id VARCHAR",
    f"UPDATE customers SET row_fp = {_md5_of(*_CUSTOMER_FIELDS_V10)} WHERE NOT auto",
    _CUSTOMERS_CURRENT_VIEW_V1,
    """CREATE TABLE IF NOT EXISTS people (
  workspace_id INTEGER NOT NULL,
  batch_id INTEGER,
  source_row INTEGER,
  person_id VARCHAR,
  name VARCHAR,
  first_name VARCHAR,
  last_name VARCHAR,
  row_fp UHUGEINT,
  occurrence INTEGER
)""",
    """CREATE TABLE IF NOT EXISTS row_checks (
      workspace_id INTEGER NOT NULL,
      batch_id INTEGER NOT NULL,
      entity VARCHAR NOT NULL,
      source_row INTEGER NOT NULL,
      check_id VARCHAR NOT NULL,
      detail VARCHAR)""",
]

# Customers and deals as they stand now become tables instead of views (FACTS): the views
# were recomputed by every query that read them (the deals numbered on each one), a dozen
# times per Scoreboard. Every write to a workspace's data refreshes them in its transaction.
_MIGRATION_11 = [
    "DROP VIEW IF EXISTS customers_current",
    "DROP VIEW IF EXISTS deals_current",
    f"CREATE TABLE customers_current AS {_CUSTOMERS_CURRENT_V1}",
    "CREATE TABLE deals_current AS " + DEALS_CURRENT_SQL.split(" AS", 1)[1],
]

# Fingerprints of identity fields (FINGERPRINT_VERSION 1 in analytics/importer/fingerprint.py),
# pinned per entity instead of read from ENTITIES, so a field added later never changes them.
# Version 1 is the fields every stored fingerprint was made with, so on a store written by
# Opening Day no number changes; any row whose fingerprint was made otherwise is brought to
# it, and a re-import of its file recognises it. Rows without one (customers created because
# another file named them) keep none. `occurrence` (the nth identical line of the file a row
# came from) is left as it is: the store cannot recount it, and it holds while fingerprints do.
_IDENTITY_V1: dict[str, tuple[str, ...]] = {
    "customers": _CUSTOMER_FIELDS_V10,
    "invoices": ("date", "customer", "amount", "invoice_no", "product", "recurring", "cost"),
    "deals": (
        "deal_id",
        "status",
        "customer",
        "created",
        "closed",
        "value",
        "list_value",
        "owner",
        "estimated_hours",
        "presales_hours",
        "source",
        "stage",
    ),
    "time_entries": (
        "date",
        "person",
        "hours",
        "customer",
        "deal_id",
        "role",
        "billable",
        "category",
    ),
    "activities": ("date", "type", "person", "customer", "minutes", "outcome"),
    "tickets": ("opened", "customer", "type", "severity", "resolved", "hours"),
    "people": ("person_id", "name", "first_name", "last_name"),
}
_MIGRATION_12 = [
    f"UPDATE {table} SET row_fp = {_md5_of(*fields)} "
    f"WHERE row_fp IS NOT NULL AND row_fp <> {_md5_of(*fields)}"
    for table, fields in _IDENTITY_V1.items()
]

# Hard reset you can live in: own items get an order, indicators and a soft delete; own
# templates an archive date (runs stay readable); a rhythm per template; every edit to a
# template, item, goal or step is a dated revision with who made it; templates shared with a
# peer group (as their TOML file); the last "who" per workspace.
_MIGRATION_13 = [
    "ALTER TABLE checklist_templates ADD COLUMN IF NOT EXISTS archived_at TIMESTAMP",
    "ALTER TABLE checklist_custom_items ADD COLUMN IF NOT EXISTS position INTEGER",
    "ALTER TABLE checklist_custom_items ADD COLUMN IF NOT EXISTS indicators VARCHAR DEFAULT ''",
    "ALTER TABLE checklist_custom_items ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMP",
    "ALTER TABLE goal_steps ADD COLUMN IF NOT EXISTS position INTEGER",
    "CREATE SEQUENCE IF NOT EXISTS checklist_edit_ids START 1",
    """CREATE TABLE IF NOT EXISTS checklist_edits (
      id BIGINT PRIMARY KEY DEFAULT nextval('checklist_edit_ids'),
      workspace_id INTEGER NOT NULL,
      subject VARCHAR NOT NULL,
      subject_id VARCHAR NOT NULL,
      what VARCHAR NOT NULL,
      old_value VARCHAR NOT NULL DEFAULT '',
      new_value VARCHAR NOT NULL DEFAULT '',
      changed_by VARCHAR NOT NULL DEFAULT '',
      changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS checklist_rhythms (
      workspace_id INTEGER NOT NULL,
      template_id VARCHAR NOT NULL,
      repeat VARCHAR NOT NULL,
      PRIMARY KEY (workspace_id, template_id))""",
    "CREATE SEQUENCE IF NOT EXISTS checklist_shared_ids START 1",
    """CREATE TABLE IF NOT EXISTS checklist_shared (
      id INTEGER PRIMARY KEY DEFAULT nextval('checklist_shared_ids'),
      group_id INTEGER NOT NULL,
      workspace_id INTEGER NOT NULL,
      template_id VARCHAR NOT NULL,
      title VARCHAR NOT NULL,
      toml VARCHAR NOT NULL,
      shared_by VARCHAR NOT NULL DEFAULT '',
      shared_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS checklist_last_who (
      workspace_id INTEGER PRIMARY KEY,
      name VARCHAR NOT NULL,
      chosen_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
]

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

# Review packs: one row per pack made (what it held, the file's digest), so the next pack
# can compare from the day of the last one.
_MIGRATION_16 = [
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

# Each migration runs once, in order, in one transaction; never edit a shipped one.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, _MIGRATION_1),
    (2, _MIGRATION_2),
    (3, _MIGRATION_3),
    (4, _MIGRATION_4),
    (5, _MIGRATION_5),
    (6, _MIGRATION_6),
    (7, _MIGRATION_7),
    (8, _MIGRATION_8),
    (9, _MIGRATION_9),
    (10, _MIGRATION_10),
    (11, _MIGRATION_11),
    (12, _MIGRATION_12),
    (13, _MIGRATION_13),
    (14, _MIGRATION_14),
    (16, _MIGRATION_16),
]
SCHEMA_VERSION = max(v for v, _ in MIGRATIONS)
