"""The `mutua` command: Django's manage.py with Mutua's settings (`mutua serve`, `mutua demo`…)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "worker":
        argv[1] = "run_huey"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
