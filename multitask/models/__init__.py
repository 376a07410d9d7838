from multitask.models.mqan import MQAN  # noqa: F401
from multitask.models.task_spec import TaskSpec  # noqa: F401
