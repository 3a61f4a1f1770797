// One hostile-input session against a real serve-mode server process (serveHost.ts): seeds a dataset,
// sends the generated traffic many requests at once, watches the server's memory and its upload folder
// while it runs, then stops it with SIGINT and inspects what it left: exit code, the store's integrity,
// files outside the data directory. Used by tests/fuzz/hostileInput.test.ts and `npm run fuzz`.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import WebSocket from 'ws';
import { errorCodes } from '../../src/shared/errors';
import { wirePaths } from '../../src/shared/wire';
import { fuzzCaps } from './caps';
import { generateCases, type Case, type Expectation, type Step } from './generate';

export interface SessionOptions {
  seed: number;
  cases: number;
  /** Cases in flight at once. */
  concurrency: number;
  /** An empty folder the session owns; the server's data directory and temp folder go inside. */
  root: string;
  /** Run only these case numbers (to replay a failure). */
  only?: number[];
  log?: (line: string) => void;
}

export interface Failure {
  case: number;
  family: string;
  step: number;
  why: string;
  answer: string;
}

export interface SessionReport {
  seed: number;
  cases: number;
  steps: number;
  failures: Failure[];
  /** How often each family got each answer (ok or an error code). */
  outcomes: Record<string, number>;
  baselineRssMiB: number | null;
  peakRssMiB: number | null;
  peakUploadBytes: number;
  dataDirBytes: number;
  exitCode: number | null;
  serverErrors: string;
  integrity: string;
  foreignKeyProblems: number;
  /**
   * Files anywhere under the root but outside the data directory — the traversal target, the server's
   * working and temp folders — apart from the tool caches of isToolCache.
   */
  outsideFiles: string[];
  seconds: number;
}

interface Answer {
  status: number;
  body: unknown;
  error?: string;
}

const knownCodes = new Set<string>(errorCodes);

function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    try {
      total += statSync(join(entry.parentPath, entry.name)).size;
    } catch {
      // gone meanwhile (a finished upload being discarded)
    }
  }
  return total;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name));
}

/** What may sit in the server's temp folder without PruneLab writing it: tsx's transpile cache (from source). */
function isToolCache(relative: string): boolean {
  return /^tsx-\d+\//.test(relative);
}

function rssMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * The HTTP status wire.ts promises for a refusal: a cap on the transport (body, file, upload budget,
 * sessions, disk) has its own status; everything else, the job queue's cap included, is a 200 envelope.
 */
function wireStatus(code: string, details: unknown): number {
  if (code !== 'LIMIT') return 200;
  const limit = (details as { limit?: unknown } | undefined)?.limit;
  if (limit === 'queuedJobs') return 200;
  if (limit === 'uploads') return 429;
  if (limit === 'diskFree') return 507;
  return 413;
}

/** Judges one answer against what the step allows; null when it is acceptable. */
export function judge(expect: Expectation, answer: Answer): string | null {
  if (answer.error) return `no answer: ${answer.error}`;
  const body = answer.body as {
    ok?: unknown;
    error?: { code?: unknown; message?: unknown; details?: unknown };
  } | null;
  if (!body || typeof body.ok !== 'boolean') return `not a Result envelope (HTTP ${answer.status})`;
  if (body.ok) return expect.ok ? null : 'accepted a request that must be refused';
  const code = body.error?.code;
  if (typeof code !== 'string' || !knownCodes.has(code) || typeof body.error?.message !== 'string')
    return 'an untyped error';
  if (code === 'INTERNAL') return 'an INTERNAL error (a bug, not a refusal)';
  if (!(expect.codes as string[]).includes(code))
    return `refused with ${code}, expected ${expect.codes.join('/')}`;
  if (answer.status === 0) return null; // over the socket: no HTTP status
  const statuses = expect.statuses ?? [wireStatus(code, body.error?.details)];
  return statuses.includes(answer.status) ? null : `HTTP ${answer.status} for ${code}`;
}

/** "ok", an error code, or for a cap "LIMIT <which>" (fileBytes, totalBytes, uploads, queuedJobs…). */
function outcomeOf(answer: Answer): string {
  const body = answer.body as {
    ok?: boolean;
    error?: { code?: string; details?: { limit?: string } };
  } | null;
  if (answer.error) return 'no answer';
  if (!body) return 'not JSON';
  if (body.ok) return 'ok';
  const code = body.error?.code ?? '?';
  return code === 'LIMIT' ? `LIMIT ${body.error?.details?.limit ?? '?'}` : code;
}

