"""`python -m tracker.witness_program ...` (or, copied out, `python -m witness_program ...`)."""
from __future__ import annotations

from .cli import main

raise SystemExit(main())
