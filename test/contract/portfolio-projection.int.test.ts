import { describe, inject } from 'vitest';
import { kafkaHarness } from '../support/runtimes.ts';
import { describePortfolioProjection } from './portfolio-projection-contract.ts';

describe('portfolio projection: Kafka', () => {
  describePortfolioProjection(() => kafkaHarness(inject('kafkaBrokers'), inject('registryUrl')));
});
