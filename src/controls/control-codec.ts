import avro, { type Resolver, type Type } from 'avsc';
import {
  CONTROL_SCHEMA,
  ValidationError,
  validateControl,
  type OperatorControl,
} from '../contracts/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import type { AppendRecord } from '../log/port.ts';
import { frame, unframe, type SchemaRegistryPort } from '../serde/index.ts';

/**
 * crypto.controls values in the Confluent wire format, with the schema in avro/ registered under
 * `crypto.controls-value`; a value written with another registered version is read through Avro's
 * resolution. Controls are not a data topic (no dead letters): a reader skips what it cannot read.
 */
export class ControlCodec {
  private readonly writers = new Map<number, Type>();
  private readonly resolvers = new Map<number, Resolver>();

  private constructor(
    private readonly registry: SchemaRegistryPort,
    private readonly type: Type,
    private readonly id: number,
  ) {
    this.writers.set(id, type);
  }

  static async create(registry: SchemaRegistryPort): Promise<ControlCodec> {
    const { subject, schema } = CONTROL_SCHEMA;
    return new ControlCodec(
      registry,
      avro.Type.forSchema(schema as avro.Schema),
      await registry.register(subject, schema),
    );
  }

  /** Validated log records, keyed by control id; throws a ValidationError before returning any. */
  records(controls: readonly OperatorControl[]): AppendRecord[] {
    return controls.map((control) => {
      const violations = validateControl(control);
      if (violations.length > 0)
        throw new ValidationError(`crypto.controls message (key ${control.control_id})`, violations);
      return {
        key: control.control_id,
        value: frame(this.id, this.type.toBuffer(control)),
        timestamp: control.applied_from ?? control.requested_at,
      };
    });
  }

  /** A control read back, validated; throws a CmlError or a ValidationError for a bad record. */
  async decode(buffer: Buffer | null): Promise<OperatorControl> {
    const { schemaId, body } = unframe(buffer);
    let writer = this.writers.get(schemaId);
    if (writer === undefined) {
      writer = avro.Type.forSchema((await this.registry.schemaById(schemaId)) as avro.Schema);
      this.writers.set(schemaId, writer);
    }
    let control: OperatorControl;
    try {
      if (writer === this.type) control = this.type.fromBuffer(body) as OperatorControl;
      else {
        let resolver = this.resolvers.get(schemaId);
        if (resolver === undefined) {
          resolver = this.type.createResolver(writer);
          this.resolvers.set(schemaId, resolver);
        }
        control = this.type.fromBuffer(body, resolver) as OperatorControl;
      }
    } catch (cause) {
      throw new CmlError(
        ErrorCodes.SERDE_DECODE_FAILED,
        `Cannot decode a crypto.controls value (schema id ${schemaId})`,
        { cause, details: { schemaId } },
      );
    }
    const violations = validateControl(control);
    if (violations.length > 0)
      throw new ValidationError(`crypto.controls message (key ${control.control_id})`, violations);
    return control;
  }
}
