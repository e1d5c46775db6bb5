"""Local rehearsal: deploy, use and destroy the whole lab on an embedded moto server (no AWS account).

``python -m tools.sandbox`` (``make sandbox``) runs the cycle; ``gaps.py`` is the one place that
lists what the emulator cannot do and how the rehearsal works around each gap.
"""
