"""Project exceptions: one base type, so callers can catch zhiku's own failures in one place."""


class ZhikuError(Exception):
    """Base of every error zhiku raises on purpose; the message says what to do."""


class LoadError(ZhikuError):
    """A file could not be read into a Document; the message is the one-line reason."""


class LLMError(ZhikuError):
    """The LLM cannot be used; the message says what to do about it."""


class BusyError(ZhikuError):
    """Every answering slot is taken and the bounded wait ran out: try again shortly."""
