"""Accounts, organisations, roles, login and user administration."""
