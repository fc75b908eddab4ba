"""Shared machinery: calling C functions, raising errors, guarding handles
against use after close, and turning Python/numpy columns into C pointers.

Not part of the promised Python API.
"""
from __future__ import annotations

import collections
import ctypes
import threading
import weakref
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from . import _ffi
from .errors import (LM_ERR_DIMENSION, LM_ERR_INVALID, LM_ERR_NULL, LM_ERR_RANGE,
                     ClosedError, LibmatchError, StateError, UnsupportedError, make_error)

LIB = _ffi.lib()  # loads libmatch.so.1 (and checks its version) on import


def fn(name: str) -> Any:
    """The C function `name`, or raise UnsupportedError if the library lacks it."""
    f = LIB.fn.get(name)
    if f is None:
        raise UnsupportedError(
            f"{name}() is not exported by the loaded libmatch ({LIB.path}, version "
            f"{LIB.version_string}): this build does not provide it", )
    return f


def has(name: str) -> bool:
    return LIB.fn.get(name) is not None


def strerror(status: int) -> str:
    return LIB.fn["lm_strerror"](int(status)).decode("utf-8", "replace")


def raise_for(status: int, errmsg: Optional[Callable[[], Optional[bytes]]] = None) -> None:
    """Raise the LibmatchError subclass for a negative status, with the
    handle's detailed message when there is one."""
    if status >= 0:
        return
    msg = b""
    if errmsg is not None:
        try:
            msg = errmsg() or b""
        except Exception:  # never let the message lookup hide the error
            msg = b""
    text = msg.decode("utf-8", "replace") if msg else strerror(status)
    raise make_error(status, text)


# ---------------------------------------------------------------------------
# Handles


class Guard:
    """Owns one C handle; makes use-after-close raise ClosedError and makes
    close() wait until calls in flight have returned, so a handle is never
    freed under a running call.

    shared=True: any number of threads may use the handle at once (the C
    object is thread-safe). shared=False: the binding serialises calls (the C
    object is "one thread at a time"); a re-entrant call from the same thread
    (e.g. from a progress callback) raises StateError instead of deadlocking.
    """

    __slots__ = ("_cond", "_busy", "_owner", "_ptr", "_closing", "_finalizer", "_shared", "_what", "__weakref__")

    def __init__(self, owner: object, ptr: int, free: Callable[[int], None], what: str, shared: bool) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._busy = 0
        self._owner: Optional[int] = None
        self._ptr: Optional[int] = ptr
        self._closing = False  # set by close(): no new calls start, calls in flight finish
        self._shared = shared
        self._what = what
        # Frees the handle when `owner` is garbage-collected, or at close().
        # Not at interpreter exit: a daemon thread may still be inside a C call
        # then, and the operating system reclaims the memory anyway.
        self._finalizer = weakref.finalize(owner, free, ptr)
        self._finalizer.atexit = False

    @property
    def closed(self) -> bool:
        return self._ptr is None or self._closing

    def __enter__(self) -> int:
        with self._cond:
            if self._ptr is None or self._closing:
                raise ClosedError(f"{self._what} is closed")
            if not self._shared:
                me = threading.get_ident()
                if self._owner == me:
                    raise StateError(
                        f"{self._what} is in use by a call on this thread (re-entrant call from a "
                        "progress callback?); a libmatch object of this kind is used by one call at a time")
                while self._owner is not None:
                    self._cond.wait()
                    if self._ptr is None or self._closing:
                        raise ClosedError(f"{self._what} is closed")
                self._owner = me
            self._busy += 1
            return self._ptr

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._busy -= 1
            if not self._shared:
                self._owner = None
            self._cond.notify_all()

    def peek(self) -> Optional[int]:
        """The raw handle without taking it (for errmsg after a failed call)."""
        return self._ptr

    def close(self) -> None:
        with self._cond:
            if self._ptr is None or self._closing:
                return
            if not self._shared and self._owner == threading.get_ident():
                raise StateError(f"cannot close {self._what} from inside one of its own calls")
            self._closing = True
            self._cond.notify_all()
            while self._busy:
                self._cond.wait()
            self._ptr = None
        self._finalizer()


class Handle:
    """Base of every Python object owning a C handle: close(), context manager,
    .closed. Subclasses set self._g = Guard(...)."""

    _g: Guard

    def close(self) -> None:
        """Free the C object now. Idempotent. Waits for calls in flight on other
        threads. Any later use raises ClosedError (a LibmatchError)."""
        g = getattr(self, "_g", None)
        if g is not None:
            g.close()

    @property
    def closed(self) -> bool:
        """True once close() was called (or construction failed)."""
        g = getattr(self, "_g", None)
        return g is None or g.closed

    def __enter__(self):
        if self.closed:
            raise ClosedError(f"{type(self).__name__} is closed")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _guard(self) -> Guard:
        g = getattr(self, "_g", None)
        if g is None:
            raise ClosedError(f"{type(self).__name__} was not created")
        return g


def create(name: str, *args: Any) -> int:
    """Call an `lm_*_create(&out, ...)`-style function; return the handle."""
    out = ctypes.c_void_p()
    st = fn(name)(ctypes.byref(out), *args)
    if st < 0:
        raise_for(st)
    if not out.value:
        raise LibmatchError(f"{name} returned no object", -17)
    return out.value


# ---------------------------------------------------------------------------
# Progress callbacks


