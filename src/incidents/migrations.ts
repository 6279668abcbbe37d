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
];
