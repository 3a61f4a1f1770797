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

const acc = (r: number, v: number) => `$c${r}_${v}`;

/**
 * One tile function of $gemmTN: `rows` rows of C (1 or 4) × `width` columns (8, 4 or 1).
 * Params: A at [0, m0], B at [0, p0], C at [m0, p0], N, and the row strides of A, B, C in bytes.
 */
function tnTile(rows: number, width: 8 | 4 | 1): string {
  const name = `$tn_${rows}x${width}`;
  const vecs = width === 1 ? 1 : width / 4;
  const type = width === 1 ? 'f32' : 'v128';
  const locals: string[] = [];
  for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) locals.push(`(local ${acc(r, v)} ${type})`);
  const loadB = (v: number) =>
    width === 1 ? `(f32.load (local.get $pb))` : `(v128.load offset=${v * 16} align=4 (local.get $pb))`;
  const loadA = (r: number) =>
    width === 1
      ? `(f32.load offset=${r * 4} (local.get $pa))`
      : `(v128.load32_splat offset=${r * 4} (local.get $pa))`;
  const mul = width === 1 ? 'f32.mul' : 'f32x4.mul';
  const add = width === 1 ? 'f32.add' : 'f32x4.add';
  const body: string[] = [];
  for (let v = 0; v < vecs; v++) body.push(`(local.set $b${v} ${loadB(v)})`);
  for (let r = 0; r < rows; r++) {
    body.push(`(local.set $a ${loadA(r)})`);
    for (let v = 0; v < vecs; v++)
      body.push(
        `(local.set ${acc(r, v)} (${add} (local.get ${acc(r, v)}) (${mul} (local.get $a) (local.get $b${v}))))`,
      );
  }
  const stores: string[] = [];
  const loads: string[] = [];
  for (let r = 0; r < rows; r++) {
    const at =
      r === 0 ? '(local.get $pc)' : `(i32.add (local.get $pc) (i32.mul (i32.const ${r}) (local.get $sc)))`;
    for (let v = 0; v < vecs; v++)
      loads.push(
        width === 1
          ? `(local.set ${acc(r, v)} (f32.load ${at}))`
          : `(local.set ${acc(r, v)} (v128.load offset=${v * 16} align=4 ${at}))`,
      );
    for (let v = 0; v < vecs; v++)
      stores.push(
        width === 1
          ? `(f32.store ${at} (local.get ${acc(r, v)}))`
          : `(v128.store offset=${v * 16} align=4 ${at} (local.get ${acc(r, v)}))`,
      );
  }
  const bLocals = Array.from({ length: vecs }, (_, v) => `(local $b${v} ${type})`).join(' ');
  return `
  (func ${name} (param $pa i32) (param $pb i32) (param $pc i32) (param $n i32) (param $sa i32) (param $sb i32) (param $sc i32) (param $load i32)
    ${locals.join(' ')} ${bLocals} (local $a ${type})
    ;; locals start at zero; a later slice of the reduction continues from the sums stored in C
    (if (local.get $load) (then ${loads.join(' ')}))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        ${body.join('\n        ')}
        (local.set $pa (i32.add (local.get $pa) (local.get $sa)))
        (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
        (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    ${stores.join('\n    ')})`;
}

/** Drives the tiles over C: 4-row bands, then single rows; 8-, 4- then 1-column strips in each. */
const sliceRows = 256;

