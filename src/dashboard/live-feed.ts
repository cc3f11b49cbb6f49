import type { LiveEvent, LiveFeed } from './dashboard-deps.ts';

/** A live feed fed by hand: whoever holds it publishes, every subscriber hears. */
export class Broadcast implements LiveFeed {
  private readonly listeners = new Set<(event: LiveEvent) => void>();

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: LiveEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get size(): number {
    return this.listeners.size;
  }
}
