// Helper threads for the decode pass, so a folder of small PNGs uses every core (the main thread decodes
// too). A helper that cannot start or dies is simply dropped: its batch goes back to the main thread, so
// threads only ever change the speed, never the result.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DecodeTarget } from './channelPolicy';
import type { FastBatch } from './fastDecodeBatch';

export class DecodeHelper {
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (b: FastBatch) => void; reject: (e: Error) => void }
  >();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; batch: FastBatch }) => {
      this.waiting.get(m.id)?.resolve(m.batch);
      this.waiting.delete(m.id);
    });
    const fail = (err: Error): void => {
      this.failure = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`decode helper exited (${code})`)));
  }

  static start(
    entry: URL = new URL('./fastDecodeWorker.bootstrap.mjs', import.meta.url),
  ): DecodeHelper | null {
    try {
      return new DecodeHelper(new Worker(entry));
    } catch {
      return null;
    }
  }

  run(paths: string[], target: DecodeTarget): Promise<FastBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, paths, target });
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** One helper per core beyond the first, at most 3. */
export function defaultHelperCount(): number {
  return Math.max(0, Math.min(3, availableParallelism() - 1));
}
