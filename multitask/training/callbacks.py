"""Trainer callbacks of the framework."""

from typing import Any, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.training.callbacks import TrainerCallback

from multitask.decoding.selection_tuning import SelectionTuner


@TrainerCallback.register("tune_label_selection")
class TuneLabelSelectionCallback(TrainerCallback):
    """Tunes each multi-label task's label selection at the end of every validation pass.

    Tuning is switched on here, by training, and nowhere else: `allennlp evaluate` on a
    test file must score the archive's stored selection, not one fitted to that file.

    Tuning must run after the validation pass and before the trainer reads that pass's
    metrics: the tuned selection rescores them, so the best epoch is chosen by it, and the
    checkpoint and best weights saved after them carry it. AllenNLP 2.10 calls no callback
    between the two, so ``on_start`` wraps the trainer's validation pass
    (``_validation_loss``) and ``on_end`` unwraps it.
    """

    tuner: Optional[SelectionTuner] = None

    def on_start(self, trainer: Any, is_primary: bool = True, **kwargs) -> None:
        model = trainer.model
        if not hasattr(model, "selection_tuner"):
            raise ConfigurationError(
                "tune_label_selection needs a model with label selections (mqan), "
                f"not {type(model).__name__}"
            )
        self.tuner = SelectionTuner.for_tasks(model.tasks)
        model.selection_tuner = self.tuner
        validate = trainer._validation_loss

        def validate_then_tune(epoch: int) -> Any:
            result = validate(epoch)
            self.tune()
            return result

        trainer._validation_loss = validate_then_tune

    def tune(self) -> dict[str, float]:
        """Fit the selections on the validation pass just run (every worker calls it)."""
        return self.tuner.tune() if self.tuner is not None else {}

    def on_end(
        self,
        trainer: Any,
        metrics: Optional[dict[str, Any]] = None,
        epoch: Optional[int] = None,
        is_primary: bool = True,
        **kwargs,
    ) -> None:
        trainer.model.selection_tuner = None
        trainer.__dict__.pop("_validation_loss", None)  # back to the trainer class's own
        self.tuner = None
