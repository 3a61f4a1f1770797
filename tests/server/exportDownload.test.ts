// Serve mode hands an export to the browser as a zip: GET /api/exports/<id>/zip on the real services,
// token required, the id validated, only PruneLab's own exports served, and only while they are intact.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../src/main/services';
import { downloadFileName } from '../../src/main/services/exportDownload';
import { startServer, type RunningServer } from '../../src/main/server/startServer';
import { wirePaths } from '../../src/shared/wire';
import { sampleDataset, trainConfig } from '../store/fixtures';
import { writeExportFolder } from '../engine/export/exportFolder';
import { rawRequest } from './http';

const TOKEN = 'download-token-0123456789abcdef';
let dir: string;
let services: AppServices;
let server: RunningServer;
let exportDir: string;
let artifactId: string;
let datasetExportId: string;

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  rawRequest(server.port, { method, path, headers });
const withToken = (id: string) => `${wirePaths.exportZip(id)}?token=${TOKEN}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-download-'));
  services = await createAppServices({ dataDir: join(dir, 'data'), mode: 'serve' });
  server = await startServer({ api: services, dataDir: join(dir, 'data'), rendererDir: null, token: TOKEN });
  const { store } = services;
  store.datasets.save(sampleDataset());
  const run = store.runs.create({ name: 'taylor 80% · ✂ run', kind: 'train', config: trainConfig() });
  exportDir = join(dir, 'data', 'exports', run.id, 'tfjs-float32');
  const sha256 = await writeExportFolder(exportDir);
  const artifact = {
    runId: run.id,
    format: 'tfjs' as const,
    encoding: 'float32' as const,
    path: exportDir,
    zipPath: null,
    bytes: 100,
    gzipBytes: 80,
    sha256,
    sizes: null,
    parity: null,
  };
  artifactId = store.artifacts.create(artifact).id;
  datasetExportId = store.artifacts.create({ ...artifact, format: 'dataset-png', encoding: null }).id;
});

afterAll(async () => {
  await server.close();
  await services.close();
  await rm(dir, { recursive: true, force: true });
});

describe('export download (serve mode)', () => {
  it('serves the export as a zip attachment named after its run', async () => {
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        // binary body: collected as bytes, not text
        import('node:http')
          .then(({ get: httpGet }) => {
            httpGet(
              {
                host: '127.0.0.1',
                port: server.port,
                path: withToken(artifactId),
                headers: { host: `127.0.0.1:${server.port}` },
              },
              (r) => {
                const chunks: Buffer[] = [];
                r.on('data', (c: Buffer) => chunks.push(c));
                r.on('end', () =>
                  resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) }),
                );
              },
            ).on('error', reject);
          })
          .catch(reject);
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="taylor-80-run-tfjs-float32.zip"');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const files = unzipSync(new Uint8Array(res.body));
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'group1-shard1of1.bin',
      'metadata.json',
      'model.json',
    ]);
    // HEAD says the same without the body
    const head = await get(withToken(artifactId), {}, 'HEAD');
    expect([head.status, head.text]).toEqual([200, '']);
  });

  it('needs the token, like every API route', async () => {
    expect((await get(wirePaths.exportZip(artifactId))).status).toBe(401);
    expect((await get(`${wirePaths.exportZip(artifactId)}?token=wrong`)).status).toBe(401);
    expect((await get(wirePaths.exportZip(artifactId), { 'x-prunelab-token': TOKEN })).status).toBe(200);
  });

  it('refuses a bad id, an unknown one, a dataset export, other methods and other paths, in words', async () => {
    const answer = async (path: string, method = 'GET') => {
      const res = await get(path, { 'x-prunelab-token': TOKEN }, method);
      return [res.status, (res.json() as { error: { code: string } }).error.code];
    };
    expect(await answer(wirePaths.exportZip('../../etc'))).toEqual([400, 'VALIDATION']);
    expect(await answer(wirePaths.exportZip('no-such-export'))).toEqual([404, 'NOT_FOUND']);
    expect(await answer(wirePaths.exportZip(datasetExportId))).toEqual([404, 'NOT_FOUND']);
    expect(await answer(wirePaths.exportZip(artifactId), 'POST')).toEqual([405, 'VALIDATION']);
    expect(await answer(`/api/exports/${artifactId}/tar`)).toEqual([404, 'NOT_FOUND']);
    expect(await answer(`/api/exports/%E0%A4%A/zip`)).toEqual([400, 'VALIDATION']);
  });

  it('refuses an export changed on disk since PruneLab wrote it', async () => {
    await writeFile(join(exportDir, 'model.json'), '{"format":"layers-model","evil":true}');
    const res = await get(withToken(artifactId));
    expect(res.status).toBe(409);
    expect((res.json() as { error: { message: string } }).error.message).toMatch(/model\.json has changed/);
  });

  it('names the file in plain ASCII whatever the run is called', () => {
    expect(downloadFileName('Ünïcode / run: "x"', 'onnx', 'uint8')).toBe('Unicode-run-x-onnx-uint8.zip');
    expect(downloadFileName('✂✂', 'tfjs', 'float16')).toBe('prunelab-export-tfjs-float16.zip');
  });
});
