"""A RecordIO-protobuf reader written from the wire format alone, to check the lab's writer against.

It shares no code with training_code/recordio.py: it walks the RecordIO frames, then decodes each
record with a generic protobuf wire parser and the field numbers of SageMaker's record.proto.
"""

from __future__ import annotations

import struct

import numpy as np

MAGIC = 0xCED7230A
# Value's oneof: field number -> (tensor type, numpy dtype of its packed values, or None for varints).
TENSORS = {2: ("float32", "<f4"), 3: ("float64", "<f8"), 7: ("int32", None)}


def frames(data: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        magic, length = struct.unpack_from("<II", data, at)
        if magic != MAGIC:
            raise ValueError(f"bad magic {magic:#x} at byte {at}")
        at += 8
        out.append(data[at : at + length])
        at += length + (4 - length % 4) % 4
    return out


def _varint(data: bytes, at: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[at]
        result |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return result, at
        shift += 7


def fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) pairs: ints for varints, bytes for length-delimited fields."""
    out: list[tuple[int, int | bytes]] = []
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
            out.append((number, value))
        elif wire == 2:
            length, at = _varint(data, at)
            out.append((number, data[at : at + length]))
            at += length
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return out


def _tensor(number: int, payload: bytes) -> tuple[str, list]:
    kind, dtype = TENSORS[number]
    values: list = []
    for field, packed in fields(payload):
        assert field == 1 and isinstance(packed, bytes), "only dense values are expected"
        if dtype is not None:
            values.extend(np.frombuffer(packed, dtype=dtype).tolist())
        else:
            at = 0
            while at < len(packed):
                raw, at = _varint(packed, at)
                values.append(raw - (1 << 64) if raw >= 1 << 63 else raw)
    return kind, values


def decode(record: bytes) -> dict[str, dict[str, tuple[str, list]]]:
    """``{"features": {"values": (tensor type, values)}, "label": {...}}`` of one Record."""
    out: dict[str, dict[str, tuple[str, list]]] = {"features": {}, "label": {}}
    for number, entry in fields(record):
        assert isinstance(entry, bytes)
        parts = dict(fields(entry))
        key, value = parts[1], parts.get(2, b"")
        assert isinstance(key, bytes) and isinstance(value, bytes)
        ((tensor_field, payload),) = fields(value)
        assert isinstance(payload, bytes)
        out["features" if number == 1 else "label"][key.decode()] = _tensor(tensor_field, payload)
    return out
