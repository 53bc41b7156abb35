"""An httpx transport whose every TCP connection goes only to an address checked by `corpus.web.safety`.

Checking a URL and then letting the HTTP client resolve the host again leaves a gap: a DNS answer that changes in
between (DNS rebinding) would reach an address that was never checked. Here the host is resolved once, inside
the connection step, each address is checked, and the socket is opened to that very address; TLS still verifies
the certificate for the host name. httpx does not let a caller choose httpcore's network backend, so this is a
small `httpx.BaseTransport` over `httpcore.ConnectionPool` (both public APIs), mapping httpcore's errors to httpx's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from corpus.web.safety import UnsafeURLError, check_addresses, resolve
from tokka.settings import Settings


class AddressRefusedError(httpx.ConnectError):
    """The host resolved only to addresses the crawler may not contact (carries the original error)."""

    def __init__(self, error: UnsafeURLError) -> None:
        super().__init__(str(error))
        self.error = error


class _CheckedBackend(httpcore.SyncBackend):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve(host, port)
            check_addresses(host, addresses, self.settings)
        except UnsafeURLError as e:
            raise _Refused(e) from e
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                last = e
        assert last is not None
        raise last


class _Refused(httpcore.ConnectError):
    def __init__(self, error: UnsafeURLError) -> None:
        super().__init__(str(error))
        self.error = error


_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.TimeoutException, httpx.TimeoutException),
)


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except _Refused as e:
        raise AddressRefusedError(e.error) from e
    except Exception as e:
        for source, target in _ERRORS:
            if isinstance(e, source):
                raise target(str(e)) from e
        raise


class _Stream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _mapped():
            yield from self._stream

    def close(self) -> None:
        if hasattr(self._stream, "close"):
            self._stream.close()


class CheckedTransport(httpx.BaseTransport):
    """Connections only to addresses the crawler may contact (see module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_CheckedBackend(settings)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request over a checked connection."""
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped():
            response = self._pool.handle_request(core)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Stream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.close()
