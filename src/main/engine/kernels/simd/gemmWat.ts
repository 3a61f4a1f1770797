/**
 * WebAssembly text of the matrix products the training kernels need, as register-tiled SIMD loops.
 * One f32x4 multiply and one add per four products (WebAssembly has no fused multiply-add), summed over
 * the reduction index in ascending order, so every run gives the same bits.
 *
 *   $gemmTN  C[M×P] = Aᵀ·B   A [N×M], B [N×P] row-major  (filter gradients, dense weight gradients)
 *   $gemmNT  C[M×P] = A·Bᵀ   A [M×K], B [P×K] row-major  (dense input gradients)
 *   $gemmNN  C[M×P] = A·B    A [M×K], B [K×P] row-major  (convolution input gradients, before col2im)
 *
 * Tiles: 4 rows × 8 columns of C in eight v128 accumulators (A values broadcast with load32_splat,
 * B rows read as two vectors), then narrower tiles for the edges.
 */

type Kind = 'tn' | 'nn';
const acc = (r: number, v: number) => `$c${r}_${v}`;

/**
 * One tile function: `rows` rows of C (1 or 4) × `width` columns (8, 4 or 1), run over `$n` reduction
 * steps. Both kinds read B's row at $pb and step it by $sb; they differ in where A's values are:
 * tn — A's rows are the reduction (A[n, m0+r] at $pa + 4r, $pa steps by $sa) and a later slice of the
 *      reduction continues from the sums already in C ($load);
 * nn — A's columns are the reduction (A[m0+r, k] at $pa + r·$sa, $pa steps by 4).
 */
function tile(kind: Kind, rows: number, width: 8 | 4 | 1): string {
  const vecs = width === 1 ? 1 : width / 4;
  const type = width === 1 ? 'f32' : 'v128';
  const [mul, add] = width === 1 ? ['f32.mul', 'f32.add'] : ['f32x4.mul', 'f32x4.add'];
  const locals: string[] = [];
  for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) locals.push(`(local ${acc(r, v)} ${type})`);
  const aAt = (r: number) =>
    kind === 'tn'
      ? `offset=${r * 4} (local.get $pa)`
      : r === 0
        ? '(local.get $pa)'
        : `(i32.add (local.get $pa) (local.get $l${r}))`;
  const cAt = (r: number) =>
    r === 0 ? '(local.get $pc)' : `(i32.add (local.get $pc) (i32.mul (i32.const ${r}) (local.get $sc)))`;
  const vector = (v: number) => (width === 1 ? '' : `offset=${v * 16} align=4 `);
  const body: string[] = [];
  for (let v = 0; v < vecs; v++) body.push(`(local.set $b${v} (${type}.load ${vector(v)}(local.get $pb)))`);
  for (let r = 0; r < rows; r++) {
    body.push(`(local.set $a ${width === 1 ? `(f32.load ${aAt(r)})` : `(v128.load32_splat ${aAt(r)})`})`);
    for (let v = 0; v < vecs; v++)
      body.push(
        `(local.set ${acc(r, v)} (${add} (local.get ${acc(r, v)}) (${mul} (local.get $a) (local.get $b${v}))))`,
      );
  }
  const loads: string[] = [];
  const stores: string[] = [];
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vecs; v++) {
      loads.push(`(local.set ${acc(r, v)} (${type}.load ${vector(v)}${cAt(r)}))`);
      stores.push(`(${type}.store ${vector(v)}${cAt(r)} (local.get ${acc(r, v)}))`);
    }
  }
  const bLocals = Array.from({ length: vecs }, (_, v) => `(local $b${v} ${type})`).join(' ');
  const setup =
    kind === 'tn'
      ? `(if (local.get $load) (then ${loads.join(' ')}))`
      : `(local.set $l1 (local.get $sa))
    (local.set $l2 (i32.shl (local.get $sa) (i32.const 1)))
    (local.set $l3 (i32.add (local.get $l2) (local.get $sa)))`;
  const stepA = kind === 'tn' ? '(local.get $sa)' : '(i32.const 4)';
  return `
  (func $${kind}_${rows}x${width} (param $pa i32) (param $pb i32) (param $pc i32) (param $n i32) (param $sa i32) (param $sb i32) (param $sc i32) (param $load i32)
    ${locals.join(' ')} ${bLocals} (local $a ${type}) (local $l1 i32) (local $l2 i32) (local $l3 i32)
    ;; locals start at zero
    ${setup}
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        ${body.join('\n        ')}
        (local.set $pa (i32.add (local.get $pa) ${stepA}))
        (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
        (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    ${stores.join('\n    ')})`;
}

