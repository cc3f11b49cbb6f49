import { describe, inject } from 'vitest';
import { kafkaHarness } from '../support/runtimes.ts';
import { describeTrainerService } from '../unit/trainer/trainer-service-suite.ts';

describe('trainer service: Kafka', () => {
  describeTrainerService(() => kafkaHarness(inject('kafkaBrokers'), inject('registryUrl')));
});
