"""Measuring the model's speed: FLOP counts, matmul peak, timing and memory helpers, and the
training and prediction benchmarks built on them (``training``, ``prediction``).

The scripts in ``scripts/benchmarks/`` only parse arguments and call these; nothing here
registers a component.
"""
