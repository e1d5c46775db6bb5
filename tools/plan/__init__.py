"""The study plan's Day notebooks as a developer works with them: build them from their sources, and run
them on the emulator lab as the learner would in Studio (``make plan``; ``make test`` too).

- ``build``: Jupytext percent sources (``notebooks/<name>.py``) -> ``notebooks/<name>.ipynb``, no
  outputs, stable cell ids; ``python -m tools.plan.build`` writes them, ``--check`` says which are stale.
- ``studio``: the Studio a notebook runs in, played by the harness: the SDK 2.x kernel (``.venv-sdk2``),
  the execution role's credentials, the metadata file and the SDK defaults file Studio would have.
- ``__main__``: ``python -m tools.plan``: deploy the lab on the emulator, run every notebook, destroy.
"""
