"""bulletin-assistant: questions answered with citations from a Vietnamese policy bulletin."""

from .api import Assistant
from .errors import AssistantError, BadQuery, CorpusError, IndexProblem, ModelNotFound
from .models import Document, Hit, Passage, QueryInfo, Span
from .settings import Settings

__all__ = [
    "Assistant",
    "AssistantError",
    "BadQuery",
    "CorpusError",
    "Document",
    "Hit",
    "IndexProblem",
    "ModelNotFound",
    "Passage",
    "QueryInfo",
    "Settings",
    "Span",
]
