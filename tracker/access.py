"""Deprecated location, kept only while the features move: use `tracker.auth.permissions`
(Permission, has_permission) and `tracker.web.access` (route declarations, load_or_404)."""
from __future__ import annotations

from tracker.auth.permissions import ROLE_PERMISSIONS, Permission, has_permission, permissions_of
from tracker.web.access import authenticated, public, requires

__all__ = ["ROLE_PERMISSIONS", "Permission", "authenticated", "has_permission", "permissions_of", "public",
           "requires"]
