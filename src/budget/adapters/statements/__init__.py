"""Statement parsers behind the ``StatementParser`` port: one module per format, each on a
well-kept library (``csv``; ``ofxtools``; ``defusedxml``; QIF with the standard library,
ADR 0019). Parsing runs in a worker thread: a 10 MiB file is CPU work the event loop
should not wait on."""

from __future__ import annotations

import anyio.to_thread

from budget.domain.errors import RuleViolationError
from budget.domain.model.statement import CsvMapping, Statement, StatementFormat

from .camt import read_camt
from .csv_reader import read_csv
from .ofx import read_ofx
from .qif import read_qif


def read_statement(
    data: bytes, file_format: StatementFormat, mapping: CsvMapping | None
) -> Statement:
    """The statement lines of ``data`` read as ``file_format`` (see ``StatementParser``)."""
    if file_format is StatementFormat.CSV:
        if mapping is None:
            raise RuleViolationError.on("mapping", "is required for CSV files")
        return read_csv(data, mapping)
    if file_format is StatementFormat.OFX:
        return read_ofx(data)
    if file_format is StatementFormat.QIF:
        return read_qif(data)
    return read_camt(data)


class FileStatementParser:
    """The ``StatementParser`` of the four formats, off the event loop."""

    async def read(
        self, data: bytes, file_format: StatementFormat, mapping: CsvMapping | None
    ) -> Statement:
        return await anyio.to_thread.run_sync(read_statement, data, file_format, mapping)