const gemmTN = `
  (func $tn_band (param $a i32) (param $b i32) (param $c i32) (param $N i32) (param $M i32) (param $P i32) (param $rows i32) (param $load i32)
    (local $p i32) (local $sa i32) (local $sb i32) (local $sc i32)
    (local.set $sa (i32.shl (local.get $M) (i32.const 2)))
    (local.set $sb (i32.shl (local.get $P) (i32.const 2)))
    (local.set $sc (local.get $sb))
    (block $w8 (loop $l8
      (br_if $w8 (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $P)))
      (if (i32.eq (local.get $rows) (i32.const 4))
        (then (call $tn_4x8 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $N) (local.get $sa) (local.get $sb) (local.get $sc) (local.get $load)))
        (else (call $tn_1x8 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $N) (local.get $sa) (local.get $sb) (local.get $sc) (local.get $load))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $l8)))
    (if (i32.le_u (i32.add (local.get $p) (i32.const 4)) (local.get $P))
      (then
        (if (i32.eq (local.get $rows) (i32.const 4))
          (then (call $tn_4x4 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $N) (local.get $sa) (local.get $sb) (local.get $sc) (local.get $load)))
          (else (call $tn_1x4 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $N) (local.get $sa) (local.get $sb) (local.get $sc) (local.get $load))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))))
    (block $w1 (loop $l1
      (br_if $w1 (i32.ge_u (local.get $p) (local.get $P)))
      (if (i32.eq (local.get $rows) (i32.const 4))
        (then (call $tn_4x1 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $N) (local.get $sa) (local.get $sb) (local.get $sc) (local.get $load)))
        (else (call $tn_1x1 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $N) (local.get $sa) (local.get $sb) (local.get $sc) (local.get $load))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l1))))

  ;; C[M×P] = Aᵀ·B; rows [m0, m1) of C only, so callers can split the work. The reduction runs in slices
  ;; of ${sliceRows} rows, small enough that a slice of A and B stays in cache while every tile of C
  ;; passes over it; each element still sums its products in ascending order.
  (func $gemmTN (export "gemmTN") (param $a i32) (param $b i32) (param $c i32) (param $N i32) (param $M i32) (param $P i32) (param $m0 i32) (param $m1 i32)
    (local $m i32) (local $n0 i32) (local $rows i32) (local $pa i32) (local $pb i32)
    (block $slices (loop $slice
      (br_if $slices (i32.ge_u (local.get $n0) (local.get $N)))
      (local.set $rows (select (i32.const ${sliceRows}) (i32.sub (local.get $N) (local.get $n0))
        (i32.le_u (i32.add (local.get $n0) (i32.const ${sliceRows})) (local.get $N))))
      (local.set $pa (i32.add (local.get $a) (i32.shl (i32.mul (local.get $n0) (local.get $M)) (i32.const 2))))
      (local.set $pb (i32.add (local.get $b) (i32.shl (i32.mul (local.get $n0) (local.get $P)) (i32.const 2))))
      (local.set $m (local.get $m0))
      (block $b4 (loop $l4
        (br_if $b4 (i32.gt_u (i32.add (local.get $m) (i32.const 4)) (local.get $m1)))
        (call $tn_band (i32.add (local.get $pa) (i32.shl (local.get $m) (i32.const 2))) (local.get $pb)
          (i32.add (local.get $c) (i32.shl (i32.mul (local.get $m) (local.get $P)) (i32.const 2)))
          (local.get $rows) (local.get $M) (local.get $P) (i32.const 4) (local.get $n0))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (br $l4)))
      (block $b1 (loop $l1
        (br_if $b1 (i32.ge_u (local.get $m) (local.get $m1)))
        (call $tn_band (i32.add (local.get $pa) (i32.shl (local.get $m) (i32.const 2))) (local.get $pb)
          (i32.add (local.get $c) (i32.shl (i32.mul (local.get $m) (local.get $P)) (i32.const 2)))
          (local.get $rows) (local.get $M) (local.get $P) (i32.const 1) (local.get $n0))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $l1)))
      (local.set $n0 (i32.add (local.get $n0) (local.get $rows)))
      (br $slice))))`;

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

/**
 * One tile function of $gemmNN: `rows` rows of C (1 or 4) × `width` columns (8, 4 or 1), over the whole
 * (short) reduction. Params: A at [m0, 0], B at [0, p0], C at [m0, p0], K, A's row stride (bytes), B's and
 * C's row strides (bytes).
 */
function nnTile(rows: number, width: 8 | 4 | 1): string {
  const vecs = width === 1 ? 1 : width / 4;
  const type = width === 1 ? 'f32' : 'v128';
  const mul = width === 1 ? 'f32.mul' : 'f32x4.mul';
  const add = width === 1 ? 'f32.add' : 'f32x4.add';
  const rowOffset = (r: number) =>
    r === 0 ? '(local.get $pa)' : `(i32.add (local.get $pa) (local.get $l${r}))`;
  const locals: string[] = [];
  for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) locals.push(`(local ${acc(r, v)} ${type})`);
  const body: string[] = [];
  for (let v = 0; v < vecs; v++)
    body.push(
      `(local.set $b${v} ${width === 1 ? '(f32.load (local.get $pb))' : `(v128.load offset=${v * 16} align=4 (local.get $pb))`})`,
    );
  for (let r = 0; r < rows; r++) {
    body.push(
      `(local.set $a ${width === 1 ? `(f32.load ${rowOffset(r)})` : `(v128.load32_splat ${rowOffset(r)})`})`,
    );
    for (let v = 0; v < vecs; v++)
      body.push(
        `(local.set ${acc(r, v)} (${add} (local.get ${acc(r, v)}) (${mul} (local.get $a) (local.get $b${v}))))`,
      );
  }
  const stores: string[] = [];
  for (let r = 0; r < rows; r++) {
    const at =
      r === 0 ? '(local.get $pc)' : `(i32.add (local.get $pc) (i32.mul (i32.const ${r}) (local.get $sc)))`;
    for (let v = 0; v < vecs; v++)
      stores.push(
        width === 1
          ? `(f32.store ${at} (local.get ${acc(r, v)}))`
          : `(v128.store offset=${v * 16} align=4 ${at} (local.get ${acc(r, v)}))`,
      );
  }
  const bLocals = Array.from({ length: vecs }, (_, v) => `(local $b${v} ${type})`).join(' ');
  return `
  (func $nn_${rows}x${width} (param $pa i32) (param $pb i32) (param $pc i32) (param $k i32) (param $lda i32) (param $sb i32) (param $sc i32)
    ${locals.join(' ')} ${bLocals} (local $a ${type}) (local $l1 i32) (local $l2 i32) (local $l3 i32)
    (local.set $l1 (local.get $lda))
    (local.set $l2 (i32.shl (local.get $lda) (i32.const 1)))
    (local.set $l3 (i32.add (local.get $l2) (local.get $lda)))
    (block $done
      (br_if $done (i32.eqz (local.get $k)))
      (loop $next
        ${body.join('\n        ')}
        (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
        (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
        (br_if $next (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    ${stores.join('\n    ')})`;
}

