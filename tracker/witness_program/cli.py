"""The witness program's command line: init, add-log, serve, add, verify, show, script."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .bundle import verify_bundle
from .events import open_source
from .notes import NoteError
from .server import serve
from .single_file import single_file_source
from .state import Witness, WitnessError
from .verify import describe, verify_rows

DEFAULT_PORT = 8470


def _witness(args: argparse.Namespace) -> Witness:
    witness = Witness(args.dir)
    if not (witness.dir / "witness.key").exists():
        raise SystemExit(f"{witness.dir} is not a witness directory (run `init` first)")
    return witness


def cmd_init(args: argparse.Namespace) -> int:
    witness = Witness.init(args.dir, args.name)
    print(f"witness {args.name} created in {witness.dir}")
    print("its verifier key (give it to the log's operator, for AUDIT_WITNESSES):")
    print(witness.verifier().vkey)
    return 0


def cmd_add_log(args: argparse.Namespace) -> int:
    text = Path(args.key).read_text() if os.path.exists(args.key) else args.key
    verifier = _witness(args).add_log(args.origin, text)
    print(f"trusting log {args.origin} with key {verifier.vkey}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    serve(_witness(args), args.host, args.port, args.prefix, args.port_file)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    try:
        line = _witness(args).add_checkpoint(body)
    except WitnessError as exc:
        print(f"refused ({exc.status}): {str(exc).strip()}", file=sys.stderr)
        if exc.status == 409:
            print(f"this witness's size is {exc.body.strip()}: make the file with 'old {exc.body.strip()}'",
                  file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_text(line, encoding="utf-8")
    sys.stdout.write(line)
    return 0


def _origin(witness: Witness, wanted: str | None) -> str:
    logs = witness.logs()
    if wanted:
        if wanted not in logs:
            raise SystemExit(f"this witness does not trust a log named {wanted!r}")
        return wanted
    if len(logs) != 1:
        raise SystemExit("name the log with --origin (this witness trusts "
                         f"{len(logs)} logs: {', '.join(logs) or 'none'})")
    return next(iter(logs))


def cmd_verify(args: argparse.Namespace) -> int:
    witness = _witness(args)
    origin = _origin(witness, args.origin)
    try:
        if args.bundle:
            outcome = verify_bundle(witness, origin, args.bundle)
        else:
            rows = open_source(sqlite=args.sqlite, dsn=args.dsn, csv_path=args.csv, use_psql=args.psql)
            outcome = verify_rows(witness, origin, rows, remember=not args.no_remember)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"cannot read the events: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a database driver's own error (psycopg, sqlite3)
        print(f"cannot read the events: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(describe(outcome, origin, witness.history(origin)))
    if outcome.ok and args.bundle and not outcome.cosigned_size:
        return 3  # intact and proven against the log's signed checkpoint, but not confirmed by this witness
    return 0 if outcome.ok else 1


def cmd_show(args: argparse.Namespace) -> int:
    witness = _witness(args)
    print(f"name: {witness.name}\nverifier key: {witness.verifier().vkey}")
    for origin, verifier in witness.logs().items():
        latest = witness.latest(origin)
        state = f"size {latest.size}, root {latest.root_b64}" if latest else "nothing cosigned yet"
        print(f"log {origin} ({verifier.vkey}): {state}")
        print(f"  state: {witness.log_dir(origin)}")
    return 0


def cmd_script(args: argparse.Namespace) -> int:
    Path(args.out).write_text(single_file_source(), encoding="utf-8")
    print(f"wrote {args.out}: run it as `python3 {args.out} --help` (needs only Python 3.9+ and cryptography)")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="witness", description=(
        "A witness for a Samverkan audit log (C2SP tlog-witness): cosigns checkpoints only with a valid "
        "consistency proof from the last one it cosigned, and verifies the log's events against them."))
    top.add_argument("--dir", "-d", default=os.environ.get("WITNESS_DIR", "witness-state"),
                     help="the witness's state directory (default $WITNESS_DIR or ./witness-state)")
    sub = top.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="create a witness: a new key in --dir")
    p.add_argument("--name", required=True, help="the witness's key name, e.g. union.example.org/witness")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("add-log", help="trust a log: its origin and public key (PEM file or vkey)")
    p.add_argument("--origin", required=True)
    p.add_argument("--key", required=True, help="a PEM public key file, or a verifier key line")
    p.set_defaults(func=cmd_add_log)
    p = sub.add_parser("serve", help="serve POST /add-checkpoint over HTTP")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 picks a free port")
    p.add_argument("--prefix", default="", help="a path prefix before /add-checkpoint")
    p.add_argument("--port-file", help="write the bound port here once listening")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("add", help="cosign a checkpoint from a file (the add-checkpoint request body)")
    p.add_argument("--file", required=True, help="the submission file, '-' for standard input")
    p.add_argument("--out", help="also write the cosignature line to this file")
    p.set_defaults(func=cmd_add)
    p = sub.add_parser("verify", help="check the log's events against this witness's cosigned checkpoints")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--sqlite", help="the SQLite database file")
    source.add_argument("--dsn", help="a PostgreSQL DSN or URL (psycopg if installed, else psql)")
    source.add_argument("--csv", help="a CSV of every event (columns seq..hash with a header)")
    source.add_argument("--bundle", help="a case's procedure-record bundle (zip or directory)")
    p.add_argument("--psql", action="store_true", help="read PostgreSQL through the psql client")
    p.add_argument("--origin", help="the log's origin (needed when this witness trusts several)")
    p.add_argument("--no-remember", action="store_true", help="do not keep the proven leaf hashes")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("show", help="the witness's key, logs and last cosigned checkpoints")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("script", help="write the whole program as one file")
    p.add_argument("out")
    p.set_defaults(func=cmd_script)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (NoteError, FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
