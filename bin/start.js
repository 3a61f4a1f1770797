#!/usr/bin/env node
// `npm start`: builds the desktop app and opens it in Electron. Electron's binary is an optional
// download; where it is missing, this says so plainly and points to the browser version instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron executable, or null. PRUNELAB_ELECTRON_BINARY overrides the lookup (tests, custom builds). */
function findElectron() {
  const override = process.env.PRUNELAB_ELECTRON_BINARY;
  if (override !== undefined) return override !== '' && existsSync(override) ? override : null;
  try {
    // The electron package exports the path of its downloaded binary (and throws if the download failed).
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const electron = findElectron();
if (!electron) {
  process.stderr.write(
    [
      'PruneLab: the desktop window cannot open because the Electron binary is not installed here.',
      '  Electron is an optional dependency: its download failed or was skipped during `npm install`',
      '  (for example without internet access, or on a platform Electron does not ship for).',
      '',
      'Run the same app in your browser instead:',
      '',
      '    npm run serve',
      '',
      'It prints a local URL (with its access token) to open. To get the desktop app later, install',
      "Electron's binary with network access (`npm install electron`, or set ELECTRON_MIRROR) and run",
      '`npm start` again.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

// Native modules (better-sqlite3, sharp, …) must match Electron's ABI, not Node's. This rebuilds them for
// Electron; `npm rebuild` builds them for plain Node again (the CLI, serve mode and the tests).
const builderCli = join(root, 'node_modules', 'electron-builder', 'cli.js');
const rebuilt = spawnSync(process.execPath, [builderCli, 'install-app-deps'], {
  cwd: root,
  stdio: 'inherit',
});
if (rebuilt.status !== 0) {
  process.stderr.write('PruneLab: native modules could not be rebuilt for Electron (see above).\n');
  process.exit(rebuilt.status ?? 1);
}
process.stderr.write(
  'PruneLab: native modules now target Electron; run `npm rebuild` before using the CLI or tests.\n',
);

const viteCli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const built = spawnSync(process.execPath, [viteCli, 'build'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  process.stderr.write('PruneLab: the app could not be built (see above).\n');
  process.exit(built.status ?? 1);
}
const child = spawn(electron, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
