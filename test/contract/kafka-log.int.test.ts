import { describe, inject } from 'vitest';
import { kafkaHarness } from '../support/runtimes.ts';
import { describeLogContract } from './log-contract.ts';

describe('log contract: Kafka (real broker and registry)', () => {
  describeLogContract(() => kafkaHarness(inject('kafkaBrokers'), inject('registryUrl')));
});
