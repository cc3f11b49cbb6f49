import { describe, inject } from 'vitest';
import { kafkaHarness } from '../support/runtimes.ts';
import { describeExchangeRunner } from './exchange-runner-contract.ts';

describe('virtual exchange service: Kafka', () => {
  describeExchangeRunner(() => kafkaHarness(inject('kafkaBrokers'), inject('registryUrl')));
});
