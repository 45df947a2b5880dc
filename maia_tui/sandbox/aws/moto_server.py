"""moto's server on loopback, in a thread of this process (its state is per process)."""

from __future__ import annotations

import logging
import threading
from typing import Any


class MotoServer:
    """moto's WSGI app in a thread on a free loopback port, quiet, and quick to stop."""

    def __init__(self) -> None:
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> MotoServer:
        from moto.moto_server.threaded_moto_server import MotoRequestHandler
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # its access log would scribble over the TUI
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="moto-server", daemon=True
        )
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
