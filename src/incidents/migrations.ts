// The schema, one migration list per database, side by side: the same tables and columns; SQLite
// keeps times as milliseconds and JSON as text, PostgreSQL as timestamptz and jsonb. A new
// migration goes into both lists with the same version.

export const SQLITE_MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        tenant_id TEXT,
        activity_id TEXT,
        service_url TEXT,
        reporter TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        verdict TEXT NOT NULL,
        entry_ids TEXT NOT NULL,
        repeat_key TEXT NOT NULL,
        app_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('open', 'resolved', 'escalated')),
        version INTEGER NOT NULL,
        repeat_count INTEGER NOT NULL DEFAULT 0,
        escalations INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        resolved_at INTEGER,
        resolved_by TEXT,
        escalated_at INTEGER,
        escalated_by TEXT,
        escalation_note TEXT
      );
      CREATE INDEX incidents_repeat ON incidents (conversation_id, repeat_key, state);
      CREATE INDEX incidents_created ON incidents (created_at);
      CREATE INDEX incidents_updated ON incidents (updated_at);
      CREATE TABLE incident_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT,
        detail TEXT
      );
      CREATE INDEX incident_events_incident ON incident_events (incident_id, seq);
      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        escalation_seq INTEGER NOT NULL,
        target TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead-lettered')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
      CREATE INDEX outbox_incident ON outbox (incident_id, escalation_seq);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    // Alerts (issue 13): an incident opened by an alert, the alerts it holds, and leases with a
    // cursor for the Defender for Cloud Apps poller (one instance polls at a time).
    version: 2,
    sql: `
      ALTER TABLE incidents ADD COLUMN origin TEXT NOT NULL DEFAULT 'chat';
      CREATE INDEX incidents_alert_key ON incidents (origin, repeat_key, state);
      CREATE TABLE alert_sources (
        source_key TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        source TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        cleared_at INTEGER
      );
      CREATE INDEX alert_sources_incident ON alert_sources (incident_id);
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT,
        lease_until INTEGER,
        cursor TEXT
      );
    `,
  },
  {
    // A card the bot could not post after all (Teams refused it): its incident is withdrawn, kept
    // with its audit trail but counted nowhere and never repeated on.
    version: 3,
    sql: `ALTER TABLE incidents ADD COLUMN withdrawn_at INTEGER;`,
  },
];

export const POSTGRES_MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id text PRIMARY KEY,
        conversation_id text NOT NULL,
        tenant_id text,
        activity_id text,
        service_url text,
        reporter jsonb NOT NULL,
        excerpt text NOT NULL,
        verdict text NOT NULL,
        entry_ids jsonb NOT NULL,
        repeat_key text NOT NULL,
        app_id text,
        state text NOT NULL CHECK (state IN ('open', 'resolved', 'escalated')),
        version integer NOT NULL,
        repeat_count integer NOT NULL DEFAULT 0,
        escalations integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        resolved_at timestamptz,
        resolved_by jsonb,
        escalated_at timestamptz,
        escalated_by jsonb,
        escalation_note text
      );
      CREATE INDEX incidents_repeat ON incidents (conversation_id, repeat_key, state);
      CREATE INDEX incidents_created ON incidents (created_at);
      CREATE INDEX incidents_updated ON incidents (updated_at);
      CREATE TABLE incident_events (
        seq bigserial PRIMARY KEY,
        incident_id text NOT NULL,
        kind text NOT NULL,
        at timestamptz NOT NULL,
        actor jsonb,
        detail text
      );
      CREATE INDEX incident_events_incident ON incident_events (incident_id, seq);
      CREATE TABLE outbox (
        id text PRIMARY KEY,
        incident_id text NOT NULL,
        escalation_seq integer NOT NULL,
        target text NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        payload jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead-lettered')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL,
        finished_at timestamptz
      );
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
      CREATE INDEX outbox_incident ON outbox (incident_id, escalation_seq);
      CREATE TABLE settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 2,
    sql: `
      ALTER TABLE incidents ADD COLUMN origin text NOT NULL DEFAULT 'chat';
      CREATE INDEX incidents_alert_key ON incidents (origin, repeat_key, state);
      CREATE TABLE alert_sources (
        source_key text PRIMARY KEY,
        incident_id text NOT NULL,
        source text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        cleared_at timestamptz
      );
      CREATE INDEX alert_sources_incident ON alert_sources (incident_id);
      CREATE TABLE leases (
        name text PRIMARY KEY,
        holder text,
        lease_until timestamptz,
        cursor jsonb
      );
    `,
  },
  {
    version: 3,
    sql: `ALTER TABLE incidents ADD COLUMN withdrawn_at timestamptz;`,
  },
];
