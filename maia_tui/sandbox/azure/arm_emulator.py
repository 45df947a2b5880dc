"""The Azure Resource Manager emulator: exactly the Container Apps calls azure-mgmt-appcontainers makes.

Served over HTTPS (the SDK refuses bearer tokens over http). Paths, api-version, the long-running-operation
headers (202 + Azure-AsyncOperation + Location) and the `{"error": {"code", "message"}}` bodies are Azure's.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

from maia_tui.sandbox.azure.arm_state import (
    LIST_SECRETS,
    READ,
    READ_OPERATIONS,
    READ_REVISIONS,
    RESTART_REVISION,
    WRITE,
    ArmError,
    ArmState,
    ContainerApp,
)
from maia_tui.sandbox.loopback import Emulator, Faults, LoopbackServer, Request, Response, Router

ARM_RESOURCE = "https://management.azure.com"
API_VERSION = "2026-07-01"
_APPS = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.App/containerApps"
_APP = _APPS + "/{app}"
_OPERATIONS = "/subscriptions/{sub}/providers/Microsoft.App/locations/{loc}"


def arm_error(status: int, code: str, message: str) -> Response:
    """An ARM-shaped error answer."""
    return Response(status, {"error": {"code": code, "message": message}})


def sandbox_token(resource: str) -> str:
    """The access token the sandbox's `az` stand-in hands out for `resource` (an audience, not a secret)."""
    return f"sandbox-token:{resource.rstrip('/')}"


