from multitask.modules.decoder import MQANDecoder, QADecoder  # noqa: F401
from multitask.modules.encoder import MQANEncoder, QAEncoder  # noqa: F401
from multitask.modules.label_graph import GraphLabelEmbedding, LabelEmbedding, LabelGraph  # noqa: F401
from multitask.modules.label_scorer import LabelScorer, PooledLabelScorer  # noqa: F401
from multitask.modules.qanet import QANetEncoder  # noqa: F401
