import { describe, inject } from 'vitest';
import { describeNotifierRunner } from '../contract/notifier-runner-contract.ts';
import { kafkaHarness } from '../support/runtimes.ts';

describe('Discord notifier: Kafka', () => {
  describeNotifierRunner(() => kafkaHarness(inject('kafkaBrokers'), inject('registryUrl')));
});
