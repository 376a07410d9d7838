from multitask.predictors.qa import MultiTaskQAPredictor  # noqa: F401