/**
 * One band of C's rows (4 or 1) across all its columns: 8-, then 4-, then 1-column tiles. Params: A, B,
 * C at the band's start, the reduction length, A's step ($sa), P, rows, $load.
 */
function band(kind: Kind): string {
  const call = (width: number) => {
    const args = `(local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $n) (local.get $sa) (local.get $sb) (local.get $sb) (local.get $load)`;
    return `(if (i32.eq (local.get $rows) (i32.const 4))
        (then (call $${kind}_4x${width} ${args}))
        (else (call $${kind}_1x${width} ${args})))`;
  };
  return `
  (func $${kind}_band (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $sa i32) (param $P i32) (param $rows i32) (param $load i32)
    (local $p i32) (local $sb i32)
    (local.set $sb (i32.shl (local.get $P) (i32.const 2)))
    (block $w8 (loop $l8
      (br_if $w8 (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $P)))
      ${call(8)}
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $l8)))
    (if (i32.le_u (i32.add (local.get $p) (i32.const 4)) (local.get $P))
      (then ${call(4)}
        (local.set $p (i32.add (local.get $p) (i32.const 4)))))
    (block $w1 (loop $l1
      (br_if $w1 (i32.ge_u (local.get $p) (local.get $P)))
      ${call(1)}
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l1))))`;
}

/** C's rows [$m0, $m1) in bands of 4, then single rows; `callBand(rows)` calls the band at row $m. */
function rowBands(callBand: (rows: 4 | 1) => string): string {
  return `(local.set $m (local.get $m0))
      (block $b4 (loop $l4
        (br_if $b4 (i32.gt_u (i32.add (local.get $m) (i32.const 4)) (local.get $m1)))
        ${callBand(4)}
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (br $l4)))
      (block $b1 (loop $l1
        (br_if $b1 (i32.ge_u (local.get $m) (local.get $m1)))
        ${callBand(1)}
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $l1)))`;
}

const sliceRows = 256;
const cRow = '(i32.add (local.get $c) (i32.shl (i32.mul (local.get $m) (local.get $P)) (i32.const 2)))';

const gemmTN = `
  ;; C[M×P] = Aᵀ·B; rows [m0, m1) of C only, so callers can split the work. The reduction runs in slices
  ;; of ${sliceRows} rows, small enough that a slice of A and B stays in cache while every tile of C
  ;; passes over it; each element still sums its products in ascending order.
  (func $gemmTN (export "gemmTN") (param $a i32) (param $b i32) (param $c i32) (param $N i32) (param $M i32) (param $P i32) (param $m0 i32) (param $m1 i32)
    (local $m i32) (local $n0 i32) (local $rows i32) (local $pa i32) (local $pb i32) (local $sa i32)
    (local.set $sa (i32.shl (local.get $M) (i32.const 2)))
    (block $slices (loop $slice
      (br_if $slices (i32.ge_u (local.get $n0) (local.get $N)))
      (local.set $rows (select (i32.const ${sliceRows}) (i32.sub (local.get $N) (local.get $n0))
        (i32.le_u (i32.add (local.get $n0) (i32.const ${sliceRows})) (local.get $N))))
      (local.set $pa (i32.add (local.get $a) (i32.shl (i32.mul (local.get $n0) (local.get $M)) (i32.const 2))))
      (local.set $pb (i32.add (local.get $b) (i32.shl (i32.mul (local.get $n0) (local.get $P)) (i32.const 2))))
      ${rowBands(
        (
          rows,
        ) => `(call $tn_band (i32.add (local.get $pa) (i32.shl (local.get $m) (i32.const 2))) (local.get $pb) ${cRow}
          (local.get $rows) (local.get $sa) (local.get $P) (i32.const ${rows}) (local.get $n0))`,
      )}
      (local.set $n0 (i32.add (local.get $n0) (local.get $rows)))
      (br $slice))))`;

