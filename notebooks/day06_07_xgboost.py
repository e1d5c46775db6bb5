# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 6-7: 주말 실습 - 첫 ML 파이프라인
#
# **프로젝트**: XGBoost로 이진 분류 모델 학습. 계획의 코드 그대로입니다. 실습 버킷에는 계획이 찾는
# `data/train/`과 `data/validation/`이 이미 있습니다 (유방암 데이터셋, 레이블이 첫 열, 헤더 없음:
# 내장 XGBoost의 CSV 형식). ml.m5.large에서 몇 분, 약 $0.01입니다.

# %%
import sagemaker
import study_lab
from sagemaker import get_execution_role
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput

# 설정
role = get_execution_role()
session = sagemaker.Session()
bucket = session.default_bucket()

# XGBoost 컨테이너 이미지
container = sagemaker.image_uris.retrieve(framework="xgboost", region=session.boto_region_name, version="1.5-1")

# 하이퍼파라미터
hyperparameters = {"max_depth": 5, "eta": 0.2, "objective": "binary:logistic", "num_round": 100, "eval_metric": "auc"}

# Estimator 생성
xgb = Estimator(
    image_uri=container,
    role=role,
    instance_count=1,
    instance_type="ml.m5.large",
    hyperparameters=hyperparameters,
    output_path=f"s3://{bucket}/models/",
)

# 데이터 입력 설정
train_input = TrainingInput(s3_data=f"s3://{bucket}/data/train/", content_type="csv")
validation_input = TrainingInput(s3_data=f"s3://{bucket}/data/validation/", content_type="csv")

# 학습 시작
xgb.fit({"train": train_input, "validation": validation_input})

print(f"Model artifact: {xgb.model_data}")

# %% [markdown]
# ## 비용
#
# 학습 작업은 끝나면 스스로 멈춥니다: 과금은 `BillableTimeInSeconds`만큼입니다.

# %%
study_lab.report({xgb.latest_training_job.name: study_lab.job_cost("training", xgb.latest_training_job.name)})
study_lab.assert_nothing_bills()
