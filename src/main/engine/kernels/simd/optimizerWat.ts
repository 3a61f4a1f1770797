/**
 * One pass over a variable per optimizer step, in exactly the float32 operations (and order) of the
 * tensor ops optimizers.ts writes — so a step gives the same bits either way:
 *   Adam: m' = m·β1 + g·(1−β1);  v' = v·β2 + (g·g)·(1−β2);  w' = w − (m'·lr) / (√v' + ε)
 *   SGD:  u' = u·μ + g;          w' = w − u'·lr
 * The scalars arrive already rounded to float32, as tfjs rounds scalar operands.
 */
export const optimizerWat = `
  (func $adamStep (export "adamStep") (param $w i32) (param $g i32) (param $m i32) (param $v i32)
      (param $wOut i32) (param $mOut i32) (param $vOut i32) (param $n i32)
      (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $lr f32) (param $eps f32)
    (local $i i32) (local $end i32) (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $dv (loop $lv
      (br_if $dv (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $i))))
      (local.set $mv (f32x4.add
        (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $i))) (f32x4.splat (local.get $b1)))
        (f32x4.mul (local.get $gv) (f32x4.splat (local.get $c1)))))
      (local.set $vv (f32x4.add
        (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $i))) (f32x4.splat (local.get $b2)))
        (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $c2)))))
      (v128.store align=4 (i32.add (local.get $mOut) (local.get $i)) (local.get $mv))
      (v128.store align=4 (i32.add (local.get $vOut) (local.get $i)) (local.get $vv))
      (v128.store align=4 (i32.add (local.get $wOut) (local.get $i))
        (f32x4.sub (v128.load align=4 (i32.add (local.get $w) (local.get $i)))
          (f32x4.div (f32x4.mul (local.get $mv) (f32x4.splat (local.get $lr)))
            (f32x4.add (f32x4.sqrt (local.get $vv)) (f32x4.splat (local.get $eps))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $lv)))
    (block $ds (loop $ls
      (br_if $ds (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
      (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
        (f32.mul (local.get $gs) (local.get $c1))))
      (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
        (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
      (f32.store (i32.add (local.get $mOut) (local.get $i)) (local.get $ms))
      (f32.store (i32.add (local.get $vOut) (local.get $i)) (local.get $vs))
      (f32.store (i32.add (local.get $wOut) (local.get $i))
        (f32.sub (f32.load (i32.add (local.get $w) (local.get $i)))
          (f32.div (f32.mul (local.get $ms) (local.get $lr)) (f32.add (f32.sqrt (local.get $vs)) (local.get $eps)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $ls))))

  (func $sgdStep (export "sgdStep") (param $w i32) (param $g i32) (param $u i32) (param $wOut i32) (param $uOut i32)
      (param $n i32) (param $mu f32) (param $lr f32)
    (local $i i32) (local $end i32) (local $uv v128) (local $us f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $dv (loop $lv
      (br_if $dv (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (local.set $uv (f32x4.add
        (f32x4.mul (v128.load align=4 (i32.add (local.get $u) (local.get $i))) (f32x4.splat (local.get $mu)))
        (v128.load align=4 (i32.add (local.get $g) (local.get $i)))))
      (v128.store align=4 (i32.add (local.get $uOut) (local.get $i)) (local.get $uv))
      (v128.store align=4 (i32.add (local.get $wOut) (local.get $i))
        (f32x4.sub (v128.load align=4 (i32.add (local.get $w) (local.get $i)))
          (f32x4.mul (local.get $uv) (f32x4.splat (local.get $lr)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $lv)))
    (block $ds (loop $ls
      (br_if $ds (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $us (f32.add (f32.mul (f32.load (i32.add (local.get $u) (local.get $i))) (local.get $mu))
        (f32.load (i32.add (local.get $g) (local.get $i)))))
      (f32.store (i32.add (local.get $uOut) (local.get $i)) (local.get $us))
      (f32.store (i32.add (local.get $wOut) (local.get $i))
        (f32.sub (f32.load (i32.add (local.get $w) (local.get $i))) (f32.mul (local.get $us) (local.get $lr))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $ls))))`;
