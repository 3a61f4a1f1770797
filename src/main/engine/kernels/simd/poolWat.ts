import { outputPositions } from './watLoops';

/**
 * $maxPoolGrad: for every pooling window, the first maximum (strictly greater wins, windows read in
 * row-major order, as tf's cpu kernel does) gets the window's output gradient added. Four channels at a
 * time: comparisons and the running argmax are f32x4/i32x4 selects; the four scatters are scalar.
 * NaN never wins (comparisons with NaN are false), so an all-NaN window passes no gradient, as on cpu.
 */
/**
 * For each tap (fh, fw) of the window of output (oh, ow) that falls inside the image, with $base the
 * element index of x[b, row, col, c]: `body`. `id` keeps the block labels of two uses apart.
 */
function windowTaps(id: string, body: string): string {
  return `(local.set $fh (i32.const 0))
            (block $doneFh${id} (loop $loopFh${id}
              (br_if $doneFh${id} (i32.ge_u (local.get $fh) (local.get $FH)))
              (local.set $row (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt)) (local.get $fh)))
              (if (i32.lt_u (local.get $row) (local.get $H)) (then
                (local.set $fw (i32.const 0))
                (block $doneFw${id} (loop $loopFw${id}
                  (br_if $doneFw${id} (i32.ge_u (local.get $fw) (local.get $FW)))
                  (local.set $col (i32.add (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)) (local.get $fw)))
                  (if (i32.lt_u (local.get $col) (local.get $W)) (then
                    (local.set $base (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $row)) (local.get $W)) (local.get $col)) (local.get $C)) (local.get $c)))
                    ${body}))
                  (local.set $fw (i32.add (local.get $fw) (i32.const 1)))
                  (br $loopFw${id})))))
              (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
              (br $loopFh${id})))`;
}

