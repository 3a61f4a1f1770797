// The services' event bus: every event of the contract goes out through emit(); transports subscribe.
import type { EventName, Events, Subscribe } from '../../shared/api';

export interface EventBus {
  emit<E extends EventName>(event: E, data: Events[E]): void;
  subscribe: Subscribe;
}

export function createEventBus(
  onListenerError: (err: unknown) => void = (err) => console.error(err),
): EventBus {
  const listeners = new Map<EventName, Set<(data: never) => void>>();
  return {
    emit(event, data) {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          (listener as (d: typeof data) => void)(data);
        } catch (err) {
          // One broken subscriber (a closed window, a dropped socket) must not stop the others.
          onListenerError(err);
        }
      }
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (data: never) => void);
      return () => {
        set.delete(listener as (data: never) => void);
      };
    },
  };
}
