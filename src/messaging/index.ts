export { Publisher } from './publisher.ts';
export {
  subscribeValidated,
  type ValidMessage,
  type ValidatedSubscribeOptions,
} from './validated-consumer.ts';
export { deadLetterOf, DeadLetterHeaders } from './dead-letter.ts';
export { wallClock, streamClock, type ValidationClock } from './clocks.ts';
