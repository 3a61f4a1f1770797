// The sparsity map writes one pixel per weight: kept in the kept colour, pruned in the pruned colour.
import { afterEach, describe, expect, it, vi } from 'vitest';
import SparsityMap from '../../../src/renderer/components/runs/SparsityMap.vue';
import { packMask } from '../../../src/renderer/lib/maskBitmap';
import { mountWithApi } from '../mountWithApi';

class FakeImageData {
  constructor(
    public data: Uint8ClampedArray,
    public width: number,
    public height: number,
  ) {}
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('SparsityMap', () => {
  it('draws the mask pixel for pixel and redraws when the mask changes', async () => {
    vi.stubGlobal('ImageData', FakeImageData);
    const drawn: FakeImageData[] = [];
    const ctx = { putImageData: (img: FakeImageData) => drawn.push(img) };
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(
      ctx as unknown as CanvasRenderingContext2D,
    );
    document.documentElement.style.setProperty('--kept', '#102030');
    document.documentElement.style.setProperty('--pruned', '#ffffff');
    const mask = packMask(2, 4, (i) => i === 1 || i === 6);
    const { wrapper } = await mountWithApi(SparsityMap, { props: { mask, label: 'map' } });
    expect(drawn).toHaveLength(1);
    const img = drawn[0]!;
    expect([img.width, img.height]).toEqual([4, 2]);
    const px = (i: number) => [...img.data.slice(i * 4, i * 4 + 4)];
    expect(px(0)).toEqual([255, 255, 255, 255]);
    expect(px(1)).toEqual([16, 32, 48, 255]);
    expect(px(6)).toEqual([16, 32, 48, 255]);
    const canvas = wrapper.get('canvas').element as HTMLCanvasElement;
    expect([canvas.width, canvas.height]).toEqual([4, 2]);
    await wrapper.setProps({ mask: packMask(3, 3, () => true) });
    expect(drawn).toHaveLength(2);
    expect([canvas.width, canvas.height]).toEqual([3, 3]);
  });

  it('zoom scales the displayed size, not the pixels', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const mask = packMask(10, 100, () => true);
    const { wrapper } = await mountWithApi(SparsityMap, { props: { mask, label: 'map', zoom: 1 } });
    const width = () => parseFloat((wrapper.get('canvas').element as HTMLCanvasElement).style.width);
    const w1 = width();
    await wrapper.setProps({ zoom: 4 });
    expect(width()).toBeCloseTo(w1 * 4);
  });
});
