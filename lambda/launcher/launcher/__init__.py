"""The job launcher's pure core: validate a JSON request, build SageMaker requests, run them.

Only ``service`` talks to SageMaker, through a client it is handed; everything else is pure.
"""
