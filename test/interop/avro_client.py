"""A client that is not ours: Python confluent-kafka with the schema-registry Avro serde.

  consume --topic T --key K --count N   prints N values with key K as JSON lines, read from the start
  produce --topic T --key K --value J   writes one value (JSON) with the schema in avro/<topic>.avsc
          [--values JSON-ARRAY]         or several, in one record batch
          [--compression C]             none, gzip, snappy, lz4 or zstd (default none)
                                        prints {"partition", "offset"} of each written record
"""
import argparse
import datetime
import json
import pathlib
import sys
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer

AVRO_DIR = pathlib.Path(__file__).resolve().parents[2] / "avro"


def plain(value):
    """Avro logical types back to what the wire carries: timestamp-millis as epoch milliseconds."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def consume(args, registry):
    deserialize = AvroDeserializer(registry)
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": f"interop-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
    })
    consumer.subscribe([args.topic])
    found = 0
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=args.timeout)
    try:
        while found < args.count and datetime.datetime.now() < deadline:
            message = consumer.poll(1.0)
            if message is None or message.error() or message.key() is None:
                continue
            if message.key().decode("utf-8") != args.key:
                continue
            value = deserialize(message.value(), SerializationContext(args.topic, MessageField.VALUE))
            print(json.dumps({"partition": message.partition(), "offset": message.offset(), "value": plain(value)}), flush=True)
            found += 1
    finally:
        consumer.close()
    if found < args.count:
        sys.exit(f"found {found} of {args.count} messages with key {args.key} on {args.topic}")


def produce(args, registry):
    schema = (AVRO_DIR / f"{args.topic}.avsc").read_text()
    # Like a production client: use the schema version our CLI registered, never register its own.
    serialize = AvroSerializer(registry, schema, conf={"auto.register.schemas": False, "use.latest.version": True})
    producer = Producer({
        "bootstrap.servers": args.brokers,
        "acks": "all",
        "enable.idempotence": True,
        "compression.type": args.compression,
        # Long enough for several values to share one (compressed) record batch.
        "linger.ms": 100,
    })
    values = json.loads(args.values) if args.values else [json.loads(args.value)]
    written = []

    def delivered(error, message):
        if error is not None:
            sys.exit(f"produce failed: {error}")
        written.append({"partition": message.partition(), "offset": message.offset()})

    for value in values:
        producer.produce(
            args.topic,
            key=StringSerializer("utf_8")(args.key),
            value=serialize(value, SerializationContext(args.topic, MessageField.VALUE)),
            timestamp=value.get("timestamp", 0),
            on_delivery=delivered,
        )
    if producer.flush(30) != 0:
        sys.exit("produce did not complete")
    for record in written:
        print(json.dumps(record), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["consume", "produce"])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--value")
    parser.add_argument("--values")
    parser.add_argument("--compression", choices=["none", "gzip", "snappy", "lz4", "zstd"], default="none")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    registry = SchemaRegistryClient({"url": args.registry})
    (consume if args.command == "consume" else produce)(args, registry)


if __name__ == "__main__":
    main()
