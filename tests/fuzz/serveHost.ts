// The server the hostile-input session attacks: `prunelab serve` as it runs (startServe with the real
// services: store, job runner, the real worker) with the small caps of caps.ts. Prints one JSON line
// with its URL; SIGINT stops it the way Ctrl-C stops `prunelab serve`.
import { createAppServices } from '../../src/main/services';
import { startServe } from '../../src/main/server/serveMain';
import { fuzzCaps } from './caps';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: serveHost <dataDir>');
const { maxQueuedJobs, ...uploadLimits } = fuzzCaps;
const session = await startServe({
  dataDir,
  apiOnly: true,
  port: 0,
  uploadLimits,
  createServices: (dir) => createAppServices({ dataDir: dir, mode: 'serve', maxQueuedJobs }),
});
process.stdout.write(`${JSON.stringify({ url: session.server.url, pid: process.pid })}\n`);
process.once('SIGINT', () => {
  void session.close().then(() => process.exit(0));
});
