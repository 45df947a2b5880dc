"""Turn Maia's problem+json answers into the typed error tree, with a remedy that fits the status."""

from __future__ import annotations

import json
from typing import Any

from maia_tui.core.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MaiaApiError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)

_BY_STATUS: dict[int, type[MaiaApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def parse_problem(body: bytes, content_type: str) -> dict[str, Any]:
    """The RFC 7807 fields of an error body, or {} when it is not JSON."""
    if "json" not in content_type.lower():
        return {}
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def error_for_status(
    status: int,
    problem: dict[str, Any],
    *,
    action: str,
    subject: str = "",
    remedy: str | None = None,
) -> MaiaApiError:
    """Build the error for an HTTP status: message names the action and subject, detail comes from Maia."""
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else MaiaApiError)
    title = str(problem.get("title") or "")
    detail = str(problem.get("detail") or "")
    violations = problem.get("violations")
    if isinstance(violations, list) and violations:
        detail = "; ".join([detail, *map(str, violations)]).strip("; ")
    what = f"{action} {subject}".strip()
    reason = detail or title or f"HTTP {status}"
    if status == 404 and subject:
        message = f"{subject[:1].upper()}{subject[1:]} was not found ({what}): {reason}"
    else:
        message = f"{what} failed with {status}: {reason}"
    if status == 404 and subject and remedy is None:
        remedy = f"Check that {subject} exists in this account, and that MAIA_REGION is the account's region."
    return cls(message, status=status, detail=detail or None, instance=problem.get("instance"), remedy=remedy)
