"""The few errors the assistant raises; the CLI and UI turn them into messages for people."""


class AssistantError(Exception):
    """Base class: the message says what happened and what to do."""


class BadQuery(AssistantError):
    """The question cannot be searched as typed (empty, too long, only symbols)."""


class CorpusError(AssistantError):
    """The corpus folder has no readable document, or a document cannot be read."""


class ModelNotFound(AssistantError):
    """The embedding model cannot be loaded by that name or path."""


class IndexProblem(AssistantError):
    """The index on disk is missing, stale, corrupt or cannot be written."""


class ConfigError(AssistantError):
    """A setting (flag or ASSISTANT_* variable) has a value the assistant cannot use."""
