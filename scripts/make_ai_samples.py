#!/usr/bin/env python3
"""Regenerate sample_data/ai-services/: the small inputs of Day 1's AI-service calls (seeded into data/raw/).

- ``reviews.txt``: a few product reviews, one per line (Comprehend sentiment and key phrases,
  Translate into Korean, Polly speaks the first; Transcribe then transcribes Polly's audio).
- ``study-card.png``: a white card with printed text (Textract reads it; Rekognition labels and reads it).

Deterministic: the same bytes on every machine. Run: .venv/bin/python scripts/make_ai_samples.py
"""

import os
import sys

from PIL import Image, ImageDraw, ImageFont

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sample_data", "ai-services")
REVIEWS = [
    "The SageMaker lab was easy to set up and cheap to run.",
    "Training jobs failed twice because I forgot to delete an endpoint, and the bill surprised me.",
    "Batch Transform scored the whole test set in a few minutes.",
]
CARD_LINES = [
    "AWS Machine Learning Specialty",
    "Day 1: AI services",
    "Comprehend  Translate  Polly",
    "Transcribe  Rekognition  Textract",
]


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "reviews.txt"), "w") as fh:
        fh.write("\n".join(REVIEWS) + "\n")
    card = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(card)
    font = ImageFont.load_default(size=40)
    for row, line in enumerate(CARD_LINES):
        draw.text((40, 30 + row * 65), line, fill="black", font=font)
    card.save(os.path.join(OUT, "study-card.png"), optimize=True)
    print(f"wrote {OUT}: reviews.txt, study-card.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
