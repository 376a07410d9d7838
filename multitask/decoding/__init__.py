from multitask.decoding.label_trie import LabelSequenceConstraint, LabelTrie  # noqa: F401
from multitask.decoding.task_decoding import FreeTextDecoding, TaskDecoding  # noqa: F401
