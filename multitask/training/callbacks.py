"""Trainer callbacks of the framework."""

from typing import Any, Optional

from allennlp.training.callbacks import TrainerCallback


@TrainerCallback.register("tune_label_selection")
class TuneLabelSelectionCallback(TrainerCallback):
    """Lets the model tune each multi-label task's label selection on every validation pass.

    Tuning is switched on here, by training, and nowhere else: `allennlp evaluate` on a
    test file must score the archive's stored selection, not one fitted to that file.
    """

    def on_start(self, trainer: Any, is_primary: bool = True, **kwargs) -> None:
        trainer.model.tune_selection = True

    def on_end(
        self,
        trainer: Any,
        metrics: Optional[dict[str, Any]] = None,
        epoch: Optional[int] = None,
        is_primary: bool = True,
        **kwargs,
    ) -> None:
        trainer.model.tune_selection = False
