"""The errors services raise for requests the server refuses, and how each maps to HTTP.

::

    Exception
    └── ApiError                 a request the server refuses, with its HTTP status
        ├── BadRequestError      400: the request names or passes something wrong
        ├── ConflictError        409: the request contradicts what is stored
        └── UnavailableError     503: this server cannot do that (no engine, for instance)

The store's `NotFoundError` (404) and `EntityConflictError` (409) and the type engine's
`TypeConversionError` (400) are mapped as well, so services raise what they already have.
Every message names the object, says what was expected and how to fix the request.
"""

from __future__ import annotations


class ApiError(Exception):
    """A refused request; ``status`` is the HTTP status and ``code`` a short machine word."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(ApiError):
    """The request names something unknown or passes a value of the wrong type."""

    status = 400
    code = "bad_request"


class ConflictError(ApiError):
    """The request contradicts the stored state (a taken name, a finished execution)."""

    status = 409
    code = "conflict"


class UnavailableError(ApiError):
    """This server cannot do what was asked, e.g. terminate without a running engine."""

    status = 503
    code = "unavailable"
