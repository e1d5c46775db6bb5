# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 11: 모델 배포 (Endpoint)
#
# **학습 목표**: 실시간 추론 엔드포인트 생성. Day 6-7에서 학습한 마지막 XGBoost 모델을 가져와 (없으면 여기서
# 학습합니다) 계획의 코드로 배포하고, 호출하고, **바로 삭제**합니다. 실시간 엔드포인트는 떠 있는 동안
# 시간당 과금입니다 (ml.m5.large 약 $0.115/시간). 이어서 서버리스 엔드포인트도 만들어 봅니다 (요청당 과금).

# %%
import time

import boto3
import sagemaker
import study_lab
from sagemaker import get_execution_role
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput

role = get_execution_role()
session = sagemaker.Session()
bucket = session.default_bucket()
sm = boto3.client("sagemaker")
done = sm.list_training_jobs(
    NameContains="sagemaker-xgboost", StatusEquals="Completed", SortBy="CreationTime", SortOrder="Descending"
)["TrainingJobSummaries"]
if done:
    xgb = Estimator.attach(done[0]["TrainingJobName"])
else:
    container = sagemaker.image_uris.retrieve(framework="xgboost", region=session.boto_region_name, version="1.5-1")
    xgb = Estimator(
        image_uri=container,
        role=role,
        instance_count=1,
        instance_type="ml.m5.large",
        hyperparameters={
            "max_depth": 5,
            "eta": 0.2,
            "objective": "binary:logistic",
            "num_round": 100,
            "eval_metric": "auc",
        },
        output_path=f"s3://{bucket}/models/",
    )
    xgb.fit(
        {
            "train": TrainingInput(f"s3://{bucket}/data/train/", content_type="csv"),
            "validation": TrainingInput(f"s3://{bucket}/data/validation/", content_type="csv"),
        }
    )
print("model:", xgb.model_data)

# %% [markdown]
# 계획의 `test_data = '0.5,1.2,3.4,2.1'`은 특성 4개짜리 예시입니다. 이 모델은 특성 30개로 학습했으므로
# `data/test/`의 실제 행 하나를 보냅니다 (레이블 없는 CSV).

# %%
test_rows = boto3.client("s3").get_object(Bucket=bucket, Key="data/test/test.csv")["Body"].read().decode().splitlines()
test_data = test_rows[0]

# 모델 배포
started = time.time()
predictor = xgb.deploy(
    initial_instance_count=1,
    instance_type="ml.m5.large",
    serializer=sagemaker.serializers.CSVSerializer(),
    deserializer=sagemaker.deserializers.JSONDeserializer(),
)

# 추론 테스트
response = predictor.predict(test_data)
print(f"Prediction: {response}")

# 엔드포인트 삭제 (비용 절감!): 모델을 먼저 (엔드포인트 설정이 남아 있을 때), 그다음 엔드포인트와 설정
predictor.delete_model()
predictor.delete_endpoint()
instance_seconds = time.time() - started

# %% [markdown]
# ## 서버리스 엔드포인트
#
# 메모리와 동시 실행 수만 정합니다. 유휴 시간에는 과금되지 않고, 추론 시간(초)과 메모리만큼만 과금됩니다.

# %%
from sagemaker.serverless import ServerlessInferenceConfig

serverless = xgb.deploy(
    serverless_inference_config=ServerlessInferenceConfig(memory_size_in_mb=2048, max_concurrency=5),
    serializer=sagemaker.serializers.CSVSerializer(),
    deserializer=sagemaker.deserializers.JSONDeserializer(),
)
print("Serverless prediction:", serverless.predict("\n".join(test_rows[:3])))
serverless.delete_model()
serverless.delete_endpoint()

# %% [markdown]
# **배포 옵션**
#
# | 옵션 | 설명 | 사용 시기 |
# |------|------|---------|
# | **Real-time Endpoint** | 상시 운영 | 실시간 응답 필요 |
# | **Serverless Inference** | 자동 스케일링 | 간헐적 트래픽 |
# | **Batch Transform** | 대량 배치 처리 | 정기 배치 작업 (Day 12) |
# | **Async Inference** | 비동기 처리 | 긴 추론 시간 |
#
# ## 비용과 정리

# %%
study_lab.report(
    {
        "real-time endpoint": (
            study_lab.endpoint_cost("ml.m5.large", instance_seconds),
            f"{instance_seconds:.0f} s on ml.m5.large, from deploy to delete",
        ),
        "serverless endpoint": (
            study_lab.endpoint_cost(None, 3, memory_mb=2048),
            "a few seconds of inference at 2048 MB",
        ),
    }
)
study_lab.assert_nothing_bills()
