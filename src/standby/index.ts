/** Hot standby for the singleton services on Kafka: a lease by group membership, fencing by transactional id. */
export {
  becomeActive,
  EXIT_STEPPED_DOWN,
  leaseGroupOf,
  progressGroupOf,
  SINGLETON_SERVICES,
  type BecomeActiveOptions,
  type SingletonService,
} from './become-active.ts';
export { KafkaLease, leaseHeartbeatMs, stepDownAfterMs, type KafkaLeaseOptions } from './kafka-lease.ts';
export { chooseHolder, decodeClaim, encodeClaim, type LeaseCandidate } from './lease-holder.ts';
export { stepDownNow, stepDownOnFailure } from './step-down.ts';
