// Starts a real orgd process on a fresh database for one test file and stops it afterwards.
// The binary is ORGD_BIN (default: ../../build/orgd). Engines: "sqlite" always, "postgres" when
// ORGD_TEST_POSTGRES_URL is set (a fresh database is created on that server for each start).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = process.env.ORGD_BIN ?? path.resolve(here, '../../build/orgd');

export const engines = () =>
  process.env.ORGD_TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export const adminId = 'sdk-admin';
export const adminSecret = 'sdk-admin-secret-0123456789abcdef';

function freshPostgres() {
  const base = new URL(process.env.ORGD_TEST_POSTGRES_URL);
  const name = `orgd_sdk_${randomBytes(6).toString('hex')}`;
  execFileSync('psql', [base.href, '-q', '-c', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  const url = new URL(base.href);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () => {
      try {
        execFileSync('psql', [base.href, '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' });
      } catch {
        // best effort: the cluster is thrown away after the run anyway
      }
    },
  };
}

// Starts orgd and resolves to { url, engine, stop() } once it listens.
export async function startOrgd(engine = 'sqlite') {
  let database;
  let cleanup;
  if (engine === 'postgres') {
    const pg = freshPostgres();
    database = pg.url;
    cleanup = pg.drop;
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'orgd-sdk-'));
    database = `sqlite://${path.join(dir, 'orgd.db')}`;
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  }
  const child = spawn(
    binary,
    ['serve', '--listen', '127.0.0.1:0', '--database', database, '--no-request-log'],
    {
      env: {
        ...process.env,
        ORGD_BOOTSTRAP_CLIENT_ID: adminId,
        ORGD_BOOTSTRAP_CLIENT_SECRET: adminSecret,
        // Each start has a fresh database, so a fresh key-encryption key (PostgreSQL needs one).
        ORGD_KEK: randomBytes(32).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`orgd did not start:\n${stderr}`)), 20000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/orgd listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`orgd exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    engine,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      cleanup();
    },
  };
}
