"""CSV cells that a spreadsheet would run as formulas are neutralised (OWASP "CSV injection").

A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote, so
Excel or LibreOffice show it as text. Negative numbers too: OWASP neutralises them, and `-1+cmd|...`
is a formula. A cell that already begins with quotes before such a character gets one more, so the
prefix can always be removed again exactly (`restore`, which the bundle's standalone verifier repeats).
"""
from __future__ import annotations

import re

FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


def neutralise(text: str) -> str:
    """The cell as written to a CSV file: a quote in front of anything a spreadsheet would evaluate."""
    return "'" + text if FORMULA_START.match(text) else text


def restore(text: str) -> str:
    """The cell's value before `neutralise` (for readers that compare the CSV with the JSON)."""
    return text[1:] if text.startswith("'") and FORMULA_START.match(text[1:]) else text
