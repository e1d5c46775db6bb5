"""RecordIO-protobuf (``application/x-recordio-protobuf``) for the 1P algorithms, in plain Python + numpy.

SDK 3.x dropped ``sagemaker.amazon.common.write_numpy_to_dense_tensor``; this writes the same bytes for
the same arrays (tests/training_code/test_recordio.py compares with fixtures SDK 2.x wrote). Each row is
one ``aialgs.data.Record`` protobuf (SageMaker's record.proto): ``features["values"]`` holds the row as a
dense tensor, ``label["values"]`` its label; each record is framed as RecordIO (magic, length, data,
zero padding to 4 bytes).

Dtypes as SDK 2.x maps them: float32 -> Float32Tensor, float64 -> Float64Tensor, the platform int
(int64) -> Int32Tensor.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np

MAGIC = 0xCED7230A
# record.proto field numbers.
_RECORD_FEATURES, _RECORD_LABEL = 1, 2
_ENTRY_KEY, _ENTRY_VALUE = 1, 2
_TENSOR_VALUES = 1
_VALUE_FIELDS = {np.dtype("float32"): 2, np.dtype("float64"): 3, np.dtype(int): 7}
_LITTLE_ENDIAN = {np.dtype("float32"): "<f4", np.dtype("float64"): "<f8"}
_KEY = b"values"


def _varint(number: int) -> bytes:
    # Protobuf writes a negative int32 as its 64-bit two's complement: ten bytes.
    number &= (1 << 64) - 1
    out = bytearray()
    while True:
        low = number & 0x7F
        number >>= 7
        if number:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _delimited(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _packed(values: np.ndarray) -> bytes:
    if values.dtype in _LITTLE_ENDIAN:
        return values.astype(_LITTLE_ENDIAN[values.dtype], copy=False).tobytes()
    return b"".join(_varint(int(v)) for v in values)


def _entry(field: int, dtype: np.dtype, packed: bytes) -> bytes:
    """One map entry ``{"values": Value{<dtype>_tensor: {values: packed}}}`` of the record's ``field``."""
    tensor = _delimited(_TENSOR_VALUES, packed) if packed else b""
    value = _delimited(_VALUE_FIELDS[dtype], tensor)
    return _delimited(field, _delimited(_ENTRY_KEY, _KEY) + _delimited(_ENTRY_VALUE, value))


def _frame(record: bytes) -> bytes:
    pad = -len(record) % 4
    return struct.pack("<II", MAGIC, len(record)) + record + b"\x00" * pad


def _check(array: np.ndarray, labels: np.ndarray | None) -> None:
    if array.ndim != 2:
        raise ValueError("array must be a matrix (2 dimensions)")
    for name, values in (("array", array), ("labels", labels)):
        if values is not None and values.dtype not in _VALUE_FIELDS:
            raise ValueError(f"{name}: dtype {values.dtype} is not float32, float64 or {np.dtype(int)}")
    if labels is not None:
        if labels.ndim != 1:
            raise ValueError("labels must be a vector (1 dimension)")
        if labels.shape[0] not in array.shape:
            raise ValueError(f"labels of shape {labels.shape} do not fit an array of shape {array.shape}")


def encode_dense(array: np.ndarray, labels: np.ndarray | None = None) -> bytes:
    """The RecordIO-protobuf bytes of ``array``'s rows (and their ``labels``), one record per row."""
    _check(array, labels)
    fixed = array.dtype in _LITTLE_ENDIAN and (labels is None or labels.dtype in _LITTLE_ENDIAN)
    if fixed and array.shape[1] > 0 and len(array):
        return _encode_fixed_width(array, labels)
    out = []
    for index, row in enumerate(array):
        record = _entry(_RECORD_FEATURES, array.dtype, _packed(row))
        if labels is not None:
            record += _entry(_RECORD_LABEL, labels.dtype, _packed(labels[index : index + 1]))
        out.append(_frame(record))
    return b"".join(out)


def _encode_fixed_width(array: np.ndarray, labels: np.ndarray | None) -> bytes:
    """Float rows all encode to the same layout: build it once, then fill every row's bytes at once."""
    width = array.shape[1] * array.dtype.itemsize
    feature_prefix = _entry(_RECORD_FEATURES, array.dtype, b"\x00" * width)[:-width]
    parts: list[tuple[bytes | None, np.ndarray]] = [(feature_prefix, _rows(array))]
    if labels is not None:
        label_width = labels.dtype.itemsize
        label_prefix = _entry(_RECORD_LABEL, labels.dtype, b"\x00" * label_width)[:-label_width]
        parts.append((label_prefix, _rows(labels[: len(array)].reshape(-1, 1))))
    length = sum(len(prefix or b"") + data.shape[1] for prefix, data in parts)
    head = struct.pack("<II", MAGIC, length)
    pad = -length % 4
    total = len(head) + length + pad
    buffer = np.zeros((len(array), total), dtype=np.uint8)
    buffer[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    at = len(head)
    for prefix, data in parts:
        assert prefix is not None
        buffer[:, at : at + len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
        at += len(prefix)
        buffer[:, at : at + data.shape[1]] = data
        at += data.shape[1]
    return buffer.tobytes()


def _rows(values: np.ndarray) -> np.ndarray:
    """Each row's little-endian bytes, as a (rows, bytes) uint8 matrix."""
    little = np.ascontiguousarray(values.astype(_LITTLE_ENDIAN[values.dtype], copy=False))
    return little.view(np.uint8).reshape(len(values), -1)


def write_dense(file: BinaryIO, array: np.ndarray, labels: np.ndarray | None = None) -> None:
    """Write ``array`` (and ``labels``) to ``file`` as SDK 2.x's ``write_numpy_to_dense_tensor`` does."""
    file.write(encode_dense(array, labels))