export const poolWat = `
  (func $maxPoolGrad (export "maxPoolGrad") (param $x i32) (param $dy i32) (param $dx i32)
      (param $B i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
      (param $FH i32) (param $FW i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $c i32) (local $fh i32) (local $fw i32)
    (local $row i32) (local $col i32) (local $base i32) (local $g i32)
    (local $best v128) (local $at v128) (local $v v128) (local $m v128)
    (local $bestS f32) (local $atS i32) (local $vS f32) (local $lane i32) (local $i i32)
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (i32.mul (local.get $B) (local.get $H)) (local.get $W)) (local.get $C)) (i32.const 2)))
    ${outputPositions(
      '(local.get $B)',
      `
          ;; element index of dy[b, oh, ow, 0]
          (local.set $g (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $OH)) (local.get $oh)) (local.get $OW)) (local.get $ow)) (local.get $C)))
          (local.set $c (i32.const 0))
          (block $doneV (loop $loopV
            (br_if $doneV (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $C)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $at (i32x4.splat (i32.const -1)))
            ${windowTaps(
              'V',
              `(local.set $v (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $base) (i32.const 2)))))
                    (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                    (local.set $at (v128.bitselect
                      (i32x4.add (i32x4.splat (local.get $base)) (v128.const i32x4 0 1 2 3))
                      (local.get $at) (local.get $m)))`,
            )}
            (call $scatter (local.get $dx) (local.get $dy) (i32x4.extract_lane 0 (local.get $at)) (i32.add (local.get $g) (local.get $c)))
            (call $scatter (local.get $dx) (local.get $dy) (i32x4.extract_lane 1 (local.get $at)) (i32.add (local.get $g) (i32.add (local.get $c) (i32.const 1))))
            (call $scatter (local.get $dx) (local.get $dy) (i32x4.extract_lane 2 (local.get $at)) (i32.add (local.get $g) (i32.add (local.get $c) (i32.const 2))))
            (call $scatter (local.get $dx) (local.get $dy) (i32x4.extract_lane 3 (local.get $at)) (i32.add (local.get $g) (i32.add (local.get $c) (i32.const 3))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $loopV)))
          ;; the C % 4 channels left, one at a time
          (block $doneS (loop $loopS
            (br_if $doneS (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $bestS (f32.const -inf))
            (local.set $atS (i32.const -1))
            ${windowTaps(
              'S',
              `(local.set $vS (f32.load (i32.add (local.get $x) (i32.shl (local.get $base) (i32.const 2)))))
                    (if (f32.gt (local.get $vS) (local.get $bestS)) (then
                      (local.set $bestS (local.get $vS))
                      (local.set $atS (local.get $base))))`,
            )}
            (call $scatter (local.get $dx) (local.get $dy) (local.get $atS) (i32.add (local.get $g) (local.get $c)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $loopS)))
          `,
    )})

  ;; dx[at] += dy[from], unless no element of the window was a maximum (at = -1)
  (func $scatter (param $dx i32) (param $dy i32) (param $at i32) (param $from i32)
    (local $p i32)
    (if (i32.ge_s (local.get $at) (i32.const 0)) (then
      (local.set $p (i32.add (local.get $dx) (i32.shl (local.get $at) (i32.const 2))))
      (f32.store (local.get $p) (f32.add (f32.load (local.get $p))
        (f32.load (i32.add (local.get $dy) (i32.shl (local.get $from) (i32.const 2)))))))))

  ;; The common case — 2×2 windows, stride 2, no padding, channels a multiple of 4 — without scatters:
  ;; windows do not overlap, so each of the four positions gets dy or 0 by a vector select. Same
  ;; first-maximum rule (a later value must be strictly greater). Positions no window covers (odd
  ;; sizes) are zeroed first.
  (func $maxPoolGrad2x2 (export "maxPoolGrad2x2") (param $x i32) (param $dy i32) (param $dx i32)
      (param $B i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32) (param $b0 i32) (param $b1 i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $c i32) (local $row i32) (local $col i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $g i32) (local $d v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $best v128)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128) (local $rowBytes i32) (local $pix i32)
    ;; images [b0, b1) only, so callers can split the work by image
    (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $pix)))
    (if (i32.or (i32.ne (local.get $H) (i32.shl (local.get $OH) (i32.const 1)))
                (i32.ne (local.get $W) (i32.shl (local.get $OW) (i32.const 1))))
      (then (memory.fill (i32.add (local.get $dx) (i32.mul (i32.mul (local.get $b0) (local.get $H)) (local.get $rowBytes)))
        (i32.const 0) (i32.mul (i32.mul (i32.sub (local.get $b1) (local.get $b0)) (local.get $H)) (local.get $rowBytes)))))
    (local.set $g (i32.add (local.get $dy) (i32.mul (i32.mul (i32.mul (local.get $b0) (local.get $OH)) (local.get $OW)) (local.get $pix))))
    (local.set $b (local.get $b0))
    ${outputPositions(
      '(local.get $b1)',
      `
          ;; byte offset of x[b, 2·oh, 2·ow, 0]; the same offsets address dx
          (local.set $p0 (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (i32.shl (local.get $oh) (i32.const 1))) (local.get $rowBytes))
            (i32.mul (i32.shl (local.get $ow) (i32.const 1)) (local.get $pix))))
          (local.set $p1 (i32.add (local.get $p0) (local.get $pix)))
          (local.set $p2 (i32.add (local.get $p0) (local.get $rowBytes)))
          (local.set $p3 (i32.add (local.get $p2) (local.get $pix)))
          (local.set $c (i32.const 0))
          (block $doneC (loop $loopC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $pix)))
            (local.set $v0 (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $p0) (local.get $c)))))
            (local.set $v1 (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $p1) (local.get $c)))))
            (local.set $v2 (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $p2) (local.get $c)))))
            (local.set $v3 (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $p3) (local.get $c)))))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $g0 (f32x4.gt (local.get $v0) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v0) (local.get $best) (local.get $g0)))
            (local.set $g1 (f32x4.gt (local.get $v1) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v1) (local.get $best) (local.get $g1)))
            (local.set $g2 (f32x4.gt (local.get $v2) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v2) (local.get $best) (local.get $g2)))
            (local.set $g3 (f32x4.gt (local.get $v3) (local.get $best)))
            ;; the last window position that raised the maximum wins
            (local.set $g2 (v128.andnot (local.get $g2) (local.get $g3)))
            (local.set $g1 (v128.andnot (v128.andnot (local.get $g1) (local.get $g3)) (local.get $g2)))
            (local.set $g0 (v128.andnot (v128.andnot (v128.andnot (local.get $g0) (local.get $g3)) (local.get $g2)) (local.get $g1)))
            (local.set $d (v128.load align=4 (i32.add (local.get $g) (local.get $c))))
            (v128.store align=4 (i32.add (local.get $dx) (i32.add (local.get $p0) (local.get $c))) (v128.and (local.get $d) (local.get $g0)))
            (v128.store align=4 (i32.add (local.get $dx) (i32.add (local.get $p1) (local.get $c))) (v128.and (local.get $d) (local.get $g1)))
            (v128.store align=4 (i32.add (local.get $dx) (i32.add (local.get $p2) (local.get $c))) (v128.and (local.get $d) (local.get $g2)))
            (v128.store align=4 (i32.add (local.get $dx) (i32.add (local.get $p3) (local.get $c))) (v128.and (local.get $d) (local.get $g3)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $loopC)))
          (local.set $g (i32.add (local.get $g) (local.get $pix)))
          `,
    )})`;
