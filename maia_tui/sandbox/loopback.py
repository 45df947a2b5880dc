"""A small threaded JSON-over-HTTP(S) server on 127.0.0.1, with fault injection, for the emulators."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    """One injected failure: the next `count` matching calls fail the way described."""

    method: str
    path: str
    status: int = 500
    count: int = 1
    delay: float = 0.0
    drop: bool = False
    retry_after: float | None = None
    body: dict[str, Any] | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and re.fullmatch(self.path, path) is not None


class Faults:
    """Thread-safe list of faults the emulators consult before handling a request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        method: str,
        path: str,
        *,
        status: int = 500,
        count: int = 1,
        delay: float = 0.0,
        drop: bool = False,
        retry_after: float | None = None,
        body: dict[str, Any] | None = None,
    ) -> Fault:
        """Fail the next `count` calls of METHOD PATH (PATH is a regex matched against the whole path)."""
        fault = Fault(method.upper(), path, status, count, delay, drop, retry_after, body)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching fault, used up by one; None when the call should be served."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None


@dataclass
class Request:
    """A parsed request handed to a route."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


@dataclass
class Response:
    """What a route answers: status, a JSON-able body (or bytes) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


Route = Callable[[Request], Response]


def problem(status: int, title: str, detail: str, instance: str = "") -> Response:
    """An RFC 7807 problem+json answer, as Maia sends."""
    slug = title.lower().replace(" ", "-")
    body = {
        "type": f"https://api.matillion.com/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    return Response(status, body, content_type="application/problem+json")


class Router:
    """Routes of METHOD + path template ('/v1/agents/{id}') to handlers."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Route]] = []

    def add(self, method: str, template: str, handler: Route) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self._routes.append((method.upper(), re.compile(f"^{pattern}$"), handler))

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route_method, pattern, handler in self._routes:
            match = pattern.match(path)
            if match and route_method == method:
                return handler, match.groupdict()
        return None


@dataclass
class CallRecord:
    method: str
    path: str
    status: int


class LoopbackServer:
    """Serves a Router on 127.0.0.1 (a free port) in a thread; HTTPS when given an SSL context."""

    def __init__(
        self,
        router: Router,
        *,
        name: str,
        faults: Faults | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.router = router
        self.name = name
        self.faults = faults or Faults()
        self.calls: list[CallRecord] = []
        self._calls_lock = threading.Lock()
        self._ssl = ssl_context
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self._ssl else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def record(self, method: str, path: str, status: int) -> None:
        with self._calls_lock:
            self.calls.append(CallRecord(method, path, status))

    def count(self, method: str, path_regex: str) -> int:
        """How many calls matched METHOD and PATH (regex), whatever their answer."""
        with self._calls_lock:
            return sum(1 for c in self.calls if c.method == method and re.fullmatch(path_regex, c.path))

    def start(self) -> LoopbackServer:
        handler = _make_handler(self)
        server = _Server(("127.0.0.1", 0), handler)
        if self._ssl is not None:
            server.socket = self._ssl.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"{self.name}-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is normal for these emulators; stay quiet.
        pass


def _make_handler(owner: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # without it every call stalls ~40 ms on delayed ACK
        server_version = owner.name

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            method = self.command
            fault = owner.faults.take(method, split.path)
            if fault is not None:
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.drop:
                    owner.record(method, split.path, 0)
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault.status:
                    response = problem(fault.status, _title(fault.status), "Injected fault", split.path)
                    if fault.body is not None:
                        response.body = fault.body
                    if fault.retry_after is not None:
                        response.headers["Retry-After"] = f"{fault.retry_after:g}"
                    self._send(method, split.path, response)
                    return
            request = Request(
                method=method,
                path=split.path,
                query=parse_qs(split.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            resolved = owner.router.resolve(method, split.path)
            if resolved is None:
                response = problem(404, "Not Found", f"No route for {method} {split.path}", split.path)
            else:
                handler, params = resolved
                request.params = params
                try:
                    response = handler(request)
                except Exception as exc:  # an emulator bug must surface as a 500, not a hang
                    response = problem(500, "Internal Server Error", f"{type(exc).__name__}: {exc}", split.path)
            self._send(method, split.path, response)

        def _send(self, method: str, path: str, response: Response) -> None:
            if isinstance(response.body, bytes):
                payload = response.body
            elif response.body is None:
                payload = b""
            else:
                payload = json.dumps(response.body).encode()
            owner.record(method, path, response.status)
            self.send_response(response.status)
            if payload:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _title(status: int) -> str:
    return _TITLES.get(status, "Error")


class Emulator:
    """Base of the emulators: each serves its routes through one LoopbackServer, started and stopped here."""

    server: LoopbackServer

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def faults(self) -> Faults:
        """Fault injection for the next calls (see Faults.add)."""
        return self.server.faults

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
