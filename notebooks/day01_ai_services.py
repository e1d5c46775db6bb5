# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (SageMaker SDK 2.x)
#     language: python
#     name: study-sdk2
# ---

# %% [markdown]
# # Day 1: AWS ML 서비스 전체 조망
#
# **학습 목표**: AWS ML 서비스 종류와 용도 파악
#
# | 서비스 | 용도 | 시험 출제 빈도 | 이 노트북에서 |
# |--------|------|---------------|------------|
# | **SageMaker** | ML 전체 플랫폼 | ★★★★★ | Day 2부터 매일 |
# | **Comprehend** | NLP (감정분석, 엔티티) | ★★★★ | 호출 (감정, 핵심 구문) |
# | **Rekognition** | 이미지/비디오 분석 | ★★★★ | 호출 (레이블, 글자) |
# | **Lex** | 대화형 챗봇 | ★★★ | 설명만: 봇을 먼저 만들어야 합니다 |
# | **Polly** | 텍스트 → 음성 (TTS) | ★★ | 호출 |
# | **Transcribe** | 음성 → 텍스트 (STT) | ★★★ | 호출 (Polly가 만든 음성) |
# | **Translate** | 기계 번역 | ★★ | 호출 (영어 → 한국어) |
# | **Forecast** | 시계열 예측 | ★★★ | 설명만: 신규 고객에게 닫혔습니다 (SageMaker의 DeepAR가 대안) |
# | **Personalize** | 추천 시스템 | ★★★ | 설명만: 학습 시간과 캠페인이 시간당 과금 |
# | **Textract** | 문서 OCR | ★★★ | 호출 |
# | **Kendra** | 지능형 검색 | ★★ | 설명만: 인덱스가 시간당 과금 (월 수백 달러) |
#
# 모든 호출은 요청당 과금이고 입력은 아주 작습니다: 이 노트북 전체가 1센트도 들지 않습니다.
# 입력 파일은 실습 버킷의 `data/raw/ai-services/`에 들어 있습니다.

# %% [markdown]
# 계획의 실습은 AWS CLI 명령입니다 (`aws --version`, `aws configure`, `aws sagemaker list-endpoints`).
# Studio에서는 `aws configure`가 필요 없습니다: 노트북은 실습의 SageMaker 실행 역할로 실행됩니다.
# `aws sagemaker list-endpoints --region us-east-1`과 같은 호출을 boto3로 합니다.

# %%
import json
import time

import boto3
import sagemaker
import study_lab

session = sagemaker.Session()
bucket = session.default_bucket()
region = session.boto_region_name
s3 = boto3.client("s3")
print(f"Bucket: {bucket}, Region: {region}")
print("엔드포인트:", [e["EndpointName"] for e in boto3.client("sagemaker").list_endpoints()["Endpoints"]])

# %%
reviews = s3.get_object(Bucket=bucket, Key="data/raw/ai-services/reviews.txt")["Body"].read().decode().splitlines()
card = s3.get_object(Bucket=bucket, Key="data/raw/ai-services/study-card.png")["Body"].read()
print(len(reviews), "reviews,", len(card), "bytes of image")

# %% [markdown]
# ## Comprehend: 감정 분석과 핵심 구문

# %%
comprehend = boto3.client("comprehend")
for review in reviews:
    sentiment = comprehend.detect_sentiment(Text=review, LanguageCode="en")
    print(f"{sentiment['Sentiment']:>8}  {review}")
phrases = comprehend.detect_key_phrases(Text=reviews[0], LanguageCode="en")["KeyPhrases"]
print("핵심 구문:", [p["Text"] for p in phrases])

# %% [markdown]
# ## Translate: 영어 → 한국어

# %%
translate = boto3.client("translate")
translated = translate.translate_text(Text=reviews[0], SourceLanguageCode="en", TargetLanguageCode="ko")
print(translated["TranslatedText"])

# %% [markdown]
# ## Polly → Transcribe: 텍스트를 음성으로, 그 음성을 다시 텍스트로

# %%
polly = boto3.client("polly")
audio = polly.synthesize_speech(Text=reviews[0], OutputFormat="mp3", VoiceId="Joanna")["AudioStream"].read()
audio_key = "data/raw/ai-services/review-0.mp3"
s3.put_object(Bucket=bucket, Key=audio_key, Body=audio)
print(f"{len(audio)} bytes of speech in s3://{bucket}/{audio_key}")

# %%
transcribe = boto3.client("transcribe")
job_name = f"study-day1-{int(time.time())}"
transcript_key = f"output/reports/transcribe/{job_name}.json"
transcribe.start_transcription_job(
    TranscriptionJobName=job_name,
    Media={"MediaFileUri": f"s3://{bucket}/{audio_key}"},
    MediaFormat="mp3",
    LanguageCode="en-US",
    OutputBucketName=bucket,
    OutputKey=transcript_key,
)
while True:
    status = transcribe.get_transcription_job(TranscriptionJobName=job_name)["TranscriptionJob"][
        "TranscriptionJobStatus"
    ]
    if status in ("COMPLETED", "FAILED"):
        break
    time.sleep(5)
print("Transcribe:", status)
transcript = json.loads(s3.get_object(Bucket=bucket, Key=transcript_key)["Body"].read())
print(transcript["results"]["transcripts"][0]["transcript"])

# %% [markdown]
# ## Rekognition과 Textract: 이미지 속 레이블과 글자

# %%
rekognition = boto3.client("rekognition")
labels = rekognition.detect_labels(Image={"Bytes": card}, MaxLabels=5)["Labels"]
print("레이블:", [(label["Name"], round(label["Confidence"])) for label in labels])
words = rekognition.detect_text(Image={"Bytes": card})["TextDetections"]
print("Rekognition 글자:", [w.get("DetectedText") for w in words if w.get("Type") == "LINE"])

# %%
textract = boto3.client("textract")
blocks = textract.detect_document_text(Document={"Bytes": card})["Blocks"]
print("Textract 줄:", [b.get("Text") for b in blocks if b["BlockType"] == "LINE"])

# %% [markdown]
# ## 정리와 비용
#
# Transcribe 작업 기록을 지웁니다 (기록 자체는 무료). 음성 파일과 전사 결과는 몇 KB라 버킷에 남겨 둡니다
# (`make destroy`가 버킷과 함께 지웁니다).

# %%
transcribe.delete_transcription_job(TranscriptionJobName=job_name)
ai = study_lab.prices()["ai_services"]
characters = sum(len(r) for r in reviews)
study_lab.report(
    {
        "Comprehend": (
            ai["comprehend_per_unit"] * (len(reviews) + 1) * max(1, characters // 100 // len(reviews)),
            f"{len(reviews) + 1} requests of up to 100-character units",
        ),
        "Translate": (ai["translate_per_character"] * len(reviews[0]), f"{len(reviews[0])} characters"),
        "Polly": (ai["polly_per_character"] * len(reviews[0]), f"{len(reviews[0])} characters"),
        "Transcribe": (ai["transcribe_per_minute"] * 1, "under a minute of audio (billed per second, 15 s minimum)"),
        "Rekognition": (ai["rekognition_per_image"] * 2, "2 images"),
        "Textract": (ai["textract_per_page"] * 1, "1 page"),
    }
)
study_lab.assert_nothing_bills()
