"""What can go wrong when talking to the server.

::

    Exception
    └── ClientError                  the server refused or failed a request (``status``)
        └── EndpointUnreachableError  no answer at all: refused, unknown host, timed out

Both carry a message meant to be shown as it is: the server's own message for a refused
request (it names the object and how to fix the request), one line naming the address tried
for an unreachable server.
"""

from __future__ import annotations


class ClientError(Exception):
    """The server answered a request with an error, or the answer could not be read.

    Attributes:
        status: the HTTP status (400, 404, 409, 422, 500, ...); 0 when no answer came.
        message: the server's message, e.g. "execution 2405 has no node 'n9'; ...".
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def refused(self) -> bool:
        """True for a 4xx: the request was wrong (fix it), not the server."""
        return 400 <= self.status < 500


class EndpointUnreachableError(ClientError):
    """No server answers at the endpoint.

    Attributes:
        endpoint: the address tried, e.g. ``http://127.0.0.1:8080``.
        reason: why, in a few words: ``connection refused``, ``unknown host``, ``timed out``.
    """

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(
            0,
            f"cannot reach the updraft server at {endpoint} ({reason}); start it with "
            "`updraft serve` or set `endpoint` in updraft.yaml or UPDRAFT_ENDPOINT",
        )
        self.endpoint = endpoint
        self.reason = reason
