// Where decoded images wait between decoding and the final cache write: fixed-size records addressed by
// slot. In memory for sources that arrive as one block (IDX, CIFAR); spooled to a file for folders, whose
// size is unknown up front — 100k images of 64×64×3 are 1.2 GB, which must not sit in the heap.
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

export interface PixelSource {
  readonly recordBytes: number;
  /** Copies record `slot` into `out` at `offset`. */
  readInto(slot: number, out: Uint8Array, offset: number): void;
}

export class MemoryPixels implements PixelSource {
  constructor(
    readonly data: Uint8Array,
    readonly recordBytes: number,
  ) {}

  readInto(slot: number, out: Uint8Array, offset: number): void {
    out.set(this.data.subarray(slot * this.recordBytes, (slot + 1) * this.recordBytes), offset);
  }
}

const FLUSH_BYTES = 1 << 20;

/** Append-only spool file; records are written in arrival order and read back by slot. */
export class SpooledPixels implements PixelSource {
  private readonly fd: number;
  /** records not yet written, copied into one reused block (no per-record allocation to collect) */
  private readonly block: Uint8Array;
  private pendingSlots = 0;
  private flushedSlots = 0;
  private slots = 0;

  constructor(
    private readonly path: string,
    readonly recordBytes: number,
  ) {
    this.fd = openSync(path, 'w+');
    this.block = new Uint8Array(Math.max(1, Math.floor(FLUSH_BYTES / recordBytes)) * recordBytes);
  }

  get count(): number {
    return this.slots;
  }

  append(record: Uint8Array): number {
    if (record.length !== this.recordBytes)
      throw new Error(`record of ${record.length} bytes, expected ${this.recordBytes}`);
    this.block.set(record, this.pendingSlots * this.recordBytes);
    this.pendingSlots++;
    if ((this.pendingSlots + 1) * this.recordBytes > this.block.length) this.flush();
    return this.slots++;
  }

  private flush(): void {
    if (this.pendingSlots === 0) return;
    const bytes = this.pendingSlots * this.recordBytes;
    writeSync(this.fd, this.block, 0, bytes, this.flushedSlots * this.recordBytes);
    this.flushedSlots += this.pendingSlots;
    this.pendingSlots = 0;
  }

  readInto(slot: number, out: Uint8Array, offset: number): void {
    if (slot >= this.flushedSlots) this.flush();
    const read = readSync(this.fd, out, offset, this.recordBytes, slot * this.recordBytes);
    if (read !== this.recordBytes) throw new Error(`spool record ${slot} is short`);
  }

  private disposed = false;

  /** Closes and deletes the spool file; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}
