# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 13-14: 주말 종합 실습 - End-to-End ML 파이프라인
#
# ```
# 1. S3에 데이터 업로드
# 2. Processing Job으로 전처리
# 3. XGBoost로 모델 학습
# 4. 하이퍼파라미터 튜닝
# 5. 최적 모델 배포
# 6. 추론 테스트
# 7. 리소스 정리
# ```
#
# 전처리는 실습의 `code/scripts/preprocessing.py`입니다 (층화 분할, 학습 데이터로만 맞춘 스케일러,
# XGBoost용 CSV: 레이블이 첫 열, 헤더 없음). 전체 약 $0.10-0.20이고, 마지막 셀이 엔드포인트와 모델을 지우고
# 아무것도 과금되지 않는지 확인합니다.

# %%
import io
import time

import boto3
import pandas as pd
import sagemaker
import study_lab
from sagemaker import get_execution_role
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.processing import ProcessingInput, ProcessingOutput
from sagemaker.sklearn.processing import SKLearnProcessor
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner, IntegerParameter

session = sagemaker.Session()
role = get_execution_role()
bucket = session.default_bucket()
s3 = boto3.client("s3")
run = time.strftime("%Y%m%d-%H%M%S")
costs = {}

# %% [markdown]
# ## 1. S3에 데이터 업로드 (`data/raw/e2e-<run>/`)

# %%
raw = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key="data/raw/breast_cancer.csv")["Body"].read()))
raw.to_csv("e2e.csv", index=False)
raw_prefix = f"data/raw/e2e-{run}/"
s3.upload_file("e2e.csv", bucket, raw_prefix + "e2e.csv")
s3.download_file(bucket, "code/scripts/preprocessing.py", "preprocessing.py")
print(len(raw), "rows to", f"s3://{bucket}/{raw_prefix}")

# %% [markdown]
# ## 2. Processing Job으로 전처리

# %%
processed = f"s3://{bucket}/data/processed/e2e-{run}"
processor = SKLearnProcessor(framework_version="1.2-1", role=role, instance_type="ml.m5.xlarge", instance_count=1)
processor.run(
    code="preprocessing.py",
    inputs=[ProcessingInput(source=f"s3://{bucket}/{raw_prefix}", destination="/opt/ml/processing/input/data")],
    outputs=[
        ProcessingOutput(
            output_name=split, source=f"/opt/ml/processing/output/{split}", destination=f"{processed}/{split}/"
        )
        for split in ("train", "validation", "test")
    ],
)
costs["processing"] = study_lab.job_cost("processing", processor.latest_job.job_name)

# %% [markdown]
# ## 3. XGBoost로 모델 학습

# %%
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
channels = {
    "train": TrainingInput(f"{processed}/train/", content_type="csv"),
    "validation": TrainingInput(f"{processed}/validation/", content_type="csv"),
}
xgb.fit(channels)
costs["training"] = study_lab.job_cost("training", xgb.latest_training_job.name)

# %% [markdown]
# ## 4. 하이퍼파라미터 튜닝 (체크리스트대로 학습 작업 5개)

# %%
tuner = HyperparameterTuner(
    estimator=xgb,
    objective_metric_name="validation:auc",
    hyperparameter_ranges={
        "eta": ContinuousParameter(0.01, 0.3),
        "max_depth": IntegerParameter(3, 10),
        "min_child_weight": ContinuousParameter(1, 10),
        "subsample": ContinuousParameter(0.5, 1.0),
    },
    max_jobs=5,
    max_parallel_jobs=2,
    strategy="Bayesian",
)
tuner.fit(channels)
print("best training job:", tuner.best_training_job())
costs["tuning"] = study_lab.job_cost("tuning", tuner.latest_tuning_job.name)

# %% [markdown]
# ## 5. 최적 모델 배포와 6. 추론 테스트

# %%
started = time.time()
predictor = tuner.deploy(
    initial_instance_count=1,
    instance_type="ml.m5.large",
    serializer=sagemaker.serializers.CSVSerializer(),
    deserializer=sagemaker.deserializers.JSONDeserializer(),
)
test_key = f"data/processed/e2e-{run}/test/test.csv"
rows = s3.get_object(Bucket=bucket, Key=test_key)["Body"].read().decode().splitlines()[:5]
print(predictor.predict("\n".join(rows)))

# %% [markdown]
# ## 7. 리소스 정리

# %%
predictor.delete_model()
predictor.delete_endpoint()
costs["endpoint"] = (
    study_lab.endpoint_cost("ml.m5.large", time.time() - started),
    "from deploy to delete on ml.m5.large",
)
study_lab.report(costs)
study_lab.assert_nothing_bills()

# %% [markdown]
# **체크리스트**
# - [x] S3 버킷 구조 설정 (실습이 만들었습니다)
# - [x] IAM 역할 생성 (실습이 만들었습니다)
# - [x] Processing Job 실행
# - [x] Training Job 실행
# - [x] HPO 실행 (5개 job)
# - [x] Endpoint 배포
# - [x] 추론 테스트
# - [x] 리소스 삭제
