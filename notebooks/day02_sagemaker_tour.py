# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 2: SageMaker 아키텍처 이해
#
# **학습 목표**: SageMaker 구성요소 완벽 이해
#
# ```
# ┌─────────────────────────────────────────────────────────────┐
# │                    Amazon SageMaker                          │
# ├─────────────────────────────────────────────────────────────┤
# │   Studio (IDE)        Notebook Instance     Autopilot       │
# │   Processing Jobs     Training Jobs         Tuning Jobs     │
# │   Endpoint            Batch Transform       Model Registry  │
# │   Model Monitor       Feature Store         Pipelines       │
# └─────────────────────────────────────────────────────────────┘
# ```
#
# | 구성요소 | 설명 | 비용 발생 |
# |---------|------|---------|
# | **Notebook Instance** | Jupyter 환경 | 실행 중일 때 |
# | **Training Job** | 모델 학습 | 학습 시간 |
# | **Processing Job** | 전처리/후처리 | 처리 시간 |
# | **Endpoint** | 실시간 추론 | 24/7 상시 |
# | **Batch Transform** | 배치 추론 | 처리 시간 |
#
# 이 노트북은 아무것도 만들지 않습니다: 실습 계정에 지금 무엇이 있는지 목록만 봅니다 (무료).
# 이 실습은 Notebook Instance 대신 Studio의 JupyterLab을 씁니다: 유휴 60분 후 스스로 멈춥니다.

# %%
import boto3

sm = boto3.client("sagemaker")
tour = {
    "Training Jobs": ("list_training_jobs", "TrainingJobSummaries", "TrainingJobName", "TrainingJobStatus"),
    "Processing Jobs": ("list_processing_jobs", "ProcessingJobSummaries", "ProcessingJobName", "ProcessingJobStatus"),
    "Tuning Jobs": (
        "list_hyper_parameter_tuning_jobs",
        "HyperParameterTuningJobSummaries",
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobStatus",
    ),
    "Batch Transform": ("list_transform_jobs", "TransformJobSummaries", "TransformJobName", "TransformJobStatus"),
    "Models": ("list_models", "Models", "ModelName", None),
    "Endpoints (24/7 과금)": ("list_endpoints", "Endpoints", "EndpointName", "EndpointStatus"),
}
for title, (operation, key, name, status) in tour.items():
    items = getattr(sm, operation)(MaxResults=10)[key]
    print(f"{title}: {len(items)}")
    for item in items:
        print(f"  {item[name]}" + (f"  {item[status]}" if status else ""))

# %% [markdown]
# 이 노트북이 실행되는 Studio 도메인과 사용자 프로필 (Day 3의 "Studio 도메인 생성"은 이 실습이 이미 했습니다).
# Studio가 앱마다 남기는 메타데이터 파일(`/opt/ml/metadata/resource-metadata.json`)에 적혀 있습니다:

# %%
import json

import sagemaker.session

with open(sagemaker.session.NOTEBOOK_METADATA_FILE) as fh:
    metadata = json.load(fh)
print({key: metadata.get(key) for key in ("DomainId", "UserProfileName", "SpaceName", "AppType", "ExecutionRoleArn")})
