"""What start-up failures look like: one line naming the cause and the variable to check, and an exit code.

Every step of the start (config, instance lock, listening sockets, database, contests, judge) turns its
own failures into a StartupError where it knows which variable is involved; the runner prints the line
and exits with the code, after releasing whatever was opened. Exit 2 means the value itself is wrong
(fix the configuration), 1 that the machine refused it now (a port in use, a database in use).
"""

from __future__ import annotations

CONFIG_EXIT = 2
ENVIRONMENT_EXIT = 1


class StartupError(Exception):
    """The server cannot start; `variable` names the setting involved (or is empty)."""

    def __init__(self, variable: str, message: str, exit_code: int = ENVIRONMENT_EXIT) -> None:
        super().__init__(message)
        self.variable = variable
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.variable}: {self.message}" if self.variable else self.message
