"""Training-time plug-ins (trainer callbacks)."""

from multitask.training.callbacks import TuneLabelSelectionCallback

__all__ = ["TuneLabelSelectionCallback"]
