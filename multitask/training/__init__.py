"""Training-time plug-ins: trainer callbacks and the crash-safe checkpointer."""

from multitask.training.callbacks import TuneLabelSelectionCallback
from multitask.training.checkpointer import AtomicCheckpointer

__all__ = ["AtomicCheckpointer", "TuneLabelSelectionCallback"]
