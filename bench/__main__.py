"""`python -m bench [--quick] [--only NAME] [--sizes key=value,...]`."""
from bench.runner import main

raise SystemExit(main())
