// Seeded generation of hostile traffic for a serve-mode server: API payloads (the schema-breaking
// families of tests/server/hostilePayloads.ts, plus valid reads, missing ids, cap-breaking sweeps and
// broken bodies) and upload sequences (good and bad paths, oversized and undeclared bodies, budget and
// session exhaustion, discards and imports). Each step says which answers are acceptable, so the
// session can tell a typed refusal from a crash, an untyped error or a wrong acceptance. The same seed
// always yields the same traffic: a failure names its seed and case number to replay it.
import type { ErrorCode } from '../../src/shared/errors';
import { hostileCases, mulberry32 } from '../server/hostilePayloads';

/**
 * What a step may answer: ok (when `ok`), or a typed error with one of `codes`. `statuses` pins the HTTP
 * status when given; otherwise the wire contract's status for the answer is required (see judge).
 */
export interface Expectation {
  ok: boolean;
  codes: ErrorCode[];
  statuses?: number[];
}

export type Step =
  | { kind: 'http'; name: string; body: string | Buffer; expect: Expectation }
  | { kind: 'socket'; name: string; payloadJson: string; expect: Expectation }
  | { kind: 'create-upload'; expect: Expectation }
  | {
      kind: 'put';
      path: string;
      bytes: number;
      /** Send without Content-Length (chunked). */
      chunked: boolean;
      expect: Expectation;
    }
  | { kind: 'import-upload'; options: string; expect: Expectation }
  | { kind: 'delete-upload'; expect: Expectation };

export interface Case {
  index: number;
  family: string;
  /** Steps of one sequence run in order; `parallel` steps of an upload sequence run at once. */
  steps: Step[];
  parallel: boolean;
}

export interface GeneratorContext {
  /** A dataset that exists on the server (imported before the hostile traffic starts). */
  datasetId: string;
  maxFileBytes: number;
}

const refused = (...codes: ErrorCode[]): Expectation => ({ ok: false, codes });
const accepted = (...codes: ErrorCode[]): Expectation => ({ ok: true, codes });
const limit = (status: number): Expectation => ({ ok: false, codes: ['LIMIT'], statuses: [status] });

const goodUploadPaths = ['set/a/1.png', 'set/a/2.png', 'set/b/1.png', 'set/b/2.png', 'set/c/x.bin'];
const badUploadPaths = [
  '../../outside/pwned.png',
  'set/../../../outside/pwned.png',
  '/etc/pwned',
  'C:\\pwned.png',
  'set/a\u0000b.png',
  'set//a.png',
  '..\\..\\outside\\pwned',
  'set/./a.png',
  'x'.repeat(2000),
  Array.from({ length: 40 }, () => 'd').join('/'),
  'set/a:b.png',
];

