# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 10: 하이퍼파라미터 튜닝
#
# **학습 목표**: 자동 하이퍼파라미터 최적화. Day 6-7의 XGBoost Estimator를 다시 만들고 계획의 튜너를 그대로
# 돌립니다: 학습 작업 20개, 동시에 4개. ml.m5.large에서 20개 × 몇 분, 약 $0.10-0.20입니다
# (빨리 끝내려면 `max_jobs`를 줄이세요).

# %%
import sagemaker
import study_lab
from sagemaker import get_execution_role
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput

role = get_execution_role()
session = sagemaker.Session()
bucket = session.default_bucket()
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
train_input = TrainingInput(s3_data=f"s3://{bucket}/data/train/", content_type="csv")
validation_input = TrainingInput(s3_data=f"s3://{bucket}/data/validation/", content_type="csv")

# %%
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner, IntegerParameter

# 튜닝할 하이퍼파라미터 범위
hyperparameter_ranges = {
    "eta": ContinuousParameter(0.01, 0.3),
    "max_depth": IntegerParameter(3, 10),
    "min_child_weight": ContinuousParameter(1, 10),
    "subsample": ContinuousParameter(0.5, 1.0),
}

# 목표 메트릭
objective_metric_name = "validation:auc"

# 튜너 생성
tuner = HyperparameterTuner(
    estimator=xgb,
    objective_metric_name=objective_metric_name,
    hyperparameter_ranges=hyperparameter_ranges,
    max_jobs=20,  # 총 실험 수
    max_parallel_jobs=4,  # 동시 실행 수
    strategy="Bayesian",  # 또는 'Random'
)

# 튜닝 시작
tuner.fit({"train": train_input, "validation": validation_input})

# 최적 하이퍼파라미터
tuner.best_training_job()

# %% [markdown]
# **튜닝 전략**
#
# | 전략 | 설명 | 사용 시기 |
# |------|------|---------|
# | **Random** | 무작위 탐색 | 파라미터 영향 파악 |
# | **Bayesian** | 이전 결과 기반 탐색 | 최적화 수렴 |
# | **Hyperband** | 조기 종료 기반 | 대규모 탐색 |
#
# ## 비용
#
# 튜닝 작업은 끝나면 스스로 멈춥니다. 비용은 그 학습 작업들의 합입니다.

# %%
tuning_job = tuner.latest_tuning_job.name
print("best:", tuner.best_training_job())
study_lab.report({tuning_job: study_lab.job_cost("tuning", tuning_job)})
study_lab.assert_nothing_bills()
