"""Credentials of a local stack: its service secret, and API keys the `llmops` CLI uses per tenant.

The local stack runs on the developer's machine, and its operator (whoever can read `.llmops/`) may
do everything: the service secret is generated at the first `up` into ``.llmops/<stack>/auth``
(mode 0600) and handed to the services; the CLI mints an API key per tenant it acts for, straight
into the key store, and keeps it beside the secret. Against a deployment, set LLMOPS_API_KEY
instead: the CLI then sends that key and never touches a database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import psycopg
from pydantic import SecretStr

from llmops_core.auth.keys import INSERT_KEY, digest, format_key, new_key_parts
from llmops_core.auth.principal import SCOPES
from llmops_core.grpc_client import configure_service_auth
from llmops_core.settings import AuthSettings
from llmops_stack.config import StackSettings


def _auth_dir(settings: StackSettings) -> Path:
    folder = settings.state_dir / "auth"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def _private_file(path: Path, content: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(content)


def service_secret(settings: StackSettings) -> str:
    """The stack's service secret, generated on first use."""
    path = _auth_dir(settings) / "service-secret"
    if not path.exists():
        _private_file(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


def local_api_key(settings: StackSettings, tenant: str) -> str:
    """An all-scopes key of ``tenant`` for the CLI, minted into the local key store once and kept."""
    path = _auth_dir(settings) / f"key-{tenant}"
    if path.exists():
        return path.read_text().strip()
    key_id, secret = new_key_parts()
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
        connection.execute(INSERT_KEY, (key_id, tenant, "llmops CLI (local stack)", list(SCOPES), digest(secret)))
    key = format_key(key_id, secret)
    _private_file(path, key)
    return key


def api_key(settings: StackSettings, tenant: str) -> str:
    return os.environ.get("LLMOPS_API_KEY") or local_api_key(settings, tenant)


def act_as_platform(settings: StackSettings) -> None:
    """Lets this process call services as the platform does (service tokens): operator tools of the
    local stack (`llmops eval run`, calibration) that drive the services' own clients."""
    configure_service_auth(AuthSettings(service_secret=SecretStr(service_secret(settings))), "llmops-cli")
