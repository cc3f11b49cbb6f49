import { describe, inject } from 'vitest';
import { kafkaHarness } from '../support/runtimes.ts';
import { describeSignalsProcessor } from '../unit/signals/signals-processor-suite.ts';

describe('signals processor: Kafka', () => {
  describeSignalsProcessor(() => kafkaHarness(inject('kafkaBrokers'), inject('registryUrl')));
});
