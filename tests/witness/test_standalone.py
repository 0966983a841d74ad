"""The witness program needs nothing of ours: the standard library, cryptography and (optionally)
psycopg. (import-linter's contract `witness-program-standalone` forbids `tracker` imports too.)"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

PROGRAM = Path(__file__).resolve().parents[2] / "tracker" / "witness_program"
ALLOWED_THIRD_PARTY = {"cryptography", "psycopg"}


def test_the_program_imports_only_the_standard_library_and_cryptography():
    found = set()
    for path in PROGRAM.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    outside = {name for name in found if name not in sys.stdlib_module_names and name != "__future__"}
    assert outside <= ALLOWED_THIRD_PARTY, outside
    assert "tracker" not in found
