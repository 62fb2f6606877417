"""The statement parsers: each format on small samples, malformed and hostile files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from budget.adapters.backup import read_backup
from budget.adapters.statements import read_statement
from budget.adapters.statements.decoding import decode, parse_number
from budget.adapters.statements.qif import parse_qif_date
from budget.domain.errors import RuleViolationError
from budget.domain.model.statement import CsvMapping, StatementFormat, UnreadableFileError

CSV = StatementFormat.CSV
OFX = StatementFormat.OFX
QIF = StatementFormat.QIF
CAMT = StatementFormat.CAMT053
MAPPING = CsvMapping(date="Date", amount="Amount", payee="Payee")

OFX_V2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE>
<SEVERITY>INFO</SEVERITY></STATUS><CCSTMTRS><CURDEF>USD</CURDEF><CCACCTFROM><ACCTID>9</ACCTID>
</CCACCTFROM><BANKTRANLIST><DTSTART>20240101</DTSTART><DTEND>20240131</DTEND>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240102</DTPOSTED><TRNAMT>-5.00</TRNAMT>
<FITID>X1</FITID><NAME>Shop</NAME><MEMO>Pens</MEMO></STMTTRN>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240199</DTPOSTED><TRNAMT>-1</TRNAMT>
<FITID>X2</FITID></STMTTRN>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240103</DTPOSTED><TRNAMT>lots</TRNAMT>
<FITID>X3</FITID></STMTTRN>
</BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>"""

CAMT_HEAD = (
    b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
)


def _camt(entries: str) -> bytes:
    return CAMT_HEAD + f"<BkToCstmrStmt><Stmt>{entries}</Stmt></BkToCstmrStmt></Document>".encode()


def test_a_csv_row_is_read_with_its_starting_line_counting_the_header() -> None:
    data = b'Date,Amount,Payee\n2024-01-02,-3.10,"two\nlines"\n2024-01-03,4,Shop\n'
    lines = read_statement(data, CSV, MAPPING).lines
    assert [(line.position, line.amount, line.payee) for line in lines] == [
        (2, Decimal("-3.10"), "two\nlines"),
        (4, Decimal("4"), "Shop"),
    ]


def test_csv_skipped_rows_count_in_the_line_numbers() -> None:
    data = b"Bank export\n\nDate,Amount,Payee\n2024-01-02,1,A\nbad,1,A\n"
    mapping = CsvMapping(date="Date", amount="Amount", skip_rows=2)
    statement = read_statement(data, CSV, mapping)
    assert [line.position for line in statement.lines] == [4]
    assert [problem.position for problem in statement.problems] == [5]


def test_csv_inflow_and_outflow_columns_make_a_signed_amount() -> None:
    data = b"Datum;Ein;Aus\n02.01.2024;;1.234,50\n03.01.2024;10,00;\n"
    mapping = CsvMapping(
        date="Datum",
        inflow="Ein",
        outflow="Aus",
        date_format="%d.%m.%Y",
        decimal_separator=",",
        delimiter=";",
    )
    lines = read_statement(data, CSV, mapping).lines
    assert [(line.date, line.amount) for line in lines] == [
        (dt.date(2024, 1, 2), Decimal("-1234.50")),
        (dt.date(2024, 1, 3), Decimal("10.00")),
    ]


def test_a_csv_mapping_naming_a_missing_column_is_refused_on_mapping() -> None:
    with pytest.raises(RuleViolationError) as refused:
        read_statement(b"Date,Value\n2024-01-01,1\n", CSV, MAPPING)
    assert [p.field for p in refused.value.problems] == ["mapping"]


def test_a_csv_mapping_needs_amount_or_both_flows() -> None:
    with pytest.raises(RuleViolationError):
        CsvMapping(date="d", inflow="in")


def test_a_csv_with_ten_thousand_columns_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError):
        read_statement(("Date,Amount,Payee," + "x," * 10_000).encode(), CSV, MAPPING)


def test_a_csv_with_a_huge_line_is_unreadable() -> None:
    data = b"Date,Amount,Payee\n2024-01-01,1," + b"a" * 2_000_000 + b"\n"
    with pytest.raises(UnreadableFileError):
        read_statement(data, CSV, MAPPING)


def test_ofx_2_entries_are_numbered_and_bad_ones_are_row_problems() -> None:
    statement = read_statement(OFX_V2, OFX, None)
    (line,) = statement.lines
    assert (line.position, line.import_id, line.payee, line.description, line.currency) == (
        1,
        "X1",
        "Shop",
        "Pens",
        "USD",
    )
    assert [problem.position for problem in statement.problems] == [2, 3]


def test_ofx_takes_the_posted_calendar_day_not_its_utc_day() -> None:
    data = OFX_V2.replace(b"<DTPOSTED>20240102<", b"<DTPOSTED>20240102230000[-5:EST]<")
    assert read_statement(data, OFX, None).lines[0].date == dt.date(2024, 1, 2)


def test_ofx_without_a_header_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError):
        read_statement(b"<html><body>not a statement</body></html>", OFX, None)


def test_ofx_markup_that_does_not_nest_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError):
        read_statement(b"OFXHEADER:100\n\n<OFX><STMTRS></BANKTRANLIST></OFX>", OFX, None)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01/05/2024", dt.date(2024, 1, 5)),
        ("1/5'24", dt.date(2024, 1, 5)),
        (" 1/ 5'24", dt.date(2024, 1, 5)),
        ("12/31/99", dt.date(1999, 12, 31)),
    ],
)
def test_qif_dates_are_month_day_year_with_the_apostrophe_for_this_century(
    text: str, day: dt.date
) -> None:
    assert parse_qif_date(text) == day


