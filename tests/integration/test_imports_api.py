"""Importing bank statements over HTTP (contract section 12): every format, dry runs, row
pointers, duplicates, concurrent imports, undo, and hostile files."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.verification import SqlAlchemyBalanceVerifier
from budget.domain.services.maintenance import VerifyBalances
from tests.integration.conftest import SignedIn
from tests.integration.ledger import (
    MISSING_ID,
    TRANSACTIONS,
    Client,
    NewUser,
    account,
    body,
    joined,
    open_account,
    patch,
    pointers,
)

IMPORTS = "/api/v1/imports"
CSV_MAPPING = {"date": "Date", "amount": "Amount", "payee": "Payee", "description": "Memo"}
CSV = (
    "Date,Amount,Payee,Memo\n"
    "2026-11-02,-12.50,Bakery,Bread\n"
    "2026-11-03,1000.00,ACME,Salary\n"
    "2026-11-03,-12.50,Bakery,Bread again\n"
)
OFX_V1 = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20261105
<LANGUAGE>ENG<INTU.BID>3000</SONRS></SIGNONMSGSRSV1><BANKMSGSRSV1><STMTTRNRS><TRNUID>1
<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>1<ACCTID>2
<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20261101<DTEND>20261105
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261102230000[-5:EST]<TRNAMT>-20.00<FITID>F1<NAME>Grocer
<MEMO>Weekly shop</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261103<TRNAMT>50.00<FITID>F2<NAME>Refund</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>130<DTASOF>20261105</LEDGERBAL></STMTRS></STMTTRNRS>
</BANKMSGSRSV1></OFX>
"""
QIF = "!Type:Bank\nD11/02'26\nT-1,234.56\nPLandlord\nMRent\n^\nD11/04/2026\nU20.00\nPFriend\n^\n"
CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">7.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-11-02</Dt></BookgDt>
<AcctSvcrRef>BANK-1</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Me</Nm></Dbtr>
<Cdtr><Nm>Cafe</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Lunch</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-03</Dt></BookgDt>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-9</EndToEndId></Refs><RltdPties><Dbtr><Nm>Alice</Nm>
</Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"""


async def _import(
    client: Client,
    user: SignedIn,
    account_id: str,
    content: bytes | str,
    file_format: str = "csv",
    **fields: Any,
) -> Any:
    data = {"format": file_format, "account_id": account_id, **fields}
    if file_format == "csv" and "mapping" not in data:
        data["mapping"] = json.dumps(CSV_MAPPING)
    raw = content.encode() if isinstance(content, str) else content
    files = {"file": ("statement." + file_format, raw, "application/octet-stream")}
    return await client.post(IMPORTS, data=data, files=files, headers=user.headers)


async def test_a_csv_import_creates_income_and_expenses_and_moves_the_balance(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    result = body(await _import(client, user, account_id, CSV), 201)
    assert result["status"] == "completed"
    assert result["counts"] == {"rows": 3, "created": 3, "duplicates": 0}
    assert [(t["type"], t["amount"], t["payee"]) for t in result["transactions"]] == [
        ("expense", "12.50", "Bakery"),
        ("income", "1000.00", "ACME"),
        ("expense", "12.50", "Bakery"),
    ]
    assert [t["import_id"] for t in result["transactions"]] == [
        "2026-11-02:-1250:1",
        "2026-11-03:100000:1",
        "2026-11-03:-1250:1",
    ]
    assert (await account(client, user, account_id))["balance"] == "1075.00"


async def test_an_ofx_import_reads_fitid_name_memo_and_the_posted_day(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    result = body(await _import(client, user, account_id, OFX_V1, "ofx"), 201)
    assert [
        (t["date"], t["import_id"], t["payee"], t["description"]) for t in result["transactions"]
    ] == [
        ("2026-11-02", "F1", "Grocer", "Weekly shop"),
        ("2026-11-03", "F2", "Refund", ""),
    ]


async def test_a_qif_import_reads_both_date_forms_and_thousands_separators(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    result = body(await _import(client, user, account_id, QIF, "qif"), 201)
    assert [(t["date"], t["type"], t["amount"]) for t in result["transactions"]] == [
        ("2026-11-02", "expense", "1234.56"),
        ("2026-11-04", "income", "20.00"),
    ]


async def test_a_camt_import_takes_the_counterparty_and_the_bank_reference(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    result = body(await _import(client, user, account_id, CAMT, "camt053"), 201)
    assert [(t["payee"], t["import_id"], t["description"]) for t in result["transactions"]] == [
        ("Cafe", "BANK-1", "Lunch"),
        ("Alice", "E2E-9", ""),
    ]


async def test_a_dry_run_answers_the_would_be_transactions_and_keeps_nothing(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    result = body(await _import(client, user, account_id, CSV, dry_run="true"), 200)
    assert (result["id"], result["status"], result["counts"]["created"]) == (None, "dry_run", 3)
    assert (await account(client, user, account_id))["balance"] == "100.00"
    assert body(await client.get(IMPORTS, headers=user.headers))["total"] == 0


async def test_re_importing_a_file_creates_nothing(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    body(await _import(client, user, account_id, CSV), 201)
    again = body(await _import(client, user, account_id, CSV), 201)
    assert again["counts"] == {"rows": 3, "created": 0, "duplicates": 3}
    assert (await account(client, user, account_id))["balance"] == "1075.00"


async def test_a_repeated_file_id_makes_its_later_rows_duplicates(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    repeated = OFX_V1.replace("<FITID>F2", "<FITID>F1")
    result = body(await _import(client, user, account_id, repeated, "ofx"), 201)
    assert result["counts"] == {"rows": 2, "created": 1, "duplicates": 1}


async def test_invalid_rows_answer_422_with_one_pointer_per_row_and_import_nothing(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    bad = CSV + "2026-11-04,0,Nobody,Zero\nnot a date,1,X,Y\n2026-11-05,1.234,X,Y\n"
    response = await _import(client, user, account_id, bad)
    assert pointers(response) == ["#/rows/5", "#/rows/6", "#/rows/7"]
    assert (await account(client, user, account_id))["balance"] == "100.00"


async def test_a_dry_run_refuses_invalid_rows_like_a_real_import(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    response = await _import(client, user, account_id, CSV + "2026-11-04,0,A,B\n", dry_run="true")
    assert pointers(response) == ["#/rows/5"]


async def test_a_file_in_another_currency_than_the_account_is_refused_row_by_row(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user, currency="USD")
    assert pointers(await _import(client, user, account_id, CAMT, "camt053")) == [
        "#/rows/1",
        "#/rows/2",
    ]


async def test_a_file_over_ten_mebibytes_is_refused_with_413(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    huge = b"Date,Amount\n" + b"x" * (10 * 1024 * 1024)
    response = await _import(client, user, account_id, huge)
    assert response.status_code == 413, response.text


async def test_unreadable_files_answer_422_on_the_file(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    hostile = {
        "ofx": b"\x00\x01\x02 binary junk \xff\xfe",
        "qif": b"",
        "camt053": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<Document>&e;</Document>",
        "csv": ("Date,Amount,Payee,Memo," + "c," * 20000 + "\n").encode(),
    }
    for file_format, content in hostile.items():
        response = await _import(client, user, account_id, content, file_format)
        assert pointers(response) == ["#/file"], file_format


async def test_a_missing_or_foreign_account_is_422_on_account_id(
    client: Client, new_user: NewUser
) -> None:
    user, stranger = await new_user(), await new_user()
    foreign = await open_account(client, stranger)
    for account_id in (MISSING_ID, foreign):
        assert pointers(await _import(client, user, account_id, CSV)) == ["#/account_id"]


async def test_a_viewer_cannot_import(client: Client, new_user: NewUser) -> None:
    owner, viewer = await joined(client, new_user, "viewer")
    account_id = await open_account(client, owner)
    assert (await _import(client, viewer, account_id, CSV)).status_code == 403


async def test_an_import_is_listed_read_and_undone(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    created = await _import(client, user, account_id, CSV)
    import_id = body(created, 201)["id"]
    assert created.headers["location"] == f"{IMPORTS}/{import_id}"
    read = body(await client.get(f"{IMPORTS}/{import_id}", headers=user.headers))
    assert "transactions" not in read
    assert read["counts"]["created"] == 3
    listed = body(await client.get(IMPORTS, headers=user.headers))
    assert [item["id"] for item in listed["items"]] == [import_id]
    assert (await client.delete(f"{IMPORTS}/{import_id}", headers=user.headers)).status_code == 204
    assert (await client.get(f"{IMPORTS}/{import_id}", headers=user.headers)).status_code == 404
    assert (await account(client, user, account_id))["balance"] == "100.00"
    drifts = await VerifyBalances(SqlAlchemyBalanceVerifier(engine)).execute()
    assert account_id not in {str(d.account_id) for d in drifts}


async def test_undo_is_refused_while_a_transaction_of_the_import_is_reconciled(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    result = body(await _import(client, user, account_id, CSV), 201)
    first = result["transactions"][0]["id"]
    assert (await patch(client, user, first, status="reconciled")).status_code == 200
    response = await client.delete(f"{IMPORTS}/{result['id']}", headers=user.headers)
    assert response.status_code == 409
    assert (await account(client, user, account_id))["balance"] == "1075.00"
    assert (await client.get(f"{TRANSACTIONS}/{first}", headers=user.headers)).status_code == 200


async def test_two_concurrent_imports_of_one_file_create_each_transaction_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    answers = await asyncio.gather(*(_import(client, user, account_id, CSV) for _ in range(3)))
    created = sorted(body(a, 201)["counts"]["created"] for a in answers)
    assert created == [0, 0, 3]
    assert (await account(client, user, account_id))["balance"] == "1075.00"


async def test_every_bad_form_field_is_named_at_once(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    data = {"format": "xls", "account_id": "nope", "dry_run": "maybe", "mapping": "{"}
    files = {"file": ("a.xls", b"x", "application/octet-stream")}
    response = await client.post(IMPORTS, data=data, files=files, headers=user.headers)
    assert sorted(pointers(response)) == ["#/account_id", "#/dry_run", "#/format", "#/mapping"]


async def test_a_form_without_its_file_is_422_on_file(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    data = {"format": "ofx", "account_id": account_id}
    files = {"statement": ("a.ofx", b"x", "application/octet-stream")}
    response = await client.post(IMPORTS, data=data, files=files, headers=user.headers)
    assert "#/file" in pointers(response)


async def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    response = await _import(client, user, account_id, b"x" * (11 * 1024 * 1024), "ofx")
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_every_other_route_keeps_the_one_mebibyte_limit(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    big = {"name": "x" * (2 * 1024 * 1024), "kind": "expense"}
    response = await client.post("/api/v1/categories", json=big, headers=user.headers)
    assert response.status_code == 413


async def test_two_concurrent_undos_of_one_import_restore_the_balance_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    import_id = body(await _import(client, user, account_id, CSV), 201)["id"]
    answers = await asyncio.gather(
        *(client.delete(f"{IMPORTS}/{import_id}", headers=user.headers) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [204, 404]
    assert (await account(client, user, account_id))["balance"] == "100.00"


async def test_an_import_beside_concurrent_single_writes_loses_no_balance_update(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    single = {"type": "expense", "account_id": account_id, "amount": "1.00", "date": "2026-11-02"}
    answers = await asyncio.gather(
        _import(client, user, account_id, CSV),
        *(client.post(TRANSACTIONS, json=single, headers=user.headers) for _ in range(4)),
    )
    assert [a.status_code for a in answers] == [201, 201, 201, 201, 201]
    assert (await account(client, user, account_id))["balance"] == "1071.00"
