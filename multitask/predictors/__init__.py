from multitask.predictors.mesh_indexer import MeshIndexerPredictor  # noqa: F401
from multitask.predictors.qa import MultiTaskQAPredictor  # noqa: F401
