"""`zengzhi prove` and `zengzhi verify-proof`: an auditor checks a transaction offline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.integration.ledger.support import new_economy, now
from zengzhi.app import SettleOrderRequest, submit
from zengzhi.cli import app
from zengzhi.store import Database


def _economy_with_a_checkpoint(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id, checkpoint_every=8)
    orders = [SettleOrderRequest(f"o{n}", f"m{n % 3}", 10_000 + n) for n in range(10)]
    db.run(lambda uow: submit(uow, engines, economy_id, orders, now()))


def test_a_proof_printed_from_the_books_holds_offline(
    db: Database, db_url: str, economy_id: str, tmp_path: Path
) -> None:
    _economy_with_a_checkpoint(db, economy_id)
    runner = CliRunner()
    printed = runner.invoke(app, ["prove", economy_id, "5", "--url", db_url])
    assert printed.exit_code == 0, printed.output
    proof = json.loads(printed.output)
    assert (proof["seq"], proof["checkpoint"], proof["index"], proof["size"]) == (5, 1, 4, 8)
    path = tmp_path / "proof.json"
    path.write_text(printed.output)

    held = runner.invoke(app, ["verify-proof", str(path), "--root", proof["root"].upper()])
    assert held.exit_code == 0, held.output
    assert f"transaction 5 of {economy_id} is in checkpoint 1" in held.output

    # a root published elsewhere that differs: the proof is not for those books
    other = runner.invoke(app, ["verify-proof", str(path), "--root", "00" * 32])
    assert other.exit_code == 1
    assert "is not the published root" in other.output

    # the leaf of another transaction with this path: the walk misses the root
    proof["leaf"] = proof["path"][0]
    path.write_text(json.dumps(proof))
    forged = runner.invoke(app, ["verify-proof", str(path)])
    assert forged.exit_code == 1
    assert "does NOT hold" in forged.output


def test_proof_errors_are_sentences(
    db: Database, db_url: str, economy_id: str, tmp_path: Path
) -> None:
    _economy_with_a_checkpoint(db, economy_id)
    runner = CliRunner()
    beyond = runner.invoke(app, ["prove", economy_id, "9", "--url", db_url])
    assert beyond.exit_code == 1
    assert "transaction 9 is not covered by a checkpoint yet" in beyond.output
    unknown = runner.invoke(app, ["prove", "nowhere", "1", "--url", db_url])
    assert "no economy 'nowhere'" in unknown.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"economy_id": "e", "seq": 1, "leaf": "zz"}))
    malformed = runner.invoke(app, ["verify-proof", str(bad)])
    assert malformed.exit_code == 1
    assert "not a proof" in malformed.output
    missing = runner.invoke(app, ["verify-proof", str(tmp_path / "absent.json")])
    assert "cannot read" in missing.output
