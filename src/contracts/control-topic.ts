import { readSchemaFile, subjectOf, type AvroSchemaJson } from './topic-contracts.ts';
import { CONTROLS } from './topics.ts';

/** The controls' schema, as the compatibility gate and the registry take it. */
export const CONTROL_SCHEMA: {
  readonly topic: typeof CONTROLS;
  readonly subject: string;
  readonly schema: AvroSchemaJson;
} = { topic: CONTROLS, subject: subjectOf(CONTROLS), schema: readSchemaFile(CONTROLS) };

/**
 * The strategy of the SELL order a force-close becomes: the exchange closes its positions with
 * close_reason MANUAL rather than SELL_SIGNAL.
 */
export const FORCE_CLOSE_STRATEGY = 'operator_force_close';
