# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 9: SageMaker Processing
#
# **학습 목표**: Processing Job으로 전처리 자동화
#
# 계획의 코드에서 두 곳을 고쳤습니다:
# - `ScriptProcessor(framework_version=...)`는 어떤 SDK 버전에서도 `TypeError`입니다: `ScriptProcessor`는
#   `image_uri`를 받고 `framework_version`은 받지 않습니다. scikit-learn 컨테이너는 `SKLearnProcessor`가
#   `framework_version`으로 고릅니다 (내부적으로 `ScriptProcessor`입니다).
# - `s3://bucket/...`은 자리 표시자입니다: 실습 버킷을 씁니다.
#
# ml.m5.xlarge에서 몇 분, 약 $0.02입니다.

# %% [markdown]
# **preprocessing.py 예시** (계획의 스크립트. 입력 파일 이름만 실습 데이터셋에 맞췄습니다)

# %%
# %%writefile preprocessing.py
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import os

# 데이터 로드
input_path = '/opt/ml/processing/input/breast_cancer.csv'
df = pd.read_csv(input_path)

# 전처리
scaler = StandardScaler()
X = scaler.fit_transform(df.drop('target', axis=1))
y = df['target'].values

# Train/Test 분리
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)

# 저장
output_path = '/opt/ml/processing/output'
pd.DataFrame(X_train).to_csv(f'{output_path}/train.csv', index=False)
pd.DataFrame(X_test).to_csv(f'{output_path}/test.csv', index=False)

# %%
import sagemaker
import study_lab
from sagemaker import get_execution_role
from sagemaker.processing import ProcessingInput, ProcessingOutput
from sagemaker.sklearn.processing import SKLearnProcessor

role = get_execution_role()
bucket = sagemaker.Session().default_bucket()

# SKLearn 프로세서 생성
sklearn_processor = SKLearnProcessor(
    framework_version="1.2-1",
    role=role,
    instance_type="ml.m5.xlarge",
    instance_count=1,
)

# Processing Job 실행
sklearn_processor.run(
    code="preprocessing.py",
    inputs=[ProcessingInput(source=f"s3://{bucket}/data/raw/", destination="/opt/ml/processing/input")],
    outputs=[ProcessingOutput(source="/opt/ml/processing/output", destination=f"s3://{bucket}/data/processed/day9/")],
)

# %% [markdown]
# ## 비용
#
# Processing 작업은 끝나면 스스로 멈춥니다.

# %%
job_name = sklearn_processor.latest_job.job_name
study_lab.report({job_name: study_lab.job_cost("processing", job_name)})
study_lab.assert_nothing_bills()
