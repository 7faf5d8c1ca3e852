"""The errors Opening Day raises on purpose, each with a message an owner can act on.

Pages catch `OpeningDayError` and show its message with `st.error`; the CLI prints
it as one line on stderr and exits 2. A traceback means a bug, not bad input.

    OpeningDayError
    ├── StoreError
    │   ├── StoreLocked          another process holds the DuckDB file
    │   ├── StoreTooNew          the file was written by a newer Opening Day
    │   ├── StoreDamaged         the file or its write-ahead log is corrupt or truncated
    │   ├── StoreFull            the disk (or memory) ran out while reading or writing
    │   └── WorkspaceError       unknown / duplicate / invalid workspace
    ├── ImportError_
    │   ├── UnreadableFile       encoding, format, empty file, missing sheet
    │   │   └── FileTooLarge     over a size, extent, cell, memory or time limit (names which)
    │   ├── UnknownEntity        cannot tell what the file holds (carries the closest kinds)
    │   │   └── UnclearEntity    two kinds fit about as well, or one only thinly: say which
    │   ├── MissingColumn        a required field has no column
    │   ├── BadMapping           a mapping names a column the file lacks
    │   └── RowsRejected         rows that cannot be read (carries every reject)
    ├── TemplateError            a checklist template file that cannot be used (file, line)
    ├── ChecklistError           a run, answer, goal or season request that cannot be done
    ├── SnapshotError            a snapshot that cannot be made, changed or exported
    ├── PeerError                a peer-group change refused, or a card that cannot be read
    └── AccessError              a passphrase missing, too weak or wrong
        └── AccessDenied         not a member, not unlocked, or no admin secret / invitation
"""

from __future__ import annotations

from typing import Any


class OpeningDayError(Exception):
    """Base of every expected error; `str(err)` is the message for the owner."""


class StoreError(OpeningDayError):
    pass


class StoreLocked(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


class StoreDamaged(StoreError):
    """The store file or its write-ahead log cannot be read: restore it from an export."""


class StoreFull(StoreError):
    """The disk or the memory ran out: nothing was written; free space and try again."""


class WorkspaceError(StoreError):
    pass


class ImportError_(OpeningDayError):  # noqa: N801 - the trailing _ avoids the builtin
    """An import that did not happen; nothing was written."""

    def __init__(self, message: str, *, file_name: str = "") -> None:
        super().__init__(message)
        self.file_name = file_name


class UnreadableFile(ImportError_):
    pass


class FileTooLarge(UnreadableFile):
    """A file over one of the reading limits (size, extent, cells, memory, time); says which."""


class UnknownEntity(ImportError_):
    """`candidates`: the closest kinds of data, each as a JSON-ready dict (kind, fit, the
    columns it would use, what it lacks)."""

    def __init__(
        self,
        message: str,
        *,
        file_name: str = "",
        candidates: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message, file_name=file_name)
        self.candidates = candidates or []


class UnclearEntity(UnknownEntity):
    """No --entity was given and the guess is not clear enough to import on: the owner
    says which kind (or maps the column that settles it)."""


class MissingColumn(ImportError_):
    def __init__(self, message: str, *, file_name: str = "", fields: tuple[str, ...] = ()) -> None:
        super().__init__(message, file_name=file_name)
        self.fields = fields


class BadMapping(ImportError_):
    pass


class RowsRejected(ImportError_):
    """Some rows cannot be read and the owner did not choose to skip them.

    `result` is the would-be import result (no batch id) with every reject.
    """

    def __init__(self, message: str, *, file_name: str = "", result: Any = None) -> None:
        super().__init__(message, file_name=file_name)
        self.result = result


class TemplateError(OpeningDayError):
    """A checklist template that cannot be loaded; names the file and, when known, the line."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None) -> None:
        where = f"{file}, line {line}" if file and line else file
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.line = line
        self.reason = message


class ChecklistError(OpeningDayError):
    """A checklist, goal or season change that was refused; nothing was written."""


class SnapshotError(OpeningDayError):
    """A snapshot that cannot be made, changed or exported; nothing was written."""


class PeerError(OpeningDayError):
    """A peer-group change that was refused, or a KPI card that cannot be read (says why)."""


class AccessError(OpeningDayError):
    """A workspace passphrase that is missing, too weak or wrong."""


class AccessDenied(AccessError):
    """This workspace may not see or change that (a group it is not in, a server that needs an
    admin secret or an invitation to create a workspace)."""