/** C[M×P] = A·B with A [M×K], B [K×P] row-major; rows [m0, m1) of C. For short reductions (K = channels). */
const gemmNN = `
  (func $nn_band (param $a i32) (param $b i32) (param $c i32) (param $K i32) (param $P i32) (param $rows i32)
    (local $p i32) (local $lda i32) (local $sb i32)
    (local.set $lda (i32.shl (local.get $K) (i32.const 2)))
    (local.set $sb (i32.shl (local.get $P) (i32.const 2)))
    (block $w8 (loop $l8
      (br_if $w8 (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $P)))
      (if (i32.eq (local.get $rows) (i32.const 4))
        (then (call $nn_4x8 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $K) (local.get $lda) (local.get $sb) (local.get $sb)))
        (else (call $nn_1x8 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $K) (local.get $lda) (local.get $sb) (local.get $sb))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $l8)))
    (if (i32.le_u (i32.add (local.get $p) (i32.const 4)) (local.get $P))
      (then
        (if (i32.eq (local.get $rows) (i32.const 4))
          (then (call $nn_4x4 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $K) (local.get $lda) (local.get $sb) (local.get $sb)))
          (else (call $nn_1x4 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $K) (local.get $lda) (local.get $sb) (local.get $sb))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))))
    (block $w1 (loop $l1
      (br_if $w1 (i32.ge_u (local.get $p) (local.get $P)))
      (if (i32.eq (local.get $rows) (i32.const 4))
        (then (call $nn_4x1 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $K) (local.get $lda) (local.get $sb) (local.get $sb)))
        (else (call $nn_1x1 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 2))) (local.get $K) (local.get $lda) (local.get $sb) (local.get $sb))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l1))))

  (func $gemmNN (export "gemmNN") (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $K i32) (param $P i32) (param $m0 i32) (param $m1 i32)
    (local $m i32)
    (local.set $m (local.get $m0))
    (block $b4 (loop $l4
      (br_if $b4 (i32.gt_u (i32.add (local.get $m) (i32.const 4)) (local.get $m1)))
      (call $nn_band (i32.add (local.get $a) (i32.shl (i32.mul (local.get $m) (local.get $K)) (i32.const 2))) (local.get $b)
        (i32.add (local.get $c) (i32.shl (i32.mul (local.get $m) (local.get $P)) (i32.const 2)))
        (local.get $K) (local.get $P) (i32.const 4))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (br $l4)))
    (block $b1 (loop $l1
      (br_if $b1 (i32.ge_u (local.get $m) (local.get $m1)))
      (call $nn_band (i32.add (local.get $a) (i32.shl (i32.mul (local.get $m) (local.get $K)) (i32.const 2))) (local.get $b)
        (i32.add (local.get $c) (i32.shl (i32.mul (local.get $m) (local.get $P)) (i32.const 2)))
        (local.get $K) (local.get $P) (i32.const 1))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $l1))))`;

export const gemmWat = [
  tnTile(4, 8),
  tnTile(4, 4),
  tnTile(4, 1),
  tnTile(1, 8),
  tnTile(1, 4),
  tnTile(1, 1),
  gemmTN,
  gemmNT,
  nnTile(4, 8),
  nnTile(4, 4),
  nnTile(4, 1),
  nnTile(1, 8),
  nnTile(1, 4),
  nnTile(1, 1),
  gemmNN,
].join('\n');
