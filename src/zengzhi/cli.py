"""The one command, `zengzhi`, and its subcommands. Errors are mapped to exit codes here."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from zengzhi.domain import format_fen, format_points, format_price
from zengzhi.replay import ReplayError, ReplayResult, replay_lines

app = typer.Typer(
    name="zengzhi",
    help="Consumption-appreciation loyalty economies, computed exactly.",
    no_args_is_help=True,
    add_completion=False,
)

DEMO_LOGS = ("seed003-100-orders.jsonl", "seed004-local-life.jsonl")


@app.command()
def replay(
    log: Annotated[Path, typer.Argument(help="A JSON Lines event log (spec/replay.md).")],
) -> None:
    """Recompute an economy's exact books from an event log and print them as JSON."""
    try:
        with log.open(encoding="utf-8") as lines:
            result = replay_lines(lines)
    except OSError as error:
        _fail(f"cannot read {log}: {error.strerror or error}")
    except UnicodeDecodeError:
        _fail(f"{log} is not UTF-8 text")
    except ReplayError as error:
        _fail(f"{log}: {error}")
    json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@app.command()
def demo(
    replay: Annotated[
        bool, typer.Option("--replay", help="Only replay the seed logs and print a summary.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for the demo server.")] = 8000,
    database: Annotated[
        Path, typer.Option(help="The demo's SQLite file (reset every time).")
    ] = Path("zengzhi-demo.sqlite3"),
) -> None:
    """Run the service with a demo economy, merchant and members (--replay: summary only)."""
    if not replay:
        _serve_demo(port, database)
        return
    console = Console()
    console.print(
        "[bold]Zengzhi demo[/bold]: the seed documents' worked examples, replayed exactly.\n"
    )
    for name in DEMO_LOGS:
        text = resources.files("zengzhi").joinpath("demo_data", name).read_text(encoding="utf-8")
        _print_summary(console, name, replay_lines(text.splitlines()))
    console.print(
        "Prices rise with every order and every sale's fee, but what a member gets back "
        "depends on future orders: nothing here is a promise of profit.\n"
        "Replay a log yourself: [bold].venv/bin/zengzhi replay "
        "src/zengzhi/demo_data/seed003-100-orders.jsonl[/bold]"
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the HTTP service (API docs at /docs)."""
    import uvicorn
    from pydantic import ValidationError

    from zengzhi.api import create_app
    from zengzhi.config import Settings

    try:
        settings = Settings()
    except ValidationError as error:
        _fail(f"invalid settings: {error.errors()[0]['msg']}")
    # issue 4: migrate on start; settle due orders and apply due rule changes in the background
    db_upgrade(url=settings.database_url, revision="head")
    app_ = create_app(settings, background=True)
    uvicorn.run(app_, host=host or settings.host, port=port or settings.port)


def _print_summary(console: Console, name: str, result: ReplayResult) -> None:
    engine = result.engine
    members = list(engine.members())
    console.rule(name)
    console.print(
        f"price [bold]{format_price(engine.price())}[/bold] yuan/point · "
        f"pool {format_fen(engine.pool_fen)} yuan · "
        f"points outstanding {format_points(engine.points_micro, 4)} · "
        f"members {len(members)} · forced exits {len(result.exits)}"
    )
    table = Table("member", "points", "worth now (yuan)", "cash (yuan)", "cycle spend", "exits")
    for m in members[:5] + (members[-3:] if len(members) > 8 else []):
        worth = engine.price() * m.points_micro / 1_000_000
        table.add_row(
            m.member,
            format_points(m.points_micro, 4),
            format_price(worth, 2),
            format_fen(m.cash_fen),
            format_fen(m.cycle_spend_fen),
            str(m.exits),
        )
    console.print(table)
    console.print()


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


# -- the ledger (issue 3): database migrations and verification ----------------------

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")

_URL_HELP = "Database URL (postgresql://... or sqlite:///file); default $ZENGZHI_DATABASE_URL."


def _database_url(url: str | None) -> str:
    import os

    from zengzhi.store import DEFAULT_URL

    return url or os.environ.get("ZENGZHI_DATABASE_URL") or DEFAULT_URL


@db_app.command("upgrade")
def db_upgrade(
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the ledger's tables (Alembic migrations shipped in the package)."""
    from sqlalchemy.exc import SQLAlchemyError

    from zengzhi.store import Database

    database = Database(_database_url(url))
    try:
        database.upgrade(revision)
    except SQLAlchemyError as error:
        _fail(f"cannot migrate the database: {error.__class__.__name__}: {error}")
    finally:
        database.dispose()
    typer.echo(f"database at revision {revision}")


@app.command()
def verify(
    economy: Annotated[str, typer.Argument(help="The economy id to verify.")],
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
    rules: Annotated[
        bool,
        typer.Option(
            "--rules",
            help="Also decide every settled day's dividends again from the stored orders"
            " and the rules in force that day, and compare with the recorded payouts.",
        ),
    ] = False,
) -> None:
    """Recompute balances, the hash chain, checkpoints and the engine from stored events."""
    from sqlalchemy.exc import SQLAlchemyError

    from zengzhi.app import verify_economy
    from zengzhi.app.verify_rules import RulesReport, verify_rules
    from zengzhi.domain import DomainError
    from zengzhi.store import Database

    database = Database(_database_url(url))
    derived: RulesReport | None = None
    try:
        with database.snapshot() as reader:
            report = verify_economy(reader, economy)
        if rules:
            derived = database.run(lambda uow: verify_rules(uow, economy))
    except DomainError as error:
        _fail(error.message)
    except SQLAlchemyError as error:
        _fail(f"cannot read the database: {error.__class__.__name__}: {error}")
    finally:
        database.dispose()
    summary = (
        f"economy {economy}: {report.transactions} transactions, {report.events} events, "
        f"{report.checkpoints} checkpoints, price {report.price}"
    )
    if derived is not None:
        for difference in derived.problems[:50]:
            typer.echo(f"  rules: {difference}", err=True)
        if derived.ok and report.ok:
            typer.echo(f"{summary}\nverified: chain, checkpoints, balances and replay agree")
            typer.echo(f"verified: {derived.days} settled days follow the dividend rules")
            return
        if not derived.ok and report.ok:
            typer.echo(summary)
            _fail(f"verification FAILED: {len(derived.problems)} differences from the rules")
    if report.ok:
        typer.echo(f"{summary}\nverified: chain, checkpoints, balances and replay agree")
        return
    typer.echo(summary)
    for problem in report.problems[:50]:
        where = f"transaction {problem.seq}: " if problem.seq is not None else ""
        typer.echo(f"  {where}{problem.what}", err=True)
    if len(report.problems) > 50:
        typer.echo(f"  ... and {len(report.problems) - 50} more", err=True)
    broken = report.first_broken
    first = f"first broken transaction: {broken}" if broken is not None else "books altered"
    _fail(f"verification FAILED, {first}")


@app.command()
def prove(
    economy: Annotated[str, typer.Argument(help="The economy id.")],
    seq: Annotated[int, typer.Argument(help="The transaction's sequence number.", min=1)],
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
) -> None:
    """Print a transaction's Merkle inclusion proof (the public API's JSON layout)."""
    from sqlalchemy.exc import SQLAlchemyError

    from zengzhi.app import prove_inclusion
    from zengzhi.domain import DomainError
    from zengzhi.store import Database

    database = Database(_database_url(url))
    try:
        with database.snapshot() as reader:
            reader.economy(economy)
            proof = prove_inclusion(reader, economy, seq)
    except DomainError as error:
        _fail(error.message)
    except SQLAlchemyError as error:
        _fail(f"cannot read the database: {error.__class__.__name__}: {error}")
    finally:
        database.dispose()
    typer.echo(json.dumps(proof.to_json(), indent=2))


@app.command("verify-proof")
def verify_proof(
    proof_file: Annotated[
        Path,
        typer.Argument(help="A proof as JSON (from `zengzhi prove` or the API); - reads stdin."),
    ],
    root: Annotated[
        str | None,
        typer.Option(help="The checkpoint root published elsewhere (hex) the proof must reach."),
    ] = None,
) -> None:
    """Check an inclusion proof offline, without the database: the path must reach the root."""
    from zengzhi.ledger.merkle import InclusionProof

    try:
        text = sys.stdin.read() if str(proof_file) == "-" else proof_file.read_text("utf-8")
        proof = InclusionProof.from_json(json.loads(text))
    except OSError as error:
        _fail(f"cannot read {proof_file}: {error.strerror}")
    except (ValueError, KeyError, TypeError) as error:
        _fail(f"not a proof: {error}")
    if root is not None and root.lower() != proof.root.hex():
        _fail(f"the proof's root {proof.root.hex()} is not the published root {root.lower()}")
    if not proof.verify():
        _fail(f"the proof does NOT hold: its path does not lead to root {proof.root.hex()}")
    typer.echo(
        f"proof holds: transaction {proof.seq} of {proof.economy_id} is in checkpoint "
        f"{proof.checkpoint} (root {proof.root.hex()})"
    )


def main() -> None:
    app()


# -- simulator (issue 8): simulate, check, stress-report -------------------------------
# The simulator's modules (numba, plotly, dask) are imported inside the commands so that
# `zengzhi replay` and `zengzhi demo` start as fast as before.


@app.command()
def simulate(
    scenario: Annotated[
        str, typer.Argument(help="A scenario TOML file (scenarios/README.md) or a preset name.")
    ],
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: sim-out/<scenario>).")
    ] = None,
    seeds: Annotated[int | None, typer.Option(help="Number of seeds (Monte Carlo runs).")] = None,
    engine: Annotated[str | None, typer.Option(help="auto, exact or kernel.")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address for sweeps (default: local).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Local Dask workers for sweeps.")] = 2,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Simulate who gets their money back: HTML report, JSON metrics, CSV time series."""
    from zengzhi.domain.errors import DomainError
    from zengzhi.sim import commands

    try:
        plan = commands.adjust(commands.resolve_scenario(scenario), seeds, engine)
        folder = out or Path("sim-out") / Path(scenario).stem
        with commands.progress_bar(progress) as bar:
            paths = commands.simulate(plan, folder, bar, scheduler=scheduler, workers=workers)
    except DomainError as error:
        _fail(error.message)
    for kind, path in paths.items():
        typer.echo(f"{kind}: {path}")


@app.command()
def check(
    config: Annotated[str, typer.Argument(help="An economy configuration TOML or a preset name.")],
    strict: Annotated[
        bool, typer.Option(help="Refuse rules with unacknowledged high-severity findings.")
    ] = True,
    ack: Annotated[
        list[str] | None, typer.Option(help="Acknowledge a high finding by its code (repeat).")
    ] = None,
    operator: Annotated[str, typer.Option(help="Who acknowledges (required with --ack).")] = "",
    reason: Annotated[str, typer.Option(help="Why (required with --ack).")] = "",
    audit_log: Annotated[
        Path | None, typer.Option(help="JSON Lines file the acknowledgements are appended to.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check rules for the warning signs regulators named (not legal advice). Exit 2: refused."""
    from zengzhi.domain.errors import DomainError
    from zengzhi.sim.checks import Acknowledgement, findings_json, review_rules
    from zengzhi.sim.commands import load_rules

    codes = ack or []
    if codes and audit_log is None:
        _fail("an acknowledgement must be audited: pass --audit-log PATH with --ack")
    try:
        rules = load_rules(config)
        acks = [Acknowledgement(code, operator, reason) for code in codes]
        decision = review_rules(rules, acks, strict=strict)
    except DomainError as error:
        _fail(error.message)
    if audit_log is not None and decision.acknowledged:
        _append_audit(audit_log, config, decision)
    if as_json:
        json.dump(findings_json(decision), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_findings(rules.name, decision)
    if not decision.accepted:
        raise typer.Exit(code=2)


@app.command("stress-report")
def stress_report(
    out: Annotated[Path, typer.Option(help="Folder for the reports.")] = Path("reports"),
    seeds: Annotated[int, typer.Option(help="Seeds per stress scenario.")] = 8,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run the stress scenarios on every preset: one HTML report each and a summary."""
    from zengzhi.domain.errors import DomainError
    from zengzhi.sim.commands import progress_bar
    from zengzhi.sim.stress import write_stress_reports

    try:
        with progress_bar(progress) as bar:
            summary = write_stress_reports(out, seeds, bar)
    except DomainError as error:
        _fail(error.message)
    typer.echo(f"summary: {summary}")


def _append_audit(path: Path, config: str, decision: object) -> None:
    from datetime import UTC, datetime

    from zengzhi.sim.checks import RulesDecision

    assert isinstance(decision, RulesDecision)
    with path.open("a", encoding="utf-8") as log:
        for finding, ack in decision.acknowledged:
            record = {
                "at": datetime.now(UTC).isoformat(),
                "config": config,
                "code": finding.code,
                "severity": finding.severity.value,
                "operator": ack.operator,
                "reason": ack.reason,
            }
            log.write(json.dumps(record, ensure_ascii=False) + "\n")


def _print_findings(name: str, decision: object) -> None:
    from zengzhi.sim.checks import NOT_LEGAL_ADVICE, RulesDecision

    assert isinstance(decision, RulesDecision)
    console = Console()
    console.rule(f"checks: {name}")
    colour = {"high": "bold red", "medium": "yellow", "info": "green"}
    for f in decision.findings:
        console.print(
            f"[{colour[f.severity.value]}]{f.severity.value.upper()}[/] {f.code} ({f.where})"
        )
        console.print(f"  {f.title}. {f.explanation}", highlight=False)
        console.print(f"  {f.explanation_zh}", highlight=False)
    for f, a in decision.acknowledged:
        console.print(f"acknowledged {f.code} by {a.operator}: {a.reason}", highlight=False)
    if decision.blocking:
        codes = ", ".join(f.code for f in decision.blocking)
        console.print(f"[bold red]refused[/] (strict): acknowledge with --ack CODE: {codes}")
    else:
        console.print("[green]accepted[/]" + ("" if decision.strict else " (not strict)"))
    console.print(NOT_LEGAL_ADVICE, highlight=False)


# -- the service (issue 4): economies, operators, merchants, serve with housekeeping ---

economy_app = typer.Typer(help="Economies: create one from a preset.", no_args_is_help=True)
app.add_typer(economy_app, name="economy")
operator_app = typer.Typer(help="Operators: people who run economies.", no_args_is_help=True)
app.add_typer(operator_app, name="operator")
merchant_app = typer.Typer(help="Merchants and their API keys.", no_args_is_help=True)
app.add_typer(merchant_app, name="merchant")


def _service(url: str | None) -> object:
    from pydantic import ValidationError

    from zengzhi.api.app import build_service
    from zengzhi.config import Settings

    try:
        settings = Settings(database_url=_database_url(url))
    except ValidationError as error:
        _fail(f"invalid settings: {error.errors()[0]['msg']}")
    return build_service(settings)


def _run_service(url: str | None, work: object) -> object:
    from sqlalchemy.exc import SQLAlchemyError

    from zengzhi.domain.errors import DomainError
    from zengzhi.service import Service

    service = _service(url)
    assert isinstance(service, Service)
    try:
        return service.run(lambda uow: work(service, uow))  # type: ignore[operator]
    except DomainError as error:
        _fail(error.message)
    except SQLAlchemyError as error:
        _fail(f"database error: {error.__class__.__name__}: {error}")
    finally:
        service.database.dispose()


@economy_app.command("create")
def economy_create(
    economy: Annotated[str, typer.Argument(help="The new economy's id, e.g. demo.")],
    preset: Annotated[str, typer.Option(help="A preset in presets/.")] = "appreciating-pool",
    ack: Annotated[
        list[str] | None, typer.Option(help="Acknowledge a high finding by its code (repeat).")
    ] = None,
    reason: Annotated[str, typer.Option(help="Why the acknowledged findings are accepted.")] = "",
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
) -> None:
    """Create an economy from a preset; its rules are checked first (`zengzhi check`)."""
    from zengzhi.service.operators import create_economy_from_preset

    acks = [{"code": code, "reason": reason} for code in ack or []]
    result = _run_service(
        url,
        lambda svc, uow: create_economy_from_preset(
            svc, uow, economy, preset, None, svc.now(), acks
        ),
    )
    assert isinstance(result, dict)
    typer.echo(f"economy {economy} created from {preset}: {result['name']}")


@operator_app.command("create")
def operator_create(
    economy: Annotated[str, typer.Option(help="The economy the role is for.")],
    phone: Annotated[str, typer.Option(help="The operator's phone (their login).")],
    role: Annotated[str, typer.Option(help="owner, operator, finance or auditor.")] = "owner",
    name: Annotated[str, typer.Option(help="A display name.")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, help="8+ characters (prompted).")
    ] = "",
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
) -> None:
    """Create an operator (or reuse one by phone) and give them a role in an economy."""
    from zengzhi.service.accounts import create_operator, normalise_phone
    from zengzhi.service.operators import grant_role

    def work(svc: object, uow: object) -> str:
        now = svc.now()  # type: ignore[attr-defined]
        found = uow.service.operator_by_phone(normalise_phone(phone))  # type: ignore[attr-defined]
        operator_id: str = (
            found.operator_id
            if found is not None
            else create_operator(svc, uow, phone, name, password, now)  # type: ignore[arg-type]
        )
        grant_role(svc, uow, economy, operator_id, role, "cli", now)  # type: ignore[arg-type]
        return operator_id

    operator_id = _run_service(url, work)
    typer.echo(f"operator {operator_id} is {role} of {economy}; log in with phone {phone}")


@merchant_app.command("create")
def merchant_create(
    economy: Annotated[str, typer.Option(help="The merchant's economy.")],
    merchant: Annotated[str, typer.Option(help="The merchant's id, e.g. shop-1.")],
    name: Annotated[str, typer.Option(help="A display name.")] = "",
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
) -> None:
    """Create a merchant and an API key; the secret is printed once."""
    from zengzhi.service.merchants import create_key, create_merchant

    def work(svc: object, uow: object) -> tuple[str, str]:
        now = svc.now()  # type: ignore[attr-defined]
        create_merchant(svc, uow, economy, merchant, name, "cli", now)  # type: ignore[arg-type]
        return create_key(svc, uow, economy, merchant, "cli", now)  # type: ignore[arg-type]

    result = _run_service(url, work)
    assert isinstance(result, tuple)
    key_id, secret = result
    typer.echo(f"merchant {merchant} in {economy}\nkey id: {key_id}\nsecret: {secret}")


def _serve_demo(port: int, database: Path) -> None:
    import uvicorn

    from zengzhi.api import create_app
    from zengzhi.api.app import build_service
    from zengzhi.config import Settings
    from zengzhi.service.demo import reset_file, seed
    from zengzhi.store import Database

    reset_file(database)
    url = f"sqlite:///{database}"
    Database(url).upgrade()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=url, port=port, public_base_url=base)
    service = build_service(settings)
    data = seed(service)
    from zengzhi.service.accounts import referral_link  # issue 7: where to click
    from zengzhi.store.service_repository import reading

    with reading(service.database) as store:
        first = store.member_by_phone(data.economy, data.member_phones[0])
    join = referral_link(service, data.economy, first.referral_code) if first else f"{base}/m"
    typer.echo(
        f"""
Zengzhi demo: economy '{data.economy}' (appreciating pool, 30% of each order to the pool)

  Member app (phones)   {base}/m
    join through member {data.member_phones[0]}'s referral link: {join}
    log in: phones {", ".join(data.member_phones)}  password {data.member_password}
    (or by SMS code: the console SMS provider prints the code here)
  Operator console      {base}/console
    owner: phone {data.owner_phone}  password {data.owner_password}
  Merchant console      {base}/merchant
    merchant '{data.merchant}' logs in with key id {data.key_id}
    and secret {data.secret}
  Public explorer       {base}/explorer/{data.economy}
  API documentation     {base}/docs

Report and settle an order as the merchant's till would (signed API):
  zengzhi merchant-order --base-url {base} --key-id {data.key_id} --secret {data.secret} \\
      --order-id my-1 --amount-fen 10000 --member-phone {data.member_phones[0]} --settle
Points are priced by published rules; nothing here promises a profit.
"""
    )
    uvicorn.run(create_app(settings, service, background=True), host="127.0.0.1", port=port)


@app.command("merchant-order")
def merchant_order(
    key_id: Annotated[str, typer.Option(help="The merchant's API key id.")],
    secret: Annotated[str, typer.Option(help="The API key's secret.")],
    order_id: Annotated[str, typer.Option(help="Your order id.")],
    amount_fen: Annotated[int, typer.Option(help="The amount paid, in fen.")],
    member_phone: Annotated[str, typer.Option(help="The member's phone.")],
    base_url: Annotated[str, typer.Option(help="The service.")] = "http://127.0.0.1:8000",
    settle: Annotated[bool, typer.Option(help="Settle it right away.")] = False,
) -> None:
    """Report (and optionally settle) an order with a signed merchant request."""
    import httpx

    from zengzhi.service.merchant_client import signed_request

    body = {"order_id": order_id, "amount_fen": amount_fen, "member_phone": member_phone}
    calls: list[tuple[str, str, dict[str, object] | None]] = [("POST", "/v1/merchant/orders", body)]
    if settle:
        calls.append(("POST", f"/v1/merchant/orders/{order_id}/settle", None))
    try:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            for method, path, payload in calls:
                response = signed_request(client, key_id, secret, method, path, payload)
                typer.echo(f"{method} {path} -> {response.status_code}\n{response.text}")
                if response.status_code >= 400:
                    raise typer.Exit(code=1)
    except httpx.HTTPError as error:
        _fail(f"cannot reach {base_url}: {error}")


# -- periodic jobs (issue 5): a day's settlement from cron -------------------------------


@app.command()
def settle(
    economy: Annotated[str, typer.Option(help="The economy id.")],
    date: Annotated[str, typer.Option(help="The local day to settle, YYYY-MM-DD.")],
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
) -> None:
    """Settle an economy's periodic job for a day once (and any unsettled day before it):
    a cyclic-purchase day's dividends, a locked-grants or shared-purchase day's releases."""
    import datetime as dt

    from sqlalchemy.exc import SQLAlchemyError

    from zengzhi.app import EngineCache
    from zengzhi.domain import DomainError
    from zengzhi.service.context import wall_clock
    from zengzhi.service.periodic import settle_in
    from zengzhi.store import Database

    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        _fail(f"--date must be a day such as 2026-03-01, not {date!r}")
    database = Database(_database_url(url))
    engines = EngineCache()
    try:
        lines = database.run(lambda uow: settle_in(uow, engines, economy, day, wall_clock()))
    except DomainError as error:
        _fail(error.message)
    except SQLAlchemyError as error:
        _fail(f"cannot write the database: {error.__class__.__name__}: {error}")
    finally:
        database.dispose()
    for line in lines:
        typer.echo(f"{economy} {line}")
