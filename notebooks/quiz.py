# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # 1-2주차 퀴즈 (자가 점검)
#
# 먼저 답을 적어 보고 (아래 셀의 `answers`), 셀을 실행해 모범 답안과 비교하세요. AWS를 호출하지 않습니다.
#
# ### Q1. SageMaker에서 XGBoost 학습 시 권장 데이터 형식은?
# <details><summary>정답 보기</summary>CSV 또는 LibSVM. XGBoost는 CSV를 기본 지원하며, RecordIO 변환 없이 사용 가능.</details>
#
# ### Q2. 실시간 추론 vs 배치 추론의 차이점은?
# <details><summary>정답 보기</summary>
#
# - 실시간 (Endpoint): 상시 운영, ms 단위 응답, 24/7 비용 발생
# - 배치 (Transform): 대량 처리, 처리 시간만 비용 발생
# </details>
#
# ### Q3. 하이퍼파라미터 튜닝에서 Bayesian vs Random 전략 차이는?
# <details><summary>정답 보기</summary>
#
# - Random: 무작위 탐색, 병렬화 용이
# - Bayesian: 이전 결과 기반 탐색, 더 적은 실험으로 최적화 가능
# </details>
#
# ### Q4. SageMaker Processing Job의 용도는?
# <details><summary>정답 보기</summary>데이터 전처리, 후처리, 평가 등 학습 외 컴퓨팅 작업을 위한 관리형 인프라 제공.</details>
#
# ### Q5. DeepAR 알고리즘의 주요 용도와 입력 형식은?
# <details><summary>정답 보기</summary>
#
# - 용도: 시계열 예측 (여러 관련 시계열 동시 학습 가능)
# - 입력: JSON Lines 형식
# </details>

# %%
answers = {
    "Q1": "",
    "Q2": "",
    "Q3": "",
    "Q4": "",
    "Q5": "",
}
# Words a good answer mentions (모범 답안의 핵심어).
key_terms = {
    "Q1": ["csv", "libsvm"],
    "Q2": ["24/7", "처리 시간"],
    "Q3": ["무작위", "이전 결과"],
    "Q4": ["전처리", "관리형"],
    "Q5": ["시계열", "json lines"],
}
for question, terms in key_terms.items():
    found = [t for t in terms if t in answers[question].lower()]
    print(
        f"{question}: {len(found)}/{len(terms)} key terms"
        + (f" (missing: {', '.join(t for t in terms if t not in found)})" if len(found) < len(terms) else "")
    )
