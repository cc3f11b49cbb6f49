import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { KafkaRuntime } from '../runtime/kafka-runtime.ts';
import { KafkaLease } from './kafka-lease.ts';

/** The pipeline's services that `start --standby` runs: they write crypto.orders in order. */
export const SINGLETON_SERVICES = ['decision', 'exchange'] as const;
/** Every service that runs as one active instance with standbys (the notifier posts in log order). */
export type SingletonService = (typeof SINGLETON_SERVICES)[number] | 'notifier';

/** Exit status of an instance that stepped down (lease lost or fenced): a supervisor restarts it as a standby. */
export const EXIT_STEPPED_DOWN = 75;

/** The group a singleton commits its progress in, whose transactional id fences its zombies. */
export const progressGroupOf = (config: Config, service: SingletonService): string => {
  switch (service) {
    case 'decision':
      return config.decision.group;
    case 'exchange':
      return config.exchange.group;
    case 'notifier':
      return `${config.notify.group}.posted`;
  }
};

/** The lease group of a singleton: its instances are its members. */
export const leaseGroupOf = (config: Config, service: SingletonService): string =>
  service === 'notifier' ? `${config.notify.group}.lease` : `${progressGroupOf(config, service)}.lease`;

export interface BecomeActiveOptions {
  readonly config: Config;
  readonly runtime: KafkaRuntime;
  readonly services: readonly SingletonService[];
  /** The one-partition topic whose partition 0 is the lease (crypto.orders, or a test's copy). */
  readonly leaseTopic: string;
  readonly logger: Logger;
  /** Told when this instance, active or not, must write no more; it must end the process at once. */
  readonly stepDown: (reason: string) => void;
  /** Told once per service that it waits for as a standby (not when the lease came at once). */
  readonly onWaiting?: (service: SingletonService, group: string) => void;
}

/**
 * Waits as a standby until this instance holds the lease of every service it runs, then claims
 * their transactional ids (fencing the instance it replaces and aborting what that one left open)
 * before the services rebuild their state from the log. From then on, losing a lease or being
 * fenced calls `stepDown`.
 */
export async function becomeActive(options: BecomeActiveOptions): Promise<KafkaLease[]> {
  const { config, runtime, logger } = options;
  runtime.log.onFenced((id) => options.stepDown(`fenced: another instance took transactional id ${id}`));
  const leases: KafkaLease[] = [];
  for (const service of options.services) {
    const group = leaseGroupOf(config, service);
    const lease = new KafkaLease({
      kafka: runtime.kafka,
      group,
      topic: options.leaseTopic,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      logger,
      onLost: (reason) => options.stepDown(`lease of ${service} lost: ${reason}`),
    });
    await lease.start();
    if (!lease.holding) options.onWaiting?.(service, group);
    leases.push(lease);
  }
  await Promise.all(leases.map((lease) => lease.held));
  for (const service of options.services) await runtime.log.claim(progressGroupOf(config, service));
  return leases;
}
