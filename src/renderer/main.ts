// Renderer entry: pick the transport, provide the client, mount.
import './zodJitless';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { apiKey } from './api/inject';
import { pickClient } from './api/pickTransport';
import './styles/app.css';

const root = document.getElementById('app');
try {
  const client = pickClient(window);
  createApp(App).provide(apiKey, client).use(createPinia()).mount('#app');
} catch (err) {
  // No bridge and no token: there is nothing to talk to, so say how to get there.
  if (root) {
    const p = document.createElement('p');
    p.className = 'boot-error';
    p.textContent = err instanceof Error ? err.message : String(err);
    root.replaceChildren(p);
  }
}
