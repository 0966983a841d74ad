"""Flask CLI commands. Each feature owns its command group in `tracker/<feature>/cli.py`,
calling the same services as the web views; this module registers them all."""
from __future__ import annotations

import importlib
import importlib.util

from tracker.modules import module_exists

from flask import Flask

FEATURE_CLI = (
    "tracker.auth.cli",
    "tracker.demo",
    "tracker.audit.cli",
    "tracker.cases.cli",
    "tracker.documents.cli",
    "tracker.notifications.cli",
    "tracker.exports.cli",
)


def register_cli(app: Flask) -> None:
    """Add every feature's commands (`commands` list in each module) to `flask`."""
    for module_name in FEATURE_CLI:
        if module_exists(module_name):
            module = importlib.import_module(module_name)
            for command in module.commands:
                app.cli.add_command(command)
