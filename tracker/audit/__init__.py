"""The tamper-evident audit trail: one append-only, hash-chained table."""
