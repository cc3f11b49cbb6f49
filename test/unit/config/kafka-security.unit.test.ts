import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/index.ts';
import { CmlError } from '../../../src/errors/index.ts';
import { kafkaClientOptions, type ReadFile } from '../../../src/log/kafka/kafka-client-options.ts';

const errorOf = (fn: () => unknown): CmlError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CmlError) return error;
    throw error;
  }
  throw new Error('expected a CmlError');
};

const kafkaOf = (env: NodeJS.ProcessEnv): Config['kafka'] => loadConfig({ env }).kafka;

/** A file system of PEM files by path; any other path fails as readFileSync does. */
const files =
  (contents: Record<string, string>): ReadFile =>
  (path) => {
    const content = contents[path];
    if (content !== undefined) return content;
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  };

const noFiles = files({});

const configFile = (content: unknown): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'cml-ssl-')), 'cml.config.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
};

describe('kafka.ssl and kafka.sasl to kafkajs options', () => {
  it('leaves ssl and sasl out by default', () => {
    const options = kafkaClientOptions(kafkaOf({}), noFiles);
    expect(options).not.toHaveProperty('ssl');
    expect(options).not.toHaveProperty('sasl');
    expect(options.brokers).toEqual(['127.0.0.1:9092']);
    expect(options.clientId).toBe('crypto-ml-ledger');
  });

  it('KAFKA_SSL=true turns on TLS with the system CAs', () => {
    expect(kafkaClientOptions(kafkaOf({ KAFKA_SSL: 'true' }), noFiles).ssl).toBe(true);
    expect(kafkaClientOptions(kafkaOf({ KAFKA_SSL: 'false' }), noFiles)).not.toHaveProperty('ssl');
  });

  it('reads the CA, certificate and key files into the TLS options', () => {
    const read = files({ '/pki/ca.pem': 'CA', '/pki/client.pem': 'CERT', '/pki/client.key': 'KEY' });
    const config = kafkaOf({});
    const ssl = {
      ca: '/pki/ca.pem',
      cert: '/pki/client.pem',
      key: '/pki/client.key',
      rejectUnauthorized: false,
    };
    expect(kafkaClientOptions({ ...config, ssl }, read).ssl).toEqual({
      ca: ['CA'],
      cert: 'CERT',
      key: 'KEY',
      rejectUnauthorized: false,
    });
  });

  it('KAFKA_SSL_CA alone turns on TLS with that CA, verifying the brokers', () => {
    const config = kafkaOf({ KAFKA_SSL_CA: '/pki/ca.pem' });
    expect(kafkaClientOptions(config, files({ '/pki/ca.pem': 'CA' })).ssl).toEqual({
      ca: ['CA'],
      rejectUnauthorized: true,
    });
  });

  it('maps each SASL mechanism with its credentials', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const config = kafkaOf({
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: 'ledger',
        KAFKA_SASL_PASSWORD: 'hunter2-hunter2',
      });
      expect(kafkaClientOptions(config, noFiles).sasl).toEqual({
        mechanism,
        username: 'ledger',
        password: 'hunter2-hunter2',
      });
    }
  });

  it('names the key and the path of a PEM file it cannot read', () => {
    const config = {
      ...kafkaOf({}),
      ssl: { ca: '/pki/ca.pem', cert: '/nowhere/client.pem', key: '/pki/k', rejectUnauthorized: true },
    };
    const error = errorOf(() => kafkaClientOptions(config, files({ '/pki/ca.pem': 'CA', '/pki/k': 'KEY' })));
    expect(error.code).toBe('CML_CONFIG_INVALID');
    expect(error.message).toBe('kafka.ssl.cert: cannot read /nowhere/client.pem (ENOENT)');
  });
});

describe('kafka.ssl and kafka.sasl validation', () => {
  it('refuses a KAFKA_SSL that is not a boolean, by key and variable', () => {
    const error = errorOf(() => loadConfig({ env: { KAFKA_SSL: 'maybe' } }));
    expect(error.code).toBe('CML_CONFIG_INVALID');
    expect(error.message).toContain(
      'kafka.ssl, from environment variable KAFKA_SSL: expected true, false or',
    );
    expect(error.message).toContain('"maybe"');
  });

  it('names the bad field inside kafka.ssl, not the whole object', () => {
    const file = configFile({ kafka: { ssl: { ca: 7 } } });
    const error = errorOf(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain(`kafka.ssl.ca, from config file ${file}: Invalid input: expected string`);
  });

  it('refuses a client certificate without its key', () => {
    const file = configFile({ kafka: { ssl: { cert: '/c.pem' } } });
    const error = errorOf(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain(
      `kafka.ssl.key, from config file ${file}: kafka.ssl.cert and kafka.ssl.key go together`,
    );
  });

  it("keeps the file's PEM files when KAFKA_SSL=true, and adds KAFKA_SSL_CA to them", () => {
    const file = configFile({ kafka: { ssl: { cert: '/c.pem', key: '/k.pem' } } });
    const config = loadConfig({ file, env: { KAFKA_SSL: 'true', KAFKA_SSL_CA: '/ca.pem' } });
    expect(config.kafka.ssl).toEqual({
      ca: '/ca.pem',
      cert: '/c.pem',
      key: '/k.pem',
      rejectUnauthorized: true,
    });
  });

  it('KAFKA_SSL=false wins over the file', () => {
    const file = configFile({ kafka: { ssl: { ca: '/ca.pem' } } });
    expect(loadConfig({ file, env: { KAFKA_SSL: 'false' } }).kafka.ssl).toBe(false);
  });

  it('refuses KAFKA_SSL_CA when KAFKA_SSL is false instead of guessing', () => {
    const error = errorOf(() => loadConfig({ env: { KAFKA_SSL: 'false', KAFKA_SSL_CA: '/ca.pem' } }));
    expect(error.code).toBe('CML_CONFIG_INVALID');
    expect(error.message).toContain('kafka.ssl.ca, from environment variable KAFKA_SSL_CA');
  });

  it('refuses an unknown SASL mechanism and names what is missing', () => {
    const error = errorOf(() =>
      loadConfig({ env: { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'ledger' } }),
    );
    expect(error.message).toContain(
      'kafka.sasl.mechanism, from environment variable KAFKA_SASL_MECHANISM: expected plain, scram-sha-256 or scram-sha-512',
    );
    expect(error.message).toContain('kafka.sasl.password, from defaults: required when kafka.sasl is set');
    expect(error.message).not.toContain('kafka.sasl.username');
  });
});
