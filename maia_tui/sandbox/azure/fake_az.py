"""A stand-in for the Azure CLI on the sandbox's PATH, so DefaultAzureCredential works with no Azure account.

azure-identity's AzureCliCredential runs `az account get-access-token --output json --resource <audience>`;
this script prints a throw-away token for that audience, which the sandbox's emulators accept.
"""

from __future__ import annotations

import shlex
from pathlib import Path

_SCRIPT = """#!/bin/sh
# maia-tui sandbox stand-in for the Azure CLI (throw-away tokens for the local emulators only).
if [ "$1" = "account" ] && [ "$2" = "get-access-token" ]; then
  resource="https://management.azure.com"
  while [ $# -gt 0 ]; do
    case "$1" in
      --resource) resource="$2"; shift 2 ;;
      --scope) resource="${2%/.default}"; shift 2 ;;
      *) shift ;;
    esac
  done
  resource="${resource%/}"
  printf '{"accessToken": "sandbox-token:%s", "expiresOn": "2099-01-01 00:00:00.000000", ' "$resource"
  printf '"expires_on": 4070908800, "subscription": %s, "tenant": %s, "tokenType": "Bearer"}\\n' {sub} {tenant}
  exit 0
fi
if [ "$1" = "account" ] && [ "$2" = "show" ]; then
  printf '{"id": %s, "tenantId": %s, "name": "maia-tui sandbox", "state": "Enabled", ' {sub} {tenant}
  printf '"user": {"name": "sandbox-operator@maia.example", "type": "user"}}\\n'
  exit 0
fi
echo "ERROR: this is the maia-tui sandbox's stand-in for az; it only answers 'az account get-access-token'" >&2
echo "and 'az account show'. Use the real Azure CLI outside the sandbox." >&2
exit 2
"""


def write_fake_az(folder: Path, subscription: str, tenant: str) -> Path:
    """Write the `az` stand-in into `folder` (made executable) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "az"
    quoted = {"sub": shlex.quote(f'"{subscription}"'), "tenant": shlex.quote(f'"{tenant}"')}
    path.write_text(_SCRIPT.replace("{sub}", quoted["sub"]).replace("{tenant}", quoted["tenant"]))
    path.chmod(0o755)
    return path
