// Renders every view with fixture data (no services needed) into test-artifacts/preview/ for a look:
// `npm run build:renderer && npx tsx bench/ui/preview.ts [light|dark]`.
import { launchChromium } from './browser';
import { serveStatic } from './staticServer';
import { fakeBridgeScript } from './fakeBridge';
import {
  makeArtifact,
  makeDataset,
  makePresets,
  makeRun,
  makeSettings,
  makeSystem,
} from '../../tests/renderer/fixtures';

const theme = (process.argv[2] ?? 'light') as 'light' | 'dark';
const server = await serveStatic('out/renderer');
const browser = await launchChromium();
const page = await browser.context.newPage();
page.on('console', (m) => console.log('console:', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
// A dense run and prune runs made from it record what real runs do: the prune runs only their own
// fine-tune epochs, each prune step with its after-prune accuracy.
const runs = [
  makeRun({ id: 'r1', seed: 1, epochs: 10 }),
  makeRun({
    id: 'r2',
    seed: 2,
    epochs: 10,
    parentRunId: 'r1',
    pruned: { criterion: 'taylor', sparsity: 0.8, steps: 3, finetune: 2 },
  }),
  makeRun({
    id: 'r3',
    seed: 3,
    epochs: 10,
    parentRunId: 'r1',
    pruned: { criterion: 'magnitude', sparsity: 0.8, finetune: 3 },
  }),
  makeRun({
    id: 'r4',
    seed: 4,
    epochs: 10,
    parentRunId: 'r1',
    pruned: { criterion: 'random', sparsity: 0.8, finetune: 3 },
    gzip: null,
  }),
  { ...makeRun({ id: 'r5', seed: 5, epochs: 10 }), status: 'queued' as const, backend: null, metrics: [] },
];
const data = {
  system: makeSystem(),
  settings: makeSettings({ theme }),
  presets: makePresets(),
  datasets: [makeDataset()],
  runs,
  artifacts: [makeArtifact('r2')],
  thumbnail:
    'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
};
await page.addInitScript({ content: fakeBridgeScript(data) });
for (const [name, hash] of [
  ['datasets', '#/datasets'],
  ['new', '#/new'],
  ['runs', '#/runs'],
  ['run', '#/runs/r2'],
  ['run-oneshot', '#/runs/r3'],
  ['run-dense', '#/runs/r1'],
  ['run-queued', '#/runs/r5'],
  ['new-from-parent', '#/new?dataset=ds-fashion&parent=r1'],
  ['compare', '#/compare?ids=r1,r2,r3,r4'],
]) {
  await page.goto(server.url + hash);
  await page.waitForTimeout(1200);
  await page.screenshot({ path: `test-artifacts/preview/${name}-${theme}.png`, fullPage: true });
}
await browser.close();
await server.close();
