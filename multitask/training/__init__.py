from multitask.training.checkpointer import AtomicCheckpointer  # noqa: F401