/** C[M×P] = A·B with A [M×K], B [K×P] row-major; rows [m0, m1) of C. For short reductions (K = channels). */
const gemmNN = `
  (func $gemmNN (export "gemmNN") (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $K i32) (param $P i32) (param $m0 i32) (param $m1 i32)
    (local $m i32) (local $sa i32)
    (local.set $sa (i32.shl (local.get $K) (i32.const 2)))
    ${rowBands(
      (
        rows,
      ) => `(call $nn_band (i32.add (local.get $a) (i32.shl (i32.mul (local.get $m) (local.get $K)) (i32.const 2))) (local.get $b) ${cRow}
        (local.get $K) (local.get $sa) (local.get $P) (i32.const ${rows}) (i32.const 0))`,
    )})`;

/**
 * C[M×P] = A·Bᵀ: each C element is a dot product of two contiguous rows, four lanes at a time (lane
 * partial sums added in a fixed order), the K % 4 tail in scalar.
 */
const gemmNT = `
  (func $dot (param $pa i32) (param $pb i32) (param $K i32) (result f32)
    (local $acc v128) (local $k i32) (local $s f32)
    (local.set $acc (v128.const i32x4 0 0 0 0))
    (block $v (loop $lv
      (br_if $v (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
      (local.set $acc (f32x4.add (local.get $acc)
        (f32x4.mul (v128.load align=4 (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2))))
                   (v128.load align=4 (i32.add (local.get $pb) (i32.shl (local.get $k) (i32.const 2)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $lv)))
    (local.set $s (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (block $t (loop $lt
      (br_if $t (i32.ge_u (local.get $k) (local.get $K)))
      (local.set $s (f32.add (local.get $s)
        (f32.mul (f32.load (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2))))
                 (f32.load (i32.add (local.get $pb) (i32.shl (local.get $k) (i32.const 2)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $lt)))
    (local.get $s))

  (func $gemmNT (export "gemmNT") (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $K i32) (param $P i32) (param $m0 i32) (param $m1 i32)
    (local $m i32) (local $p i32) (local $rowA i32) (local $rowC i32)
    (local.set $m (local.get $m0))
    (block $bm (loop $lm
      (br_if $bm (i32.ge_u (local.get $m) (local.get $m1)))
      (local.set $rowA (i32.add (local.get $a) (i32.shl (i32.mul (local.get $m) (local.get $K)) (i32.const 2))))
      (local.set $rowC (i32.add (local.get $c) (i32.shl (i32.mul (local.get $m) (local.get $P)) (i32.const 2))))
      (local.set $p (i32.const 0))
      (block $bp (loop $lp
        (br_if $bp (i32.ge_u (local.get $p) (local.get $P)))
        (f32.store (i32.add (local.get $rowC) (i32.shl (local.get $p) (i32.const 2)))
          (call $dot (local.get $rowA)
            (i32.add (local.get $b) (i32.shl (i32.mul (local.get $p) (local.get $K)) (i32.const 2)))
            (local.get $K)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $lp)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $lm))))`;

const tiles = (['tn', 'nn'] as const).flatMap((kind) =>
  [4, 1].flatMap((rows) => ([8, 4, 1] as const).map((width) => tile(kind, rows, width))),
);

export const gemmWat = [...tiles, band('tn'), band('nn'), gemmTN, gemmNN, gemmNT].join('\n');