class ArmEmulator(Emulator):
    """Serves an ArmState on 127.0.0.1 over HTTPS, checking the bearer token, api-version and RBAC."""

    def __init__(self, state: ArmState, ssl_context: ssl.SSLContext, faults: Faults | None = None) -> None:
        self.state = state
        self.server = LoopbackServer(self._router(), name="arm-emulator", faults=faults, ssl_context=ssl_context)

    def _router(self) -> Router:
        router = Router()
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            ("GET", "/subscriptions/{sub}/providers/Microsoft.App/containerApps", self._list_apps),
            ("GET", _APPS, self._list_apps),
            ("GET", _APP, self._get_app),
            ("PATCH", _APP, self._patch_app),
            ("POST", _APP + "/listSecrets", self._list_secrets),
            ("GET", _APP + "/revisions", self._list_revisions),
            ("GET", _APP + "/revisions/{rev}", self._get_revision),
            ("POST", _APP + "/revisions/{rev}/restart", self._restart_revision),
            ("GET", _APP + "/revisions/{rev}/replicas", self._list_replicas),
            ("GET", _APP + "/providers/Microsoft.Authorization/permissions", self._permissions),
            ("GET", _OPERATIONS + "/containerappOperationStatuses/{op}", self._operation_status),
            ("GET", _OPERATIONS + "/containerappOperationResults/{op}", self._operation_result),
        ]
        for method, template, handler in routes:
            router.add(method, template, self._guarded(handler))
        return router

    def _guarded(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Authenticate, check the subscription and api-version, and turn ArmError into its answer."""

        def guarded(request: Request) -> Response:
            if request.bearer != sandbox_token(ARM_RESOURCE):
                response = arm_error(
                    401,
                    "InvalidAuthenticationToken",
                    "The access token is missing or invalid (audience must be https://management.azure.com).",
                )
                response.headers["WWW-Authenticate"] = (
                    f'Bearer authorization_uri="https://login.microsoftonline.com/{self.state.tenant}", '
                    'error="invalid_token"'
                )
                return response
            if not request.arg("api-version"):
                return arm_error(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
            if request.params.get("sub") != self.state.subscription:
                return arm_error(
                    404, "SubscriptionNotFound", f"The subscription '{request.params.get('sub')}' could not be found."
                )
            try:
                with self.state.lock:
                    return handler(request)
            except ArmError as exc:
                return arm_error(exc.status, exc.code, exc.message)

        return guarded

    def _app(self, request: Request, action: str) -> ContainerApp:
        app = self.state.app(request.params["rg"], request.params["app"])
        self.state.authorize(action, app.id)
        return app

    # ── apps ───────────────────────────────────────────────────────────────

    def _list_apps(self, request: Request) -> Response:
        group = request.params.get("rg")
        scope = f"/subscriptions/{self.state.subscription}" + (f"/resourceGroups/{group}" if group else "")
        self.state.authorize(READ, scope)
        apps = [a for a in self.state.apps.values() if group is None or a.resource_group.lower() == group.lower()]
        return Response(200, {"value": [a.to_api() for a in apps]})

    def _get_app(self, request: Request) -> Response:
        return Response(200, self._app(request, READ).to_api())

    def _patch_app(self, request: Request) -> Response:
        app = self._app(request, WRITE)
        try:
            body = request.json()
        except ValueError:
            raise ArmError(400, "InvalidRequestContent", "The request content was not valid JSON.") from None
        operation = self.state.patch(app, body)
        if operation.status == "Succeeded":
            return Response(200, app.to_api())
        base = f"https://{request.headers.get('host', '127.0.0.1')}"
        where = f"{base}/subscriptions/{app.subscription}/providers/Microsoft.App/locations/{_location(app)}"
        query = f"?api-version={request.arg('api-version')}"
        return Response(
            202,
            app.to_api(),
            headers={
                "Azure-AsyncOperation": f"{where}/containerappOperationStatuses/{operation.id}{query}",
                "Location": f"{where}/containerappOperationResults/{operation.id}{query}",
            },
        )

    def _list_secrets(self, request: Request) -> Response:
        app = self._app(request, LIST_SECRETS)
        # Key Vault references come back without a value: the value lives in the vault.
        return Response(200, {"value": [dict(s) for s in app.secrets]})

    def _permissions(self, request: Request) -> Response:
        self.state.app(request.params["rg"], request.params["app"])
        return Response(200, {"value": [{"actions": ["*"], "notActions": sorted(self.state.denied)}]})

    # ── revisions ──────────────────────────────────────────────────────────

    def _list_revisions(self, request: Request) -> Response:
        app = self._app(request, READ_REVISIONS)
        return Response(200, {"value": [r.to_api(app.id) for r in app.revisions.values()]})

    def _get_revision(self, request: Request) -> Response:
        app = self._app(request, READ_REVISIONS)
        return Response(200, self.state.revision(app, request.params["rev"]).to_api(app.id))

    def _restart_revision(self, request: Request) -> Response:
        app = self._app(request, RESTART_REVISION)
        self.state.restart(app, self.state.revision(app, request.params["rev"]))
        return Response(200, None)

    def _list_replicas(self, request: Request) -> Response:
        app = self._app(request, READ_REVISIONS)
        revision = self.state.revision(app, request.params["rev"])
        revision_id = f"{app.id}/revisions/{revision.name}"
        return Response(200, {"value": [r.to_api(revision_id) for r in revision.replicas]})

    # ── long-running operations ────────────────────────────────────────────

    def _operation(self, request: Request) -> Any:
        self.state.authorize(READ_OPERATIONS, f"/subscriptions/{self.state.subscription}")
        operation = self.state.operations.get(request.params["op"])
        if operation is None:
            raise ArmError(404, "OperationNotFound", f"Operation '{request.params['op']}' was not found.")
        return operation

    def _operation_status(self, request: Request) -> Response:
        operation = self._operation(request)
        status = operation.poll()
        return Response(200, {"id": request.path, "name": operation.id, "status": status})

    def _operation_result(self, request: Request) -> Response:
        operation = self._operation(request)
        if operation.poll() == "InProgress":
            return Response(202, None, headers={"Location": f"https://{request.headers.get('host')}{request.path}"})
        return Response(200, operation.app.to_api())


def _location(app: ContainerApp) -> str:
    return app.location.replace(" ", "").lower()
