/** kafkajs is CommonJS: Node's ESM loader cannot see all its named exports, so they are taken here, once. */
import kafkajs from 'kafkajs';

export const {
  Kafka,
  AssignerProtocol,
  CompressionCodecs,
  CompressionTypes,
  ConfigResourceTypes,
  logLevel,
  Partitioners,
} = kafkajs;
