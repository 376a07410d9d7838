from multitask.predictors.mesh_indexer import MeshIndexerPredictor  # noqa: F401
