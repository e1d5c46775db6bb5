# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 5: SageMaker Built-in 알고리즘 개요
#
# | 알고리즘 | 용도 | 입력 형식 | 시험 빈도 |
# |---------|------|---------|---------|
# | **XGBoost** | 분류/회귀 | CSV, LibSVM | ★★★★★ |
# | **Linear Learner** | 분류/회귀 | RecordIO, CSV | ★★★★ |
# | **K-Means** | 클러스터링 | RecordIO | ★★★ |
# | **PCA** | 차원 축소 | RecordIO | ★★★ |
# | **Factorization Machines** | 추천, 희소 데이터 | RecordIO | ★★★ |
# | **BlazingText** | 텍스트 분류, Word2Vec | Text | ★★★★ |
# | **Seq2Seq** | 번역, 요약 | RecordIO | ★★ |
# | **DeepAR** | 시계열 예측 | JSON | ★★★★ |
# | **Object Detection** | 객체 탐지 | RecordIO | ★★★ |
# | **Image Classification** | 이미지 분류 | RecordIO | ★★★ |
# | **Semantic Segmentation** | 이미지 분할 | RecordIO | ★★ |
# | **Random Cut Forest** | 이상 탐지 | RecordIO | ★★★★ |
# | **IP Insights** | IP 이상 탐지 | CSV | ★★ |
#
# **핵심 암기 포인트**
# ```
# XGBoost: 정형 데이터 분류/회귀의 기본 선택
# Linear Learner: 대용량 데이터, 빠른 학습
# BlazingText: Word2Vec + 텍스트 분류 (fastText 기반)
# DeepAR: 시계열 예측 (여러 시계열 동시 학습)
# Random Cut Forest: 비지도 이상 탐지
# ```
#
# 표만 외우지 않고 XGBoost 외의 내장 알고리즘 두 가지를 SDK의 전용 Estimator로 직접 학습시켜 봅니다:
# **Linear Learner** (이진 분류)와 **K-Means** (클러스터 2개). 둘 다 RecordIO-protobuf를 입력으로 받고,
# `record_set()`이 numpy 배열을 RecordIO로 바꿔 S3에 올립니다. ml.m5.large에서 각각 몇 분, 1센트 남짓입니다.

# %%
import io

import boto3
import pandas as pd
import sagemaker
import study_lab
from sagemaker import KMeans, LinearLearner, get_execution_role

session = sagemaker.Session()
role = get_execution_role()
bucket = session.default_bucket()
s3 = boto3.client("s3")
data = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key="data/raw/breast_cancer.csv")["Body"].read()))
features = data.drop(columns=["target"]).to_numpy(dtype="float32")
labels = data["target"].to_numpy(dtype="float32")
print(features.shape, labels.mean())

# %%
linear = LinearLearner(role=role, instance_count=1, instance_type="ml.m5.large", predictor_type="binary_classifier")
linear.fit(linear.record_set(features, labels=labels), logs=False)
print("Linear Learner:", linear.latest_training_job.name, linear.model_data)

# %%
kmeans = KMeans(role=role, instance_count=1, instance_type="ml.m5.large", k=2)
kmeans.fit(kmeans.record_set(features), logs=False)
print("K-Means:", kmeans.latest_training_job.name, kmeans.model_data)

# %% [markdown]
# ## 비용과 정리
#
# 학습 작업은 끝나면 스스로 멈추고, 엔드포인트는 만들지 않았습니다: 지울 것이 없습니다.

# %%
study_lab.report(
    {
        name: study_lab.job_cost("training", name)
        for name in (linear.latest_training_job.name, kmeans.latest_training_job.name)
    }
)
study_lab.assert_nothing_bills()
