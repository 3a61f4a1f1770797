// The one validated entry point every transport calls: unknown names and bad payloads are VALIDATION
// errors, handler failures become error data. Nothing here throws (STYLE.md §3, §4).
import { payloads, requestNames, type Handlers, type RequestName } from '../../shared/api';
import { fail, ok, toErrorData, type Result } from '../../shared/errors';
import { toValidationIssue } from '../../shared/validation';

export type Dispatch = (name: string, rawPayload: unknown) => Promise<Result<unknown>>;

const known = new Set<string>(requestNames);

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && known.has(name);
}

export function createDispatch(handlers: Handlers): Dispatch {
  return async (name, rawPayload) => {
    if (!isRequestName(name)) {
      return fail('VALIDATION', `unknown request "${String(name).slice(0, 80)}"`);
    }
    const parsed = payloads[name].safeParse(rawPayload ?? {});
    if (!parsed.success) {
      // Each refused field with what it allows, so an edge can say it in its own terms (the CLI names flags).
      const issues = parsed.error.issues.map(toValidationIssue);
      const first = issues[0];
      const where = first && first.path ? ` at ${first.path}` : '';
      return fail('VALIDATION', `invalid ${name} payload${where}: ${first?.message ?? 'rejected'}`, {
        issues,
      });
    }
    try {
      const handler = handlers[name] as (payload: unknown) => Promise<unknown>;
      return ok(await handler(parsed.data));
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  };
}
