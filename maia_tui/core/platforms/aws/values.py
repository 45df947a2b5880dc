"""What the AWS adapter reads and writes: task definition secret references and the secret's text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from maia_tui.core.errors import PlatformRefused

_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")  # Secrets Manager appends 6 random characters to secret ARNs


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A task definition `valueFrom` for Secrets Manager: ARN, JSON key, pinned stage or version."""

    arn: str
    key: str = ""
    stage: str = ""
    version: str = ""

    @classmethod
    def parse(cls, value_from: str) -> SecretRef:
        # arn:aws:secretsmanager:region:account:secret:name[:json-key:version-stage:version-id]
        parts = value_from.split(":")
        extra = [*parts[7:], "", "", ""]
        return cls(":".join(parts[:7]), extra[0], extra[1], extra[2])

    @property
    def region(self) -> str:
        parts = self.arn.split(":")
        return parts[3] if len(parts) > 3 else ""

    @property
    def name(self) -> str:
        return _SUFFIX.sub("", self.arn.split(":")[-1]) if ":" in self.arn else self.arn


@dataclass(frozen=True, slots=True)
class ServiceDetails:
    """What locate learnt from the ECS service and its task definition."""

    region: str
    cluster: str
    service: str
    task_definition: str
    secret: SecretRef
    client_id_ref: SecretRef | None
    client_id_env: str
    agent_id: str


def compose_secret(current: str, key: str, value: str, extra: Mapping[str, str] | None = None) -> str:
    """The new SecretString: plain replaces it all; JSON replaces `key` (and `extra`), keeping order and style."""
    if not key:
        return value
    document = json.loads(current) if current.strip() else {}
    if not isinstance(document, dict):
        raise PlatformRefused("the secret is JSON but not an object", platform="aws")
    document[key] = value
    for name, text in (extra or {}).items():
        document[name] = text
    stripped = current.strip()
    if "\n" in stripped:
        second = stripped.splitlines()[1] if len(stripped.splitlines()) > 1 else "  "
        return json.dumps(document, indent=len(second) - len(second.lstrip()) or 2, ensure_ascii=False)
    compact = stripped and '": ' not in stripped and '", "' not in stripped
    separators = (",", ":") if compact else (", ", ": ")
    return json.dumps(document, separators=separators, ensure_ascii=False)


def read_key(text: str, key: str) -> str | None:
    """The value the runner receives: the whole string, or one JSON key (None when it is not there)."""
    if not key:
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return None
    value = document.get(key) if isinstance(document, dict) else None
    return None if value is None else str(value)
