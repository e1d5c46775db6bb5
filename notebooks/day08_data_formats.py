# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 8: 데이터 형식 (RecordIO, CSV, Protobuf)
#
# | 형식 | 장점 | 단점 | 사용 알고리즘 |
# |------|------|------|-------------|
# | **CSV** | 간단, 범용 | 느린 로딩 | XGBoost, Linear Learner |
# | **RecordIO** | 빠른 스트리밍 | 변환 필요 | 대부분 내장 알고리즘 |
# | **Protobuf** | 압축, 빠름 | 복잡한 변환 | 내장 알고리즘 |
# | **JSON Lines** | 유연함 | 파싱 오버헤드 | DeepAR |
# | **Parquet** | 컬럼 기반, 압축 | 일부만 지원 | Processing Job |
#
# 이 노트북은 로컬에서 각 형식을 쓰고 읽은 뒤 `data/features/`에 올립니다 (과금 없음, 몇 KB).

# %% [markdown]
# ## RecordIO-protobuf: 계획의 변환 코드 (SDK 2.x의 `sagemaker.amazon.common`)

# %%
import io

import numpy as np
from sagemaker.amazon.common import write_numpy_to_dense_tensor


def convert_to_recordio(features, labels):
    buf = io.BytesIO()
    write_numpy_to_dense_tensor(buf, features, labels)
    buf.seek(0)
    return buf.read()


# 사용 예시
features = np.array([[1.0, 2.0], [3.0, 4.0]])
labels = np.array([0, 1])
recordio_data = convert_to_recordio(features, labels)
print(len(recordio_data), "bytes")

# %% [markdown]
# 다시 읽어서 확인합니다: 각 레코드는 `features`와 `label` 텐서를 담은 protobuf `Record`입니다.

# %%
from sagemaker.amazon.common import read_records

for record in read_records(io.BytesIO(recordio_data)):
    values = record.features["values"].float64_tensor.values
    label = record.label["values"].float64_tensor.values
    print(list(values), "->", list(label))

# %% [markdown]
# ## CSV, JSON Lines, Parquet

# %%
import json

import boto3
import pandas as pd
import sagemaker

bucket = sagemaker.Session().default_bucket()
s3 = boto3.client("s3")
frame = pd.DataFrame(features, columns=["f1", "f2"]).assign(label=labels)

# CSV for XGBoost / Linear Learner: label first, no header
csv_text = frame[["label", "f1", "f2"]].to_csv(header=False, index=False)
# JSON Lines for DeepAR: one time series per line
json_lines = "\n".join(json.dumps({"start": "2026-01-01 00:00:00", "target": [1.0, 2.0, 3.0, 2.5]}) for _ in range(2))
# Parquet: columns with types and compression (Processing jobs read it with pandas)
parquet = io.BytesIO()
frame.to_parquet(parquet, index=False)

for key, body in (
    ("day8.csv", csv_text.encode()),
    ("day8.jsonl", json_lines.encode()),
    ("day8.parquet", parquet.getvalue()),
    ("day8.recordio", recordio_data),
):
    s3.put_object(Bucket=bucket, Key=f"data/features/{key}", Body=body)
    print(f"s3://{bucket}/data/features/{key}: {len(body)} bytes")
print(pd.read_parquet(io.BytesIO(parquet.getvalue())))
