"""The data layer: corpus readers, tokenizers, default-corpus preparation."""

from multitask.data import schedulers, tokenizers  # noqa: F401
