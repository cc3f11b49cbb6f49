import type { Consumer, Kafka, PartitionAssigner } from 'kafkajs';
import { AssignerProtocol } from '../log/kafka/kafkajs.ts';
import type { Logger } from '../observability/logger.ts';
import { chooseHolder, decodeClaim, encodeClaim } from './lease-holder.ts';

export interface KafkaLeaseOptions {
  readonly kafka: Kafka;
  /** The lease group: its members are the instances of one singleton service. */
  readonly group: string;
  /** A one-partition topic every instance reads; its partition 0 is the lease. It is never fetched. */
  readonly topic: string;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  /**
   * Called once, when this instance held the lease and may hold it no more, or, waiting, can
   * wait no more (its group consumer stopped for good): either way the instance must end.
   */
  readonly onLost: (reason: string) => void;
}

const ASSIGNER = 'cml-lease';
/** How often the holder checks that its lease is still fresh. */
const WATCH_EVERY_MS = 200;

/** Heartbeats of a lease group: ten per session, so a lost one or two costs nothing. */
export const leaseHeartbeatMs = (sessionTimeoutMs: number): number =>
  Math.max(500, Math.floor(sessionTimeoutMs / 10));

/**
 * How long the holder may go without a heartbeat acknowledged (or its event loop without a turn)
 * before it assumes the coordinator expired it and steps down: two heartbeats before the session
 * ends, so it stops before a standby, which learns of the expiry at its next heartbeat, can start.
 */
export const stepDownAfterMs = (sessionTimeoutMs: number): number =>
  sessionTimeoutMs - 2 * leaseHeartbeatMs(sessionTimeoutMs);

/**
 * Exactly one active instance of a singleton, by consumer-group membership: the instances join
 * one group on a one-partition topic, and the member assigned partition 0 holds the lease. The
 * assigner keeps the lease where it is when a standby joins. When the holder dies or hangs, the
 * coordinator expires it after the session timeout and the rebalance gives the lease to a standby.
 * A holder that stops hearing heartbeat answers, or whose process was frozen, calls `onLost`
 * before its session can end. The lease alone does not stop a zombie's writes: the services'
 * transactional ids do (see KafkaLog.claim).
 */
export class KafkaLease {
  private consumer: Consumer | undefined;
  private heldSince: number | undefined;
  private lastContact = Date.now();
  private lastTick = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  private lost = false;
  private acquire!: () => void;
  /** Resolves once this instance holds the lease. */
  readonly held: Promise<void>;

  constructor(private readonly options: KafkaLeaseOptions) {
    this.held = new Promise((resolve) => (this.acquire = resolve));
  }

  /** Whether this instance holds the lease now. */
  get holding(): boolean {
    return this.heldSince !== undefined && !this.lost;
  }

  /** Joins the lease group (as a standby until the lease comes here). */
  async start(): Promise<void> {
    const { kafka, group, topic, sessionTimeoutMs } = this.options;
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: leaseHeartbeatMs(sessionTimeoutMs),
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
      partitionAssigners: [this.assigner],
    });
    this.consumer = consumer;
    consumer.on(consumer.events.HEARTBEAT, () => (this.lastContact = Date.now()));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.lastContact = Date.now();
      // Joined, so the consumer group exists (kafkajs drops it while it restarts after a crash).
      this.pause(consumer);
      this.joined((payload.memberAssignment[topic] ?? []).includes(0), payload.memberId);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.options.logger.warn(
        { group, err: payload.error.message, restart: payload.restart },
        'lease consumer crashed',
      );
      // kafkajs gave up on it (the broker away longer than its retries): no lease can come or be
      // kept any more. A waiting standby would otherwise sit on a promise nothing settles, and
      // Node ends a process whose loop has nothing left (exit 13 at a top-level await).
      if (!payload.restart) this.loseWith(`the lease consumer stopped: ${payload.error.message}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // The partition is the lease, not input: nothing is read.
      eachBatch: (payload) => {
        payload.pause();
        return Promise.resolve();
      },
    });
    this.watchdog = setInterval(() => this.watch(), WATCH_EVERY_MS);
    this.watchdog.unref();
  }

  /** The partition is the lease, not input: it is never fetched. */
  private pause(consumer: Consumer): void {
    try {
      consumer.pause([{ topic: this.options.topic }]);
    } catch (error) {
      this.options.logger.debug({ err: (error as Error).message }, 'lease partition not paused');
    }
  }

  private joined(holds: boolean, memberId: string): void {
    if (holds && this.heldSince === undefined) {
      this.heldSince = Date.now();
      this.lastTick = Date.now();
      this.options.logger.info({ group: this.options.group, memberId }, 'lease acquired');
      this.acquire();
    } else if (!holds && this.heldSince !== undefined) {
      this.loseWith('the lease group gave the lease to another member');
    }
  }

  private watch(): void {
    const now = Date.now();
    const limit = stepDownAfterMs(this.options.sessionTimeoutMs);
    const frozen = now - this.lastTick;
    this.lastTick = now;
    if (this.heldSince === undefined) return;
    if (frozen > limit) this.loseWith(`this process was frozen for ${frozen} ms`);
    else if (now - this.lastContact > limit)
      this.loseWith(`no heartbeat answered for ${now - this.lastContact} ms`);
  }

  private loseWith(reason: string): void {
    if (this.lost) return;
    this.lost = true;
    this.options.onLost(reason);
  }

  private readonly assigner: PartitionAssigner = () => ({
    name: ASSIGNER,
    version: 0,
    assign: ({ members, topics }) => {
      const holder = chooseHolder(
        members.map(({ memberId, memberMetadata }) => {
          const heldSince = decodeClaim(AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData);
          return heldSince === undefined ? { memberId } : { memberId, heldSince };
        }),
      );
      return Promise.resolve(
        members.map(({ memberId }) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment: memberId === holder ? Object.fromEntries(topics.map((t) => [t, [0]])) : {},
            userData: Buffer.alloc(0),
          }),
        })),
      );
    },
    protocol: ({ topics }) => ({
      name: ASSIGNER,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 0,
        topics,
        userData: encodeClaim(this.heldSince),
      }),
    }),
  });

  /** Leaves the group: a standby takes the lease at its next heartbeat. */
  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    this.lost = true;
    await this.consumer?.disconnect();
  }
}
