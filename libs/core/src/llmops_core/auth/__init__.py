"""Who is calling: API keys of tenants, signed tokens between services (docs/decisions/0019)."""

from llmops_core.auth.principal import Principal, acting_for, authorized_tenant, current_principal
from llmops_core.auth.tokens import ServiceTokens

__all__ = ["Principal", "ServiceTokens", "acting_for", "authorized_tenant", "current_principal"]