@pytest.mark.parametrize("text", ["2024-01-05", "13/01/2024", "02/30/2024", "1.5.24"])
def test_qif_dates_in_other_forms_are_refused(text: str) -> None:
    assert parse_qif_date(text) is None


def test_a_qif_record_starts_at_its_first_line_and_takes_its_category_leaf() -> None:
    data = (
        b"!Type:Bank\nD01/05/2024\nT-1,234.50\nPShop\nMWeekly\nLFood:Groceries\n^\n"
        b"D1/6'24\nU10\n^\n"
    )
    lines = read_statement(data, QIF, None).lines
    assert [(line.position, line.amount, line.category) for line in lines] == [
        (2, Decimal("-1234.50"), "Groceries"),
        (8, Decimal("10"), None),
    ]


def test_qif_records_outside_bank_sections_are_skipped() -> None:
    data = b"!Account\nNChecking\nTBank\n^\n!Type:Bank\nD01/05/2024\nT1\n^\n"
    assert [line.position for line in read_statement(data, QIF, None).lines] == [6]


def test_a_qif_record_without_an_amount_is_a_row_problem() -> None:
    statement = read_statement(b"!Type:Bank\nD01/05/2024\nPShop\n^\n", QIF, None)
    assert [(p.position, p.detail) for p in statement.problems] == [(2, "has no amount (T or U)")]


def test_a_camt_debit_is_negative_and_names_the_creditor() -> None:
    entries = (
        '<Ntry><NtryRef>N1</NtryRef><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>'
        "<BookgDt><Dt>2024-02-01</Dt></BookgDt><NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Me"
        "</Nm></Pty></Dbtr><Cdtr><Pty><Nm>Shop</Nm></Pty></Cdtr></RltdPties><RmtInf><Ustrd>A"
        "</Ustrd><Ustrd>B</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
    )
    (line,) = read_statement(_camt(entries), CAMT, None).lines
    assert (line.amount, line.payee, line.description, line.import_id, line.currency) == (
        Decimal("-5.00"),
        "Shop",
        "A B",
        "N1",
        "EUR",
    )


def test_a_camt_entry_without_a_debit_credit_indicator_is_a_row_problem() -> None:
    entries = '<Ntry><Amt Ccy="EUR">5</Amt><BookgDt><Dt>2024-02-01</Dt></BookgDt></Ntry>'
    statement = read_statement(_camt(entries), CAMT, None)
    assert [p.position for p in statement.problems] == [1]


def test_camt_with_an_external_entity_is_refused_before_resolving_it() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<Document>&e;</Document>"
    )
    with pytest.raises(UnreadableFileError, match="document type"):
        read_statement(data, CAMT, None)


def test_camt_with_a_billion_laughs_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<Document>&lol2;</Document>"
    )
    with pytest.raises(UnreadableFileError):
        read_statement(data, CAMT, None)


def test_xml_that_is_not_a_camt_statement_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError):
        read_statement(b"<?xml version='1.0'?><Document><Other/></Document>", CAMT, None)


@pytest.mark.parametrize("file_format", list(StatementFormat))
@pytest.mark.parametrize(
    "data", [b"", b"   \n", b"abc\x00def", b"\xff\xfeD\x00a\x00t\x00e\x00", b"\x81\x8d\x8f\x90"]
)
def test_empty_binary_and_undecodable_files_are_unreadable(
    file_format: StatementFormat, data: bytes
) -> None:
    with pytest.raises(UnreadableFileError):
        read_statement(data, file_format, MAPPING)


def test_text_is_utf8_without_its_byte_order_mark() -> None:
    assert decode(b"\xef\xbb\xbfcaf\xc3\xa9") == "café"


def test_text_falls_back_to_the_declared_charset() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-15"?><a>€</a>'.encode("iso-8859-15")
    assert "€" in decode(data)


def test_text_falls_back_to_windows_1252() -> None:
    assert decode("Café €".encode("cp1252")) == "Café €"


@pytest.mark.parametrize(
    ("text", "separator", "value"),
    [
        ("1,234.56", ".", Decimal("1234.56")),
        ("1.234,56", ",", Decimal("1234.56")),
        ("(12.00)", ".", Decimal("-12.00")),
        ("+3", ".", Decimal("3")),
        ("1 000", ".", Decimal("1000")),
    ],
)
def test_numbers_may_carry_thousands_separators(text: str, separator: str, value: Decimal) -> None:
    assert parse_number(text, separator) == value


@pytest.mark.parametrize("text", ["", "abc", "1e5", "NaN", "Infinity", "1" * 100, "--1"])
def test_anything_but_a_plain_number_is_refused(text: str) -> None:
    assert parse_number(text) is None


def test_a_csv_cell_may_hold_a_unicode_line_separator() -> None:
    data = "Date,Amount,Payee\n2024-01-02,1,A\u2028B\n2024-01-03,2,C\n".encode()
    lines = read_statement(data, CSV, MAPPING).lines
    assert [(line.position, line.payee) for line in lines] == [(2, "A\u2028B"), (3, "C")]


def test_csv_lines_may_end_in_carriage_returns_alone() -> None:
    data = b"Date,Amount,Payee\r2024-01-02,1,A\rbad,2,C\r"
    statement = read_statement(data, CSV, MAPPING)
    assert [line.position for line in statement.lines] == [2]
    assert [problem.position for problem in statement.problems] == [3]


def test_a_backup_with_a_nul_character_is_unreadable() -> None:
    data = b'{"format": "budget-backup", "version": 1, "accounts": [{"name": "a\\u0000"}]}'
    with pytest.raises(UnreadableFileError, match="NUL"):
        read_backup(data)


def test_a_backup_of_another_version_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError):
        read_backup(b'{"format": "budget-backup", "version": 2}')
