# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 12: Batch Transform
#
# **학습 목표**: 대량 데이터 배치 추론. Day 6-7의 마지막 XGBoost 모델로 `data/test/` 전체를 점수화합니다
# (ml.m5.large에서 몇 분, 약 $0.01). 작업이 끝나면 인스턴스가 스스로 내려갑니다.

# %%
import boto3
import sagemaker
import study_lab
from sagemaker.estimator import Estimator

bucket = sagemaker.Session().default_bucket()
sm = boto3.client("sagemaker")
latest = sm.list_training_jobs(
    NameContains="sagemaker-xgboost", StatusEquals="Completed", SortBy="CreationTime", SortOrder="Descending"
)["TrainingJobSummaries"]
if not latest:
    raise RuntimeError("no completed XGBoost training job yet: run the Day 6-7 notebook first")
xgb = Estimator.attach(latest[0]["TrainingJobName"])

# %%

# Transformer 생성
transformer = xgb.transformer(
    instance_count=1, instance_type="ml.m5.large", output_path=f"s3://{bucket}/output/predictions/"
)

# 배치 추론 실행
transformer.transform(data=f"s3://{bucket}/data/test/", content_type="text/csv", split_type="Line")

transformer.wait()
print(f"Predictions: {transformer.output_path}")

# %% [markdown]
# 예측 결과를 읽습니다: 입력 파일마다 `<파일 이름>.out`, 입력 한 줄에 예측 하나.

# %%
s3 = boto3.client("s3")
output = s3.get_object(Bucket=bucket, Key="output/predictions/test.csv.out")["Body"].read().decode().splitlines()
print(len(output), "predictions, first five:", output[:5])

# %% [markdown]
# ## 비용과 정리
#
# Batch Transform이 등록한 모델을 지웁니다 (모델 자체는 무료지만 남길 이유가 없습니다).

# %%
job_name = transformer.latest_transform_job.name
study_lab.report({job_name: study_lab.job_cost("transform", job_name)})
transformer.delete_model()
study_lab.assert_nothing_bills()
