// A private PostgreSQL database per test run (random name, dropped after), and a fresh schema
// per test inside it, so parallel runs and parallel test files never see each other's rows.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The server test/setup/postgres.ts found or started: trust auth on loopback, database `test`. */
export const ADMIN_URL = inject('testDatabaseUrl');

export interface PgRun {
  /** A URL for a new empty schema in this run's database. */
  freshSchemaUrl(): Promise<string>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string, search?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (search) u.searchParams.set('options', `-c search_path=${search}`);
  return u.toString();
}

export async function createPgRun(): Promise<PgRun> {
  const database = `cd_incidents_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const runUrl = withDatabase(ADMIN_URL, database);
  return {
    async freshSchemaUrl() {
      const schema = `s_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: runUrl });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await client.end();
      }
      return withDatabase(ADMIN_URL, database, schema);
    },
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
