export * from './generated/avro-types.ts';
export * from './topics.ts';
export * from './topic-contracts.ts';
export * from './validation/index.ts';
export * from './sweep-topics.ts';
export * from './control-topic.ts';
