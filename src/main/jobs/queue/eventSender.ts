// Sends a running job's events to the coordinator in order, batched (one request per flush interval,
// not one per event; back-to-back progress reports of one phase folded into the newest), numbered so a batch repeated after a lost answer is recorded once. A checkpoint
// event waits for its folder to be uploaded and committed: the coordinator learns of a checkpoint only
// when it holds it, so a job taken over by another worker resumes from a checkpoint that exists.
import type { TaskEvent } from '../../engine/types';

export interface EventSenderOptions {
  post(seq: number, events: TaskEvent[]): Promise<{ cancel: boolean }>;
  /** Uploads the checkpoint and returns the event as the coordinator should record it (null: skip it). */
  syncCheckpoint(event: Extract<TaskEvent, { type: 'checkpoint' }>): Promise<TaskEvent | null>;
  /** Every other event as the coordinator should record it (its paths moved to the coordinator's). */
  translate(event: TaskEvent): TaskEvent;
  onCancel(): void;
  flushMs: number;
  maxBatch?: number;
}

export interface EventSender {
  push(event: TaskEvent): void;
  /** Sends everything pushed so far; rejects with the first failure (a refusal, a stop). */
  drain(): Promise<void>;
  /** Events handed to the coordinator and the requests it took. */
  readonly sent: { events: number; batches: number };
}

export function createEventSender(options: EventSenderOptions): EventSender {
  const maxBatch = options.maxBatch ?? 1000;
  const items: TaskEvent[] = [];
  const sent = { events: 0, batches: 0 };
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let failure: unknown = null;

  async function post(batch: TaskEvent[]) {
    if (batch.length === 0) return;
    const answer = await options.post(seq, batch);
    seq += 1;
    sent.events += batch.length;
    sent.batches += 1;
    if (answer.cancel) options.onCancel();
  }

  async function loop() {
    while (items.length > 0 && failure === null) {
      let batch: TaskEvent[] = [];
      while (items.length > 0 && batch.length < maxBatch) {
        const event = items.shift()!;
        if (event.type === 'progress') {
          // Only the newest progress of a phase matters to whoever watches; the rest is traffic.
          const previous = batch.at(-1);
          if (previous?.type === 'progress' && previous.phase === event.phase) batch.pop();
        }
        if (event.type !== 'checkpoint') {
          batch.push(options.translate(event));
          continue;
        }
        await post(batch);
        batch = [];
        const synced = await options.syncCheckpoint(event);
        if (synced) batch.push(synced);
        break;
      }
      await post(batch);
    }
  }

  function kick() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (running || failure !== null) return;
    running = loop()
      .catch((err: unknown) => {
        failure = err;
        items.length = 0;
      })
      .finally(() => {
        running = null;
        if (items.length > 0 && failure === null) schedule();
      });
  }

  function schedule() {
    if (!timer && !running) timer = setTimeout(kick, options.flushMs);
  }

  return {
    sent,
    push(event) {
      if (failure !== null) return;
      items.push(event);
      schedule();
    },
    async drain() {
      while ((items.length > 0 || running) && failure === null) {
        kick();
        await running;
      }
      if (failure !== null) throw failure;
    },
  };
}
