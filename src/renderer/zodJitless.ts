// Imported first by main.ts, before any schema exists: the page's CSP forbids eval, and zod must not
// even probe for it (a caught `new Function` still reports a CSP violation), so its schemas run without
// their compiled fast path here. Schemas read the setting when they are built, hence "first".
import { config } from 'zod';

config({ jitless: true });
