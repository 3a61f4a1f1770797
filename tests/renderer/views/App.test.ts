// The shell: machine status said plainly, navigation by keyboard, theme switching.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import App from '../../../src/renderer/App.vue';
import { mountWithApi } from '../mountWithApi';
import { makeRun, makeSystem } from '../fixtures';
import { navigate } from '../../../src/renderer/router';

afterEach(() => {
  document.body.innerHTML = '';
  location.hash = '';
});

const key = (k: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k }));

describe('App shell', () => {
  it('says the backend once (its reason on hover) and lists missing pieces with their cost', async () => {
    const { wrapper } = await mountWithApi(App);
    const status = wrapper.get('[data-test="system-status"]');
    const backend = status.get('[data-test="backend"]');
    expect(backend.text()).toBe('WebAssembly · 2 threads');
    expect(backend.attributes('title')).toBe('tfjs-node not installed: using wasm, 2 threads');
    expect(status.get('[data-test="missing"] summary').text()).toBe('1 missing piece');
    expect(status.get('[data-test="missing"]').text()).toContain(
      'tfjs-node — training runs on WebAssembly, several times slower than native',
    );
  });

  it('flags plain CPU as slow and omits the missing list when nothing is missing', async () => {
    const { wrapper } = await mountWithApi(App, {
      state: {
        system: makeSystem({
          backend: { name: 'cpu', threads: 1, reason: 'wasm failed to load' },
          missing: [],
        }),
      },
    });
    expect(wrapper.get('[data-test="backend"]').classes()).toContain('warn');
    expect(wrapper.get('[data-test="backend"]').text()).toBe('plain CPU (slow)');
    expect(wrapper.get('[data-test="backend"]').attributes('title')).toBe('wasm failed to load');
    expect(wrapper.find('[data-test="missing"]').exists()).toBe(false);
  });

  it('says when the services cannot be reached', async () => {
    const { wrapper } = await mountWithApi(App, {
      state: { failures: { 'system.info': { code: 'INTERNAL', message: 'lost the connection' } } },
    });
    expect(wrapper.get('[role="alert"]').text()).toContain(
      'Could not reach the PruneLab services: lost the connection',
    );
  });

  it('number keys switch views, but not while typing in a field', async () => {
    const { wrapper } = await mountWithApi(App);
    key('3');
    await flushPromises();
    expect(location.hash).toBe('#/runs');
    expect(wrapper.get('[data-test="nav-runs"]').attributes('aria-current')).toBe('page');
    const input = wrapper.get('input').element as HTMLInputElement;
    input.dispatchEvent(new KeyboardEvent('keydown', { key: '1', bubbles: true }));
    await flushPromises();
    expect(location.hash).toBe('#/runs');
    key('1');
    await flushPromises();
    expect(location.hash).toBe('#/datasets');
  });

  it('applies the theme to the document and toggles it', async () => {
    const { wrapper, fake } = await mountWithApi(App);
    expect(document.documentElement.dataset.theme).toBe('light');
    await wrapper.get('[data-test="theme-toggle"]').trigger('click');
    await flushPromises();
    expect(fake.calls.at(-1)).toEqual({ name: 'settings.set', payload: { theme: 'dark' } });
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it("the desktop menu's Export model… opens the Export dialog for the run on screen", async () => {
    navigate({ name: 'run', id: 'r1' });
    const { wrapper, fake } = await mountWithApi(App, {
      state: { runs: [makeRun({ id: 'r1', status: 'done' })] },
    });
    expect(wrapper.find('[data-test="export-dialog"]').exists()).toBe(false);
    fake.emit('app.command', { command: 'export-model' });
    await flushPromises();
    expect(wrapper.get('[data-test="export-dialog"]').text()).toContain(
      wrapper.get('[data-test="run-name"]').text(),
    );
    expect(location.hash).toBe('#/runs/r1');
    expect(wrapper.find('[data-test="command-hint"]').exists()).toBe(false);
  });

  it('Export model… from elsewhere goes to the runs list with a hint; New run… opens New run', async () => {
    navigate({ name: 'datasets', id: null });
    const { wrapper, fake } = await mountWithApi(App);
    fake.emit('app.command', { command: 'export-model' });
    await flushPromises();
    expect(location.hash).toBe('#/runs');
    expect(wrapper.get('[data-test="command-hint"]').text()).toBe('Pick a finished run to export.');
    fake.emit('app.command', { command: 'new-run' });
    await flushPromises();
    expect(location.hash).toBe('#/new');
    expect(wrapper.find('[data-test="command-hint"]').exists()).toBe(false);
  });

  it('releases its menu-command subscriptions when unmounted', async () => {
    const { wrapper, fake } = await mountWithApi(App);
    const before = fake.listenerCount();
    wrapper.unmount();
    expect(fake.listenerCount()).toBe(0);
    expect(before).toBeGreaterThan(0);
    navigate({ name: 'datasets', id: null });
    fake.emit('app.command', { command: 'export-model' });
    expect(location.hash).toBe('#/datasets');
  });
});
