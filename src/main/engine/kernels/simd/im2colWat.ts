import { outputPositions } from './watLoops';

/**
 * $im2col: the patches a convolution reads, one row per output position (b, oh, ow) and one column per
 * filter tap (kh, kw, c) — the layout of a [kh, kw, cin, cout] filter flattened to [kh·kw·cin, cout], so
 * the filter gradient is one matrix product Patchesᵀ·dy. Taps outside the image (padding) are zero.
 * Rows [row0, row1) only, so callers can split the work.
 */
/** The byte address of pixel (b, ih, iw) of an [B, H, W, C] tensor at `base`. */
const pixel = (base: string) =>
  `(i32.add (local.get ${base}) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $iw)) (local.get $bytes)))`;

/**
 * For each filter tap (kh, kw) of output position (oh, ow): its input pixel (ih, iw), then `inside` when
 * that pixel is in the image (unsigned compare: a negative coordinate is out of range too), `outside`
 * when it is padding, and `next` either way.
 */
function taps(inside: string, outside: string, next: string): string {
  return `(local.set $kh (i32.const 0))
      (loop $nextKh
        (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt)) (local.get $kh)))
        (local.set $kw (i32.const 0))
        (loop $nextKw
          (local.set $iw (i32.add (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)) (local.get $kw)))
          (if (i32.and (i32.lt_u (local.get $ih) (local.get $H)) (i32.lt_u (local.get $iw) (local.get $W)))
            (then ${inside})
            (else ${outside}))
          ${next}
          (br_if $nextKw (i32.lt_u (local.tee $kw (i32.add (local.get $kw) (i32.const 1))) (local.get $KW))))
        (br_if $nextKh (i32.lt_u (local.tee $kh (i32.add (local.get $kh) (i32.const 1))) (local.get $KH))))`;
}

export const im2colWat = `
  ;; copies n bytes (a multiple of 4) from src to dst, 16 at a time then 4
  (func $copyFloats (param $dst i32) (param $src i32) (param $n i32)
    (local $k i32)
    (block $v (loop $lv
      (br_if $v (i32.gt_u (i32.add (local.get $k) (i32.const 16)) (local.get $n)))
      (v128.store align=4 (i32.add (local.get $dst) (local.get $k)) (v128.load align=4 (i32.add (local.get $src) (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $lv)))
    (block $s (loop $ls
      (br_if $s (i32.ge_u (local.get $k) (local.get $n)))
      (f32.store (i32.add (local.get $dst) (local.get $k)) (f32.load (i32.add (local.get $src) (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $ls))))

  (func $im2col (export "im2col") (param $x i32) (param $out i32) (param $H i32) (param $W i32) (param $C i32)
      (param $KH i32) (param $KW i32) (param $OH i32) (param $OW i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
      (param $row0 i32) (param $row1 i32)
    (local $row i32) (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $ih i32) (local $iw i32) (local $bytes i32) (local $dst i32) (local $rest i32) (local $src i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $dst (i32.add (local.get $out)
      (i32.mul (local.get $row0) (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $bytes)))))
    (local.set $row (local.get $row0))
    (block $rows (loop $nextRow
      (br_if $rows (i32.ge_u (local.get $row) (local.get $row1)))
      (local.set $ow (i32.rem_u (local.get $row) (local.get $OW)))
      (local.set $rest (i32.div_u (local.get $row) (local.get $OW)))
      (local.set $oh (i32.rem_u (local.get $rest) (local.get $OH)))
      (local.set $b (i32.div_u (local.get $rest) (local.get $OH)))
      ${taps(
        `(local.set $src ${pixel('$x')})
              ;; one channel (the first layer of a grayscale model): a single float, no call
              (if (i32.eq (local.get $bytes) (i32.const 4))
                (then (f32.store (local.get $dst) (f32.load (local.get $src))))
                (else (call $copyFloats (local.get $dst) (local.get $src) (local.get $bytes))))`,
        `(if (i32.eq (local.get $bytes) (i32.const 4))
                (then (f32.store (local.get $dst) (f32.const 0)))
                (else (memory.fill (local.get $dst) (i32.const 0) (local.get $bytes))))`,
        '(local.set $dst (i32.add (local.get $dst) (local.get $bytes)))',
      )}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $nextRow))))

  ;; adds n bytes of floats (a multiple of 4) from src into dst, 16 at a time then 4
  (func $addFloats (param $dst i32) (param $src i32) (param $n i32)
    (local $k i32) (local $p i32)
    (block $v (loop $lv
      (br_if $v (i32.gt_u (i32.add (local.get $k) (i32.const 16)) (local.get $n)))
      (local.set $p (i32.add (local.get $dst) (local.get $k)))
      (v128.store align=4 (local.get $p) (f32x4.add (v128.load align=4 (local.get $p))
        (v128.load align=4 (i32.add (local.get $src) (local.get $k)))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $lv)))
    (block $s (loop $ls
      (br_if $s (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $p (i32.add (local.get $dst) (local.get $k)))
      (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (i32.add (local.get $src) (local.get $k)))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $ls))))

  ;; $col2im, the adjoint of $im2col: every patch row adds its taps back where they were read from
  ;; (taps in the padding are dropped). Rows and taps in ascending order, into a zeroed dx.
  (func $col2im (export "col2im") (param $cols i32) (param $dx i32) (param $B i32) (param $H i32) (param $W i32) (param $C i32)
      (param $KH i32) (param $KW i32) (param $OH i32) (param $OW i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
      (param $b0 i32) (param $b1 i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $ih i32) (local $iw i32) (local $bytes i32) (local $src i32) (local $dst i32) (local $image i32)
    ;; images [b0, b1) only: their rows write nowhere else, so callers can split the work by image
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $image (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $bytes)))
    (memory.fill (i32.add (local.get $dx) (i32.mul (local.get $b0) (local.get $image))) (i32.const 0)
      (i32.mul (i32.sub (local.get $b1) (local.get $b0)) (local.get $image)))
    (local.set $src (i32.add (local.get $cols)
      (i32.mul (i32.mul (i32.mul (local.get $b0) (i32.mul (local.get $OH) (local.get $OW))) (i32.mul (local.get $KH) (local.get $KW))) (local.get $bytes))))
    (local.set $b (local.get $b0))
    ${outputPositions(
      '(local.get $b1)',
      `
          ${taps(
            `(local.set $dst ${pixel('$dx')})
                  (if (i32.eq (local.get $bytes) (i32.const 4))
                    (then (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src)))))
                    (else (call $addFloats (local.get $dst) (local.get $src) (local.get $bytes))))`,
            '',
            '(local.set $src (i32.add (local.get $src) (local.get $bytes)))',
          )}
          `,
    )})`;
