// `prunelab serve` as a separate process for the end-to-end suites: started on a free port without a
// browser, resolved with the tokened URL it prints, stopped the way a user stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface ServeProcess {
  child: ChildProcess;
  /** The printed URL, token included. */
  url: URL;
  stop(): Promise<void>;
}

export function startServeProcess(dataDir: string, timeoutMs = 480_000): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'prunelab.js'), 'serve', '--data-dir', dataDir, '--port', '0', '--no-open'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    // The first start builds the UI, which takes a while on a busy machine.
    const timer = setTimeout(() => reject(new Error(`serve printed no URL:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /https?:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url: new URL(url), stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before printing a URL:\n${out}`)));
  });
}
