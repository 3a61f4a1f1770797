// A per-file problem: thrown by the decoder, caught by the doctor, listed in the report. Never fatal.
import type { ProblemReason } from '../../../shared/dto';

export class ImageProblem extends Error {
  readonly reason: ProblemReason;

  constructor(reason: ProblemReason, detail: string) {
    super(detail);
    this.name = 'ImageProblem';
    this.reason = reason;
  }
}

/** sharp/libvips errors in words a user reads, mapped to a reason. */
export function classifyDecodeError(err: unknown): ImageProblem {
  if (err instanceof ImageProblem) return err;
  // libvips prefixes its messages with its internals ("Input buffer has corrupt header: VipsJpeg: …"), and
  // its shared error buffer can hand over a message that starts with an empty line: the first line that
  // says something is the one a user reads
  const message =
    (err instanceof Error ? err.message : String(err))
      .split('\n')
      .map((line) =>
        line
          .trim()
          .replace(/^Input (buffer|file) has corrupt header:\s*/i, '')
          .replace(/^(Vips\w+|\w+load(_buffer)?):\s*/, ''),
      )
      .find((line) => line !== '') ?? 'decoding failed';
  if (/pixel limit/i.test(message)) return new ImageProblem('too-many-pixels', message);
  if (/timeout/i.test(message))
    return new ImageProblem('corrupt', 'decoding took too long (over 30 s); the file is damaged or hostile');
  if (/unsupported image format/i.test(message)) return new ImageProblem('unsupported-format', message);
  return new ImageProblem('corrupt', message);
}