/** A server process and the ways to talk to it. */
interface Target {
  port: number;
  token: string;
  pid: number;
  http(method: string, path: string, body?: string | Buffer, chunked?: boolean): Promise<Answer>;
  socket(name: string, payloadJson: string): Promise<Answer>;
  stop(): Promise<{ exitCode: number | null; stderr: string }>;
}

async function startTarget(root: string, dataDir: string, tmp: string): Promise<Target> {
  const host = fileURLToPath(new URL('./serveHost.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, host, dataDir], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const first = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    void exited.then((code) => reject(new Error(`the server exited at start (${code}): ${stderr}`)));
  });
  const url = new URL(first.url);
  const port = Number(url.port);
  const token = url.searchParams.get('token') ?? '';

  function http(method: string, path: string, body?: string | Buffer, chunked = false): Promise<Answer> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (answer: Answer) => {
        if (!settled) {
          settled = true;
          resolve(answer);
        }
      };
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { host: `127.0.0.1:${port}`, 'x-prunelab-token': token },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = null;
          }
          done({ status: res.statusCode ?? 0, body: parsed });
          req.destroy();
        });
      });
      // A connection cut after an early answer is fine; one cut before any answer is a failure.
      req.on('error', (err) => setTimeout(() => done({ status: 0, body: null, error: err.message }), 200));
      if (body === undefined) req.end();
      else if (!chunked) req.end(body);
      else {
        const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
        let at = 0;
        const pump = () => {
          while (at < data.length) {
            const piece = data.subarray(at, at + 16 * 1024);
            at += piece.length;
            if (!req.write(piece)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      }
    });
  }

  const ws = new WebSocket(`ws://127.0.0.1:${port}${wirePaths.socket}?token=${token}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waiting = new Map<number, (answer: Answer) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string; id?: number; result?: unknown };
    if (message.type !== 'response' || message.id === undefined) return;
    waiting.get(message.id)?.({ status: 0, body: message.result });
    waiting.delete(message.id);
  });
  let nextId = 1;

  return {
    port,
    token,
    pid: first.pid,
    http,
    socket(name, payloadJson) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        ws.send(`{"type":"request","id":${id},"name":${JSON.stringify(name)},"payload":${payloadJson}}`);
      });
    },
    async stop() {
      ws.close();
      child.kill('SIGINT');
      const exitCode = await exited;
      return { exitCode, stderr };
    },
  };
}

/** Uploads a tiny three-class PNG folder and imports it; returns the dataset's id. */
async function seedDataset(target: Target): Promise<string> {
  const created = (await target.http('POST', wirePaths.uploads)).body as { value: { uploadId: string } };
  const { uploadId } = created.value;
  for (const [cls, shade] of [
    ['dark', 20],
    ['mid', 120],
    ['light', 230],
  ] as const) {
    for (let i = 0; i < 6; i++) {
      const png = await sharp({
        create: { width: 16, height: 16, channels: 3, background: { r: shade + i, g: shade, b: shade } },
      })
        .png()
        .toBuffer();
      await target.http('PUT', wirePaths.uploadFile(uploadId, `seed/${cls}/${i}.png`), png);
    }
  }
  const started = await target.http('POST', wirePaths.uploadImport(uploadId), '{"size":16,"channels":1}');
  if (!(started.body as { ok: boolean }).ok)
    throw new Error(`seed import refused: ${JSON.stringify(started.body)}`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const list = (await target.http('POST', '/api/request/datasets.list', '{}')).body as {
      value: { id: string }[];
    };
    if (list.value[0]) return list.value[0].id;
    if (Date.now() > deadline) throw new Error('the seed dataset was not imported in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function runStep(target: Target, step: Step, upload: { id: string | null }): Promise<Answer | null> {
  switch (step.kind) {
    case 'http':
      return target.http('POST', `/api/request/${encodeURIComponent(step.name)}`, step.body);
    case 'socket':
      return target.socket(step.name, step.payloadJson);
    case 'create-upload': {
      const answer = await target.http('POST', wirePaths.uploads);
      upload.id = (answer.body as { value?: { uploadId?: string } } | null)?.value?.uploadId ?? null;
      return answer;
    }
    case 'put':
      if (!upload.id) return null;
      return target.http(
        'PUT',
        `${wirePaths.uploads}/${upload.id}?path=${encodeURIComponent(step.path)}`,
        Buffer.alloc(step.bytes, 0x61),
        step.chunked,
      );
    case 'import-upload':
      if (!upload.id) return null;
      return target.http('POST', wirePaths.uploadImport(upload.id), step.options);
    case 'delete-upload':
      if (!upload.id) return null;
      return target.http('DELETE', wirePaths.upload(upload.id));
  }
}

export async function runHostileSession(options: SessionOptions): Promise<SessionReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const dataDir = join(options.root, 'data');
  const tmp = join(options.root, 'tmp');
  const outside = join(options.root, 'outside');
  for (const dir of [dataDir, tmp, outside]) mkdirSync(dir, { recursive: true });
  const target = await startTarget(options.root, dataDir, tmp);
  const failures: Failure[] = [];
  const outcomes: Record<string, number> = {};
  let steps = 0;
  let peakRss: number | null = null;
  let peakUploadBytes = 0;
  const sample = () => {
    const rss = rssMiB(target.pid);
    if (rss !== null) peakRss = Math.max(peakRss ?? 0, rss);
    const uploads = join(dataDir, 'uploads');
    try {
      peakUploadBytes = Math.max(peakUploadBytes, treeBytes(uploads));
    } catch {
      // no upload folder yet
    }
  };
  const sampler = setInterval(sample, 50);
  try {
    const datasetId = await seedDataset(target);
    // The baseline is taken once the server has loaded what it loads once (the backend for system.info).
    await target.http('POST', '/api/request/system.info', '{}');
    const baselineRss = rssMiB(target.pid);
    log(`seed ${options.seed}: server pid ${target.pid}, dataset ${datasetId}, ${options.cases} cases`);
    const all = generateCases(options.cases, options.seed, {
      datasetId,
      maxFileBytes: fuzzCaps.maxFileBytes,
    });
    const cases = options.only ? all.filter((c) => options.only!.includes(c.index)) : all;

    const record = (c: Case, index: number, step: Step, answer: Answer | null) => {
      if (!answer) return; // its upload was never created (a refusal recorded on that step)
      steps++;
      const outcome = outcomeOf(answer);
      outcomes[`${c.family}: ${outcome}`] = (outcomes[`${c.family}: ${outcome}`] ?? 0) + 1;
      const why = judge(step.expect, answer);
      if (why) {
        failures.push({
          case: c.index,
          family: c.family,
          step: index,
          why,
          answer: JSON.stringify(answer.body ?? answer.error ?? null).slice(0, 300),
        });
      }
    };

    // An upload sequence: create, then its files (at once or one by one), then its import or discard.
    const runCase = async (c: Case) => {
      const upload = { id: null as string | null };
      const numbered = c.steps.map((step, index) => ({ step, index }));
      const files = numbered.filter((n) => n.step.kind === 'put');
      const [head, ...tail] = numbered.filter((n) => n.step.kind !== 'put');
      if (head) record(c, head.index, head.step, await runStep(target, head.step, upload));
      if (c.parallel) {
        const answers = await Promise.all(files.map((n) => runStep(target, n.step, upload)));
        answers.forEach((answer, i) => record(c, files[i]!.index, files[i]!.step, answer));
      } else {
        for (const n of files) record(c, n.index, n.step, await runStep(target, n.step, upload));
      }
      for (const n of tail) record(c, n.index, n.step, await runStep(target, n.step, upload));
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < cases.length) await runCase(cases[next++]!);
      }),
    );
    const alive = await target.http('POST', '/api/request/system.info', '{}');
    if (!(alive.body as { ok?: boolean } | null)?.ok)
      failures.push({ case: -1, family: 'after', step: 0, why: 'the server stopped answering', answer: '' });
    sample();
    const stopped = await target.stop();
    clearInterval(sampler);
    const db = new Database(join(dataDir, 'prunelab.db'), { readonly: true });
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const foreignKeyProblems = (db.pragma('foreign_key_check') as unknown[]).length;
    db.close();
    const report: SessionReport = {
      seed: options.seed,
      cases: cases.length,
      steps,
      failures,
      outcomes,
      baselineRssMiB: baselineRss === null ? null : Math.round(baselineRss),
      peakRssMiB: peakRss === null ? null : Math.round(peakRss),
      peakUploadBytes,
      dataDirBytes: treeBytes(dataDir),
      exitCode: stopped.exitCode,
      serverErrors: stopped.stderr
        .split('\n')
        .filter((l) => /error|uncaught|unhandled/i.test(l))
        .join('\n'),
      integrity,
      foreignKeyProblems,
      outsideFiles: filesUnder(options.root).filter(
        (f) => !f.startsWith(dataDir + '/') && !isToolCache(f.slice(tmp.length + 1)),
      ),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    return report;
  } finally {
    clearInterval(sampler);
    await target.stop().catch(() => undefined);
  }
}
