"""The exceptions Weir raises. Every one is a :class:`WeirError` carrying the engine's message
(with the SQL position, JSON path or record location) and a stable ``code`` to branch on."""

from __future__ import annotations


class WeirError(Exception):
    """Base class of Weir's errors.

    Attributes:
        code: A stable identifier of the kind of error (``sql_error``, ``invalid_plan``,
            ``eval_error``, ``bad_record``, ``cancelled``, ``unsupported``, ...).
    """

    code: str = "weir_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class SqlError(WeirError):
    """SQL text that does not parse or plan; the message shows the line and column."""

    code = "sql_error"


class PlanError(WeirError):
    """A job that cannot run as written; the message starts with the JSON path at fault."""

    code = "invalid_plan"


class JobError(WeirError):
    """A job failed while running: a malformed record, a failing expression, or an exception
    inside a Python function (its traceback is in the message and it is the ``__cause__``)."""

    code = "job_failed"


class JobCancelledError(JobError):
    """The job was cancelled before it finished."""

    code = "cancelled"


class UnsupportedError(WeirError, NotImplementedError):
    """A Flink feature Weir does not have yet; the message names it."""

    code = "unsupported"


def unsupported(feature: str) -> UnsupportedError:
    """An :class:`UnsupportedError` for ``feature`` (used by the API for missing features)."""
    return UnsupportedError(f"not supported yet: {feature}")


class _UnsupportedType(type):
    """Metaclass of placeholders: creating one, or reading any attribute of the class (a
    factory such as ``CountTrigger.of``), raises :class:`UnsupportedError` naming it."""

    _feature: str

    def __call__(cls, *args: object, **kwargs: object) -> object:
        raise unsupported(f"{cls.__name__} ({cls._feature})")

    def __getattr__(cls, attr: str) -> object:
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise unsupported(f"{cls.__name__}.{attr} ({cls._feature})")


def unsupported_class(name: str, feature: str, module: str) -> type:
    """A placeholder for the PyFlink class ``name`` that Weir does not have yet: programs that
    import it still import, and using it raises :class:`UnsupportedError` naming ``feature``."""
    return _UnsupportedType(name, (), {"_feature": feature, "__module__": module, "__doc__": f"Not supported yet: {feature}."})


def unsupported_function(name: str, feature: str, module: str) -> object:
    """A placeholder for the PyFlink function ``name``: calling it raises
    :class:`UnsupportedError` naming ``feature``."""

    def missing(*args: object, **kwargs: object) -> object:
        raise unsupported(f"{name} ({feature})")

    missing.__name__ = missing.__qualname__ = name
    missing.__module__ = module
    missing.__doc__ = f"Not supported yet: {feature}."
    return missing


def declare_unsupported(cls: type, feature_by_method: dict[str, str], properties: frozenset[str] = frozenset()) -> None:
    """Adds to ``cls`` each PyFlink method it lacks, as a method raising
    :class:`UnsupportedError` that names ``Class.method`` and the feature (as a property
    raising it when read, for the names in ``properties``)."""
    for name, feature in feature_by_method.items():
        if hasattr(cls, name):
            continue
        if name in properties:

            def getter(self: object, _name: str = f"{cls.__name__}.{name}", _feature: str = feature) -> object:
                raise unsupported(f"{_name} ({_feature})")

            setattr(cls, name, property(getter, doc=f"Not supported yet: {feature}."))
            continue

        def method(*args: object, _name: str = f"{cls.__name__}.{name}", _feature: str = feature, **kwargs: object) -> object:
            raise unsupported(f"{_name} ({_feature})")

        method.__name__ = method.__qualname__ = name
        method.__doc__ = f"Not supported yet: {feature}."
        setattr(cls, name, method)
