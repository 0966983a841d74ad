"""A standalone witness for Samverkan's audit log (see docs/witness.md).

Only the Python standard library and `cryptography` (psycopg optionally): nothing here imports the
application, so the union or the auditor can run it on their own machine with their own key. Copy
this directory (as `witness_program`) or write it out as one file with the `script` command.
"""
