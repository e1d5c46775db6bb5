# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 4: S3 + IAM for ML
#
# **S3 버킷 구조 (Best Practice)**: 실습 버킷이 계획의 구조 그대로입니다.
#
# ```
# s3://<실습 버킷>/
# ├── data/      raw/ processed/ features/ (그리고 계획의 코드가 찾는 train/ validation/ test/)
# ├── models/    training/ artifacts/
# ├── code/      scripts/ notebooks/
# └── output/    predictions/ reports/
# ```

# %%
import boto3
import sagemaker

bucket = sagemaker.Session().default_bucket()
s3 = boto3.client("s3")
for top in ("data/", "models/", "code/", "output/"):
    prefixes = s3.list_objects_v2(Bucket=bucket, Prefix=top, Delimiter="/").get("CommonPrefixes", [])
    print(top, [p["Prefix"][len(top) :] for p in prefixes])

# %% [markdown]
# **IAM 정책 (SageMaker 실행 역할)**: 계획의 예시는 버킷 전체 읽기/쓰기와 모든 로그(`Resource: "*"`)를
# 허용합니다. 이 실습의 실행 역할은 더 좁습니다 (최소 권한):
#
# - 읽기: `data/`, `code/`, `models/`, `output/`; 쓰기: `data/raw/`, `data/processed/`, `data/features/`,
#   `models/`, `output/` (목록은 그 접두사만)
# - 로그: `/aws/sagemaker/*` 로그 그룹만; 이미지: SageMaker 내장 알고리즘 저장소만
# - `iam:PassRole`은 자기 자신만, SageMaker에게만
# - 작업·엔드포인트는 허용된 인스턴스 유형에서만, 엔드포인트 호출과 삭제는 이 실습 태그가 있는 것만
#
# **실습: 데이터 업로드** (계획의 코드. 버킷은 실습이 이미 만들었으므로 `create_bucket`은 하지 않습니다:
# 실행 역할에는 버킷을 만들 권한이 없습니다.)

# %%
import io

import pandas as pd

raw = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key="data/raw/breast_cancer.csv")["Body"].read()))
raw.head(100).to_csv("train.csv", index=False)

bucket_name = bucket
# 데이터 업로드
s3.upload_file("train.csv", bucket_name, "data/raw/train.csv")
print(s3.head_object(Bucket=bucket_name, Key="data/raw/train.csv")["ContentLength"], "bytes uploaded")

# %% [markdown]
# 업로드한 파일은 몇 KB입니다 (S3 저장 비용: GB당 월 $0.023, 1센트 미만). `make destroy`가 버킷과 함께 지웁니다.
