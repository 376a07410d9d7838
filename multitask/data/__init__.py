"""The data layer: corpus readers, tokenizers, default-corpus preparation."""

from multitask.data import tokenizers  # noqa: F401
