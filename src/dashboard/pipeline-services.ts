import type { PipelineHealth } from './dashboard-deps.ts';

/** One consumer group's lag on one topic, named for a reader: its service and the rest of its name. */
export interface GroupLag {
  /** The consumer group's full name, e.g. `portfolio-projection.83d52340.crypto.orders`. */
  readonly group: string;
  /** What is left of the name once the service and store ids are taken out, e.g. `crypto.orders`. */
  readonly name: string;
  readonly topic: string;
  readonly lag: number;
}

/** The consumer groups of one service (the groups' common first name segment) and their summed lag. */
export interface ServiceLag {
  readonly service: string;
  readonly lag: number;
  readonly topics: readonly string[];
  readonly groups: readonly GroupLag[];
}

/** A projection's store id (8 hex digits from a UUID), which keeps groups of different stores apart. */
const STORE_ID = /^[0-9a-f]{8}$/;

/**
 * A group's service and readable name: `<service>[.<store id>][.<part>]` gives the service and the
 * part, store ids left out (they mean nothing to a reader; the full name stays in `group`).
 */
export function nameGroup(group: string): { service: string; name: string } {
  const [service = group, ...rest] = group.split('.');
  return { service, name: rest.filter((segment) => !STORE_ID.test(segment)).join('.') };
}

/** The lags grouped by service: most lag first, then by name; topics and groups in name order. */
export function servicesOf(groups: PipelineHealth['groups']): ServiceLag[] {
  const byService = new Map<string, GroupLag[]>();
  for (const g of groups) {
    const { service, name } = nameGroup(g.group);
    byService.set(service, [...(byService.get(service) ?? []), { ...g, name }]);
  }
  return [...byService.entries()]
    .map(([service, members]) => ({
      service,
      lag: members.reduce((sum, g) => sum + g.lag, 0),
      topics: [...new Set(members.map((g) => g.topic))].sort(),
      groups: members.sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic)),
    }))
    .sort((a, b) => b.lag - a.lag || a.service.localeCompare(b.service));
}
