"""Procedure record exports: PDF, JSON (with a schema), CSV of audit events, verifiable bundles."""
