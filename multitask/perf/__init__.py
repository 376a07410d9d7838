"""Measuring the model's speed: FLOP counts, matmul peak, timing and memory helpers.

Used by the benchmark scripts (``scripts/bench_train.py``, ``scripts/bench_predict.py``);
nothing here registers a component.
"""
