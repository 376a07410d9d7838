"""Task readers: each module turns one task's raw data into question/context/answer."""

from tasks import mesh_indexing  # noqa: F401
