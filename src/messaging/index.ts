export { Publisher } from './publisher.ts';
export {
  subscribeValidated,
  type ValidMessage,
  type ValidatedSubscribeOptions,
  type ValidatedSubscription,
} from './validated-consumer.ts';
export { InputStall } from './input-stall.ts';
export { deadLetterOf, DeadLetterHeaders } from './dead-letter.ts';
export { DeadLetterCounter, type DeadLetterTally } from './dead-letter-counter.ts';
export { wallClock, streamClock, recordClock, STREAM_MAX_LEAD_MS, type ValidationClock } from './clocks.ts';
export { encodeValidated } from './encode-validated.ts';
export { EventTimeMerge, type EndOffsets, type MergeItem } from './event-time-merge.ts';
export { groupPassed } from './group-progress.ts';
export { Wakeup } from './wakeup.ts';
export {
  OrderedProcessor,
  type OrderedProcessorOptions,
  type StepControl,
  type StepOutput,
} from './ordered-processor.ts';
