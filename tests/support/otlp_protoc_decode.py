#!/usr/bin/env python3
"""Decodes OTLP protobuf request bodies with the official schema, for the tests' cross-check.

Usage: otlp_protoc_decode.py GENERATED_DIR BODY_FILE...

GENERATED_DIR holds the Python modules `protoc --python_out` made from opentelemetry-proto
(the test compiles them at run time). Each BODY_FILE is one ExportTraceServiceRequest in
protobuf; one line of JSON is printed per file: the message in the OTLP JSON mapping
(https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): the protobuf JSON mapping
with camelCase names, 64-bit integers as strings and enums as integers, except that trace and
span ids are hex, not base64. Exit status 77 when google.protobuf cannot be imported.
"""
import base64
import json
import sys

try:
    from google.protobuf import json_format
except ImportError as e:  # pragma: no cover - reported to the test as a skip
    print("google.protobuf is not importable: %s" % e, file=sys.stderr)
    sys.exit(77)

ID_KEYS = ("traceId", "spanId", "parentSpanId")


def hex_ids(value):
    """Replaces the base64 of the id fields with hex, anywhere in the message."""
    if isinstance(value, dict):
        for k, v in list(value.items()):
            if k in ID_KEYS and isinstance(v, str):
                value[k] = base64.b64decode(v).hex()
            else:
                hex_ids(v)
    elif isinstance(value, list):
        for v in value:
            hex_ids(v)


def main():
    sys.path.insert(0, sys.argv[1])
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        msg = trace_service_pb2.ExportTraceServiceRequest()
        msg.ParseFromString(data)
        d = json_format.MessageToDict(msg, use_integers_for_enums=True)
        hex_ids(d)
        print(json.dumps(d, sort_keys=True))


if __name__ == "__main__":
    main()
