"""socmob benchmarks: ``python -m bench [NAME ...]``.

Each benchmark compares socmob with a baseline in the same run and writes
``bench/results/<name>.json``. See :mod:`bench.harness`.
"""
