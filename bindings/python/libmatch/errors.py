"""The LibmatchError hierarchy: one class per C status code (core.h ``lm_status``).

Every exception carries

- ``status``: the C status code (a negative ``int``, see :class:`libmatch.Status`);
- ``message``: the detailed message of the handle involved (``lm_pool_errmsg()``,
  ``lm_engine_errmsg()``, ...), or ``lm_strerror(status)`` when there is none.

Bad arguments (``LM_ERR_NULL``, ``NONFINITE``, ``DIMENSION``, ``RANGE``,
``INVALID``, ``DUPLICATE``, ``LIMIT``) are also ``ValueError``; an unknown id
(``LM_ERR_UNKNOWN_ID``) is also ``KeyError``; so ordinary Python ``except``
clauses work. A function the loaded library does not export raises
:class:`UnsupportedError`, which is also ``NotImplementedError``.
"""
from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "LibmatchError", "InvalidArgumentError", "NullArgumentError", "NonFiniteError",
    "DimensionError", "UnknownIdError", "RangeError", "DuplicateError", "NoMemoryError",
    "CancelledError", "LibmatchIOError", "FormatError", "DatabaseError", "LimitError",
    "StateError", "ClosedError", "BufferTooSmallError", "UnsupportedError", "InternalError",
    "error_class", "UncentredWarning",
]


class UncentredWarning(UserWarning):
    """An add/upsert into an uncentred pool whose vectors all point one way
    (raw skill levels): centre them with Pool.set_centre(). Since 1.1.0."""

# Status values (core.h); duplicated here so this module needs no library.
LM_OK = 0
LM_ERR_INVALID = -1
LM_ERR_NULL = -2
LM_ERR_NONFINITE = -3
LM_ERR_DIMENSION = -4
LM_ERR_UNKNOWN_ID = -5
LM_ERR_RANGE = -6
LM_ERR_DUPLICATE = -7
LM_ERR_NOMEM = -8
LM_ERR_CANCELLED = -9
LM_ERR_IO = -10
LM_ERR_FORMAT = -11
LM_ERR_DB = -12
LM_ERR_LIMIT = -13
LM_ERR_STATE = -14
LM_ERR_BUFFER = -15
LM_ERR_UNSUPPORTED = -16
LM_ERR_INTERNAL = -17


class LibmatchError(Exception):
    """Base class of every error raised by libmatch.

    Attributes:
        status: the C status code (negative int).
        message: the detailed message (the handle's ``*_errmsg()``).
    """

    status: int = LM_ERR_INTERNAL

    def __init__(self, message: str = "", status: Optional[int] = None) -> None:
        if status is not None:
            self.status = int(status)
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise print repr(message)
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, message={self.message!r})"

    def __reduce__(self):  # picklable across processes
        return (type(self), (self.message, self.status))


class InvalidArgumentError(LibmatchError, ValueError):
    """LM_ERR_INVALID: an invalid argument (struct size, empty batch, lengths)."""
    status = LM_ERR_INVALID


class NullArgumentError(LibmatchError, ValueError):
    """LM_ERR_NULL: a required argument (column) is missing."""
    status = LM_ERR_NULL


class NonFiniteError(LibmatchError, ValueError):
    """LM_ERR_NONFINITE: a NaN or infinite value."""
    status = LM_ERR_NONFINITE


class DimensionError(LibmatchError, ValueError):
    """LM_ERR_DIMENSION: the vector dimension does not match the pool."""
    status = LM_ERR_DIMENSION


class UnknownIdError(LibmatchError, KeyError):
    """LM_ERR_UNKNOWN_ID: no such id, or a candidate the viewer may not see."""
    status = LM_ERR_UNKNOWN_ID


class RangeError(LibmatchError, ValueError):
    """LM_ERR_RANGE: a value outside its allowed range."""
    status = LM_ERR_RANGE


class DuplicateError(LibmatchError, ValueError):
    """LM_ERR_DUPLICATE: the id exists already, or appears twice in one batch."""
    status = LM_ERR_DUPLICATE


class NoMemoryError(LibmatchError, MemoryError):
    """LM_ERR_NOMEM: out of memory; nothing was changed."""
    status = LM_ERR_NOMEM


class CancelledError(LibmatchError):
    """LM_ERR_CANCELLED: cancelled by the progress callback."""
    status = LM_ERR_CANCELLED


class LibmatchIOError(LibmatchError, OSError):
    """LM_ERR_IO: a file could not be read or written."""
    status = LM_ERR_IO


class FormatError(LibmatchError, ValueError):
    """LM_ERR_FORMAT: malformed input file or data."""
    status = LM_ERR_FORMAT


class DatabaseError(LibmatchError):
    """LM_ERR_DB: a database error; the message holds the server's text."""
    status = LM_ERR_DB


class LimitError(LibmatchError, ValueError):
    """LM_ERR_LIMIT: a documented size limit would be exceeded."""
    status = LM_ERR_LIMIT


class StateError(LibmatchError, RuntimeError):
    """LM_ERR_STATE: the object is in a state that forbids the call."""
    status = LM_ERR_STATE


class ClosedError(StateError):
    """The Python object was closed (its C handle freed); status LM_ERR_STATE."""


class BufferTooSmallError(LibmatchError):
    """LM_ERR_BUFFER: a buffer was too small (handled inside the binding)."""
    status = LM_ERR_BUFFER


class UnsupportedError(LibmatchError, NotImplementedError):
    """LM_ERR_UNSUPPORTED: feature not available in this build or CPU, or the
    loaded library does not export the C function."""
    status = LM_ERR_UNSUPPORTED


class InternalError(LibmatchError):
    """LM_ERR_INTERNAL: a bug in libmatch (please report)."""
    status = LM_ERR_INTERNAL


class ConflictError(LibmatchError):
    """LM_ERR_CONFLICT: a concurrent change won (optimistic versioning); nothing was changed."""
    status = -18


_BY_STATUS: Dict[int, Type[LibmatchError]] = {
    cls.status: cls
    for cls in (InvalidArgumentError, NullArgumentError, NonFiniteError, DimensionError,
                UnknownIdError, RangeError, DuplicateError, NoMemoryError, CancelledError,
                LibmatchIOError, FormatError, DatabaseError, LimitError, StateError,
                BufferTooSmallError, UnsupportedError, InternalError, ConflictError)
}


def error_class(status: int) -> Type[LibmatchError]:
    """The exception class for a C status code (LibmatchError for unknown codes)."""
    return _BY_STATUS.get(int(status), LibmatchError)


def make_error(status: int, message: str) -> LibmatchError:
    return error_class(status)(message, status)
