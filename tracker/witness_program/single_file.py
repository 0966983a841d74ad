"""The whole witness program as one Python file (`script OUT`), for copying to another machine."""
from __future__ import annotations

import re
from pathlib import Path

MODULES = ("merkle", "notes", "state", "events", "verify", "bundle", "server", "single_file", "cli")
_RELATIVE = re.compile(r"^from \.\w+ import (\([^)]*\)|[^\n]*)\n", re.MULTILINE)
_FUTURE = "from __future__ import annotations\n"


def single_file_source() -> str:
    """The program's source as one script (this very file when it already is one)."""
    here = Path(__file__).resolve()
    if not (here.parent / "cli.py").exists():
        return here.read_text(encoding="utf-8")
    parts = ['#!/usr/bin/env python3\n"""Samverkan audit-log witness, as one file: run `python3 witness.py --help`.\n'
             'Needs Python 3.9+ and the `cryptography` package. See docs/witness.md."""\n', _FUTURE]
    for name in MODULES:
        text = (here.parent / f"{name}.py").read_text(encoding="utf-8")
        text = _RELATIVE.sub("", text.replace(_FUTURE, ""))
        parts.append(f"\n# ==== {name}.py " + "=" * 60 + "\n" + text)
    parts.append('\n\nif __name__ == "__main__":\n    raise SystemExit(main())\n')
    return "".join(parts)