export function generateCases(count: number, seed: number, ctx: GeneratorContext): Case[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const hostile = hostileCases(count, seed ^ 0x5eed);
  const missingId = () => `missing${Math.floor(random() * 1e9).toString(36)}`;

  const apiFamilies: (() => Omit<Case, 'index' | 'parallel'>)[] = [
    // Schema breakers, over HTTP or the socket: always a VALIDATION refusal.
    () => {
      const h = pick(hostile);
      const step: Step =
        random() < 0.5
          ? { kind: 'http', name: h.name, body: h.payloadJson, expect: refused('VALIDATION') }
          : { kind: 'socket', name: h.name, payloadJson: h.payloadJson, expect: refused('VALIDATION') };
      return { family: `hostile ${h.family}`, steps: [step] };
    },
    () => {
      const name = pick(['system.info', 'datasets.list', 'runs.list', 'jobs.list', 'settings.get']);
      const step: Step =
        random() < 0.5
          ? { kind: 'http', name, body: '{}', expect: accepted() }
          : { kind: 'socket', name, payloadJson: '{}', expect: accepted() };
      return { family: 'valid read', steps: [step] };
    },
    () => ({
      family: 'missing id',
      steps: [
        {
          kind: 'http',
          name: pick([
            'runs.get',
            'datasets.get',
            'runs.cancel',
            'runs.resume',
            'runs.delete',
            'datasets.delete',
          ]),
          body: JSON.stringify({ id: missingId() }),
          expect: refused('NOT_FOUND'),
        },
      ],
    }),
    () => ({
      family: 'sweep over the queue cap',
      steps: [
        {
          kind: 'http',
          name: 'runs.sweep',
          body: JSON.stringify({
            datasetId: ctx.datasetId,
            train: { epochs: 1 },
            criteria: ['taylor', 'gradient', 'magnitude', 'random'],
            sparsities: Array.from({ length: 20 }, (_, i) => i / 21),
            seeds: Array.from({ length: 10 }, (_, i) => i),
            schedules: [{ kind: 'oneshot' }, { kind: 'iterative', rounds: 2 }],
          }),
          expect: refused('LIMIT'),
        },
      ],
    }),
    () => ({
      family: 'valid start (queue may be full)',
      steps: [
        {
          kind: 'http',
          name: 'runs.start',
          body: JSON.stringify({
            config: { datasetId: ctx.datasetId, train: { preset: 'lenet5', epochs: 1 } },
          }),
          expect: accepted('LIMIT'),
        },
      ],
    }),
    () => ({
      family: 'body not JSON',
      steps: [
        {
          kind: 'http',
          name: pick(['runs.list', 'datasets.import', 'settings.set']),
          body: pick(['{oops', '\u0000\u0001', '[1,2', '"unterminated', '{"a":}']),
          expect: refused('VALIDATION'),
        },
      ],
    }),
    () => ({
      family: 'body too large',
      steps: [
        {
          kind: 'http',
          name: pick(['runs.list', 'datasets.import']),
          body: Buffer.alloc(2 * 1024 * 1024 + Math.floor(random() * 1024), 0x20),
          expect: limit(413),
        },
      ],
    }),
    () => ({
      family: 'import of a missing folder',
      steps: [
        {
          kind: 'http',
          name: 'datasets.import',
          body: JSON.stringify({ path: `/nonexistent/${missingId()}` }),
          expect: accepted('LIMIT'),
        },
      ],
    }),
  ];

  function uploadSequence(): Omit<Case, 'index'> {
    // Sessions are capped: creating one may be refused (429) while other sequences hold theirs. An
    // upload left idle may be discarded as abandoned when another needs its place: NOT_FOUND is then
    // the right answer to whatever follows. A path sent twice (in either order when the files race)
    // is a conflict; a file slot, the byte budget or the disk margin may run out.
    const steps: Step[] = [{ kind: 'create-upload', expect: accepted('LIMIT') }];
    const files = 1 + Math.floor(random() * 6);
    for (let i = 0; i < files; i++) {
      const roll = random();
      if (roll < 0.25) {
        const path = pick(badUploadPaths);
        steps.push({
          kind: 'put',
          path,
          bytes: 16,
          chunked: false,
          expect: refused('VALIDATION', 'NOT_FOUND'),
        });
        continue;
      }
      const path = pick(goodUploadPaths);
      const oversized = refused('LIMIT', 'CONFLICT', 'NOT_FOUND');
      if (roll < 0.4) {
        const bytes = ctx.maxFileBytes + 1 + Math.floor(random() * 4096);
        steps.push({ kind: 'put', path, bytes, chunked: false, expect: oversized });
      } else if (roll < 0.5) {
        // Undeclared length, past the file cap: refused as soon as the cap is passed.
        steps.push({ kind: 'put', path, bytes: ctx.maxFileBytes * 2, chunked: true, expect: oversized });
      } else {
        const bytes = Math.floor(random() * ctx.maxFileBytes);
        const expect = accepted('LIMIT', 'CONFLICT', 'NOT_FOUND');
        steps.push({ kind: 'put', path, bytes, chunked: random() < 0.3, expect });
      }
    }
    const end = random();
    // Most end like the app's client does (import, or discard on failure); some are abandoned.
    if (end < 0.6) steps.push({ kind: 'delete-upload', expect: accepted('CONFLICT', 'NOT_FOUND') });
    else if (end < 0.7)
      steps.push({
        kind: 'import-upload',
        options: pick(['{}', '{"size":16}', '{"path":"/etc"}', '{"size":"huge"}', '[]']),
        expect: accepted('VALIDATION', 'CONFLICT', 'LIMIT', 'NOT_FOUND'),
      });
    return { family: 'upload sequence', steps, parallel: random() < 0.5 };
  }

  // Mostly schema breakers, then the other families; a quarter of all cases are upload sequences.
  const apiWeights = [50, 8, 6, 3, 3, 5, 3, 2];
  const weightTotal = apiWeights.reduce((a, b) => a + b, 0);
  const pickFamily = () => {
    let roll = random() * weightTotal;
    const at = apiWeights.findIndex((w) => (roll -= w) < 0);
    return apiFamilies[at === -1 ? 0 : at]!;
  };
  return Array.from({ length: count }, (_, index) => {
    if (random() < 0.25) return { index, ...uploadSequence() };
    return { index, parallel: false, ...pickFamily()() };
  });
}
