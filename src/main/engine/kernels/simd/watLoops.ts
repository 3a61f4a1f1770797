/**
 * The loop nest over output positions that several kernels share: for b from its current value to
 * `batchLimit`, oh over [0, $OH), ow over [0, $OW) — `body` sees $b, $oh, $ow.
 */
export function outputPositions(batchLimit: string, body: string): string {
  return `(block $doneB (loop $loopB
      (br_if $doneB (i32.ge_u (local.get $b) ${batchLimit}))
      (local.set $oh (i32.const 0))
      (block $doneOh (loop $loopOh
        (br_if $doneOh (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
        (block $doneOw (loop $loopOw
          (br_if $doneOw (i32.ge_u (local.get $ow) (local.get $OW)))
          ${body}
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $loopOw)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $loopOh)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $loopB)))`;
}
