// Worker threads do not inherit the parent's TypeScript loader: register tsx here, then run the checker
// (only when parity runs in a thread from source; a built app ships parityChild.js itself).
import { register } from 'tsx/esm/api';

register();
await import('./parityChild.ts');
