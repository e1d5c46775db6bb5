# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 3: SageMaker Studio 설정 + 첫 노트북
#
# **실습 1: Studio 도메인 생성**: 이 실습의 `mls-studio` 스택이 이미 만들었습니다 (IAM 인증,
# 공용 인터넷 전용 VPC, 사용자 프로필 `student`, 실행 역할은 실습 버킷만 씁니다). 콘솔에서 할 일이 없습니다.
#
# **실습 2: 첫 노트북**: 계획의 코드 그대로입니다. 이 노트북의 커널은 "Python 3 (SageMaker SDK 2.x)"입니다:
# Studio 이미지의 기본 커널은 SDK 3.x라서 `from sagemaker import get_execution_role`부터 실패합니다.
# JupyterLab이 시작될 때 실습의 수명 주기 구성이 이 커널을 홈 디렉터리에 한 번 만들어 둡니다
# (로그: `~/.study-lab/start.log`).

# %%
# SageMaker Python SDK 기본
import sagemaker
from sagemaker import get_execution_role

# 세션 및 역할 설정
session = sagemaker.Session()
role = get_execution_role()
bucket = session.default_bucket()
region = session.boto_region_name

print(f"Role: {role}")
print(f"Bucket: {bucket}")
print(f"Region: {region}")

# %% [markdown]
# `default_bucket()`이 `sagemaker-<region>-<account>`를 새로 만들지 않고 실습 버킷을 돌려주는 것은
# SDK 기본값 파일 때문입니다 (JupyterLab 시작 때마다 실습이 씁니다): 기본 버킷, 기본 접두사
# `models/training`, 작업과 모델의 역할, 그리고 SDK가 만드는 모든 것에 붙는 실습 태그.

# %%
import os

print(sagemaker.__version__)
with open(os.path.expanduser("~/.config/sagemaker/config.yaml")) as fh:
    print(fh.read())

# %% [markdown]
# **비용 주의사항**
# - Studio 사용 후 반드시 **앱 종료** (File → Shut Down): 이 실습의 JupyterLab은 유휴 60분 후 스스로 멈춥니다.
# - 예상 비용: ml.t3.medium JupyterLab 시간당 약 $0.05 (이 노트북 자체는 아무것도 과금하지 않습니다).