class Progress:
    """Wraps a Python callable ``fn(done, total) -> bool|None`` as a C
    lm_progress_fn. A true return value cancels (LM_ERR_CANCELLED); an
    exception cancels too and is re-raised by reraise() after the call."""

    def __init__(self, callback: Optional[Callable[[int, int], Any]]) -> None:
        self.callback = callback
        self.exc: Optional[BaseException] = None
        if callback is None:
            self.cfunc = _ffi.PROGRESS_FN()  # NULL
        else:
            if not callable(callback):
                raise TypeError("progress must be callable as progress(done, total)")
            self.cfunc = _ffi.PROGRESS_FN(self._call)

    def _call(self, user: Any, done: int, total: int) -> int:
        if self.exc is not None:
            return 1
        try:
            return 1 if self.callback(int(done), int(total)) else 0  # type: ignore[misc]
        except BaseException as e:  # includes KeyboardInterrupt: cancel the C call cleanly
            self.exc = e
            return 1

    def reraise(self) -> None:
        if self.exc is not None:
            e, self.exc = self.exc, None
            raise e


# ---------------------------------------------------------------------------
# Columns


class DebugCounters:
    """Counts the binding's conversions of input arrays, for tests and tuning.

    conversions: Counter of column name -> times a caller's array had to be
    converted (copied) because it was not already of the C type and C-contiguous.
    last_address: column name -> address last passed to C for that column.
    """

    def __init__(self) -> None:
        self.conversions: collections.Counter = collections.Counter()
        self.last_address: dict = {}

    def reset(self) -> None:
        self.conversions.clear()
        self.last_address.clear()


DEBUG = DebugCounters()

_INT_KINDS = "iub"
_FLOAT_KINDS = "fiub"


def _fail(status: int, msg: str) -> None:
    raise make_error(status, msg)


def as_array(value: Any, dtype: np.dtype, name: str) -> np.ndarray:
    """`value` as a C-contiguous, aligned, native array of `dtype`, without a
    copy when it already is one. Integer targets are range-checked (no silent
    wrap-around); floats given for an integer column must be integral."""
    dtype = np.dtype(dtype)
    a = value if isinstance(value, np.ndarray) else np.asarray(value)
    if a.dtype == dtype and a.flags.c_contiguous and a.flags.aligned:
        return a
    if dtype.kind in "iu":
        if a.dtype.kind in _INT_KINDS:
            if a.size and not np.can_cast(a.dtype, dtype, "safe"):
                info = np.iinfo(dtype)
                lo, hi = int(a.min()), int(a.max())
                if lo < info.min or hi > info.max:
                    _fail(LM_ERR_RANGE, f"column {name!r}: values {lo}..{hi} do not fit {dtype.name}")
        elif a.dtype.kind == "f":
            if a.size:
                if not np.all(np.isfinite(a)):
                    _fail(-3, f"column {name!r}: NaN or infinite value in an integer column")
                if not np.all(a == np.floor(a)):
                    _fail(LM_ERR_INVALID, f"column {name!r}: non-integral value in an integer column")
                info = np.iinfo(dtype)
                lo, hi = float(a.min()), float(a.max())
                if lo < info.min or hi > info.max:
                    _fail(LM_ERR_RANGE, f"column {name!r}: values {lo:g}..{hi:g} do not fit {dtype.name}")
        else:
            _fail(LM_ERR_INVALID, f"column {name!r}: cannot use dtype {a.dtype} as {dtype.name}")
    elif dtype.kind == "f":
        if a.dtype.kind not in _FLOAT_KINDS:
            _fail(LM_ERR_INVALID, f"column {name!r}: cannot use dtype {a.dtype} as {dtype.name}")
    out = np.ascontiguousarray(a, dtype=dtype)
    DEBUG.conversions[name] += 1
    return out


def column(value: Any, dtype: Any, name: str, n: int, keep: List[Any]) -> Optional[int]:
    """Pointer to a 1-D column of n values (a scalar is broadcast), or None."""
    if value is None:
        return None
    dtype = np.dtype(dtype)
    if np.ndim(value) == 0:
        a = as_array(np.full(n, value), dtype, name)  # checks ranges like an array would
    else:
        a = as_array(value, dtype, name)
        if a.ndim != 1 or a.shape[0] != n:
            _fail(LM_ERR_INVALID, f"column {name!r}: shape {a.shape}, expected ({n},) like the ids")
    keep.append(a)
    addr = a.ctypes.data  # never NULL, even for n == 0: the C library then reports the real problem
    DEBUG.last_address[name] = addr
    return addr


def matrix(value: Any, dtype: Any, name: str, n: int, dim: Optional[int], keep: List[Any]) -> Tuple[Optional[int], int]:
    """Pointer to an n x dim block (2-D (n, dim), or 1-D of n*dim values when
    dim is known); returns (pointer, dim as given by the array)."""
    if value is None:
        return None, dim or 0
    a = as_array(value, np.float32, name)
    if a.ndim == 1:
        if n == 1 and dim is None:
            a = a.reshape(1, -1)
        elif dim is not None and a.size == n * dim:
            a = a.reshape(n, dim)  # a view: contiguous input stays uncopied
        else:
            _fail(LM_ERR_DIMENSION,
                  f"column {name!r}: {a.size} values cannot be {n} rows of dimension {dim}")
    elif a.ndim != 2:
        _fail(LM_ERR_DIMENSION, f"column {name!r}: expected a 2-D (rows, dim) array, got shape {a.shape}")
    if a.shape[0] != n:
        _fail(LM_ERR_INVALID, f"column {name!r}: {a.shape[0]} rows, expected {n} like the ids")
    if a.shape[1] == 0 and n:
        _fail(LM_ERR_DIMENSION, f"column {name!r}: dimension 0")
    keep.append(a)
    addr = a.ctypes.data
    DEBUG.last_address[name] = addr
    return addr, int(a.shape[1])


def required(columns: dict, names: Tuple[str, ...], what: str) -> None:
    for nm in names:
        if columns.get(nm) is None:
            _fail(LM_ERR_NULL, f"{what}: required column {nm!r} is missing")
