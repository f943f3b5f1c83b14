#!/usr/bin/env python3
"""Measure how long an import preview takes for large published lists with unmatched rows (issue 11).

    .venv/bin/python bench/import_bench.py                  # a new SQLite database in a temporary folder
    DATABASE_URL=postgres://... .venv/bin/python bench/import_bench.py   # or the database named (migrated and
                                                            # loaded first; the bench writes nothing that stays)

The files are built from the shipped dataset the way real lists are written: one row per unit with its recorded
date, names in the forms ICE and newsrooms use ("Harris County", "Harris Co.", "Harris County Sheriff's Office",
"Harris Co. SO", "harris county"), and a share of rows whose name is misspelt so that it matches nothing and
needs closest-name suggestions, the slow part before (75-100 ms a row). Rows:
  - ICE-sized list: 3,200 rows, 10% unmatched (budget: preview under 5 s);
  - 10,000 rows, 10% unmatched (units repeated: later rows are duplicates);
  - a file at the upload size limit (importer.MAX_BYTES) in which every row is unmatched: the worst case, to show
    that no upload within the limit reaches gunicorn's 30 s timeout.
For each: `plan_import` alone (median of 3; it reads the database and builds the matcher each time, as a
preview does) and the whole admin upload request (Django's test client as a superuser: upload, plan, and the
page listing every row; inside a transaction that is rolled back). Prints one table; paste it into
bench/README.md under "Import preview".
"""

import csv
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 5.0
TIMEOUT_SECONDS = 30.0  # gunicorn.conf.py's default GUNICORN_TIMEOUT


def prepare_database(workdir: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'import_bench.sqlite3'}")
    env = {**os.environ, "PRODUCTION": "", "LOG_LEVEL": "ERROR"}
    for command in (["migrate", "--noinput", "-v", "0"], ["load_dataset"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )


def misspell(name: str) -> str:
    """A name no unit has: a letter of the first word doubled and another dropped ("Harris" -> "Haarrs")."""
    first, _, rest = name.partition(" ")
    if len(first) < 4:
        first = first + "qx"
    mangled = first[0] + first[1] * 2 + first[2:-2] + first[-1]
    return f"{mangled} {rest}".strip()


FORMS = [
    lambda name: name,
    lambda name: name.replace(" County", " Co."),
    lambda name: f"{name} Sheriff's Office" if name.endswith("County") else name,
    lambda name: name.replace(" County", " Co. SO"),
    lambda name: name.lower(),
]


def build_file(units: list[dict], rows: int, unmatched_share: float, max_bytes: int | None = None) -> bytes:
    """A CSV of `rows` rows (or as many as fit in `max_bytes`), one in 1/unmatched_share misspelt."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["State", "Jurisdiction", "Activation Date"])
    every = round(1 / unmatched_share) if unmatched_share else 0
    written = 0
    while written < rows:
        unit = units[written % len(units)]
        name = FORMS[(written // len(units) + written) % len(FORMS)](unit["jurisdiction_name"])
        if every and written % every == every - 1:
            name = misspell(unit["jurisdiction_name"])
        line = [unit["state_postal"], name, unit["activation_date"]]
        if max_bytes is not None and out.tell() + len(",".join(line)) + 8 > max_bytes:
            break
        writer.writerow(line)
        written += 1
    return out.getvalue().encode("utf-8")


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        prepare_database(Path(workdir))
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
        os.environ["PRODUCTION"] = ""
        import django

        django.setup()
        return run()


def run() -> int:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from jurisdictions import importer

    settings.ALLOWED_HOSTS = ["*"]
    with open(settings.DATASET_DIR / "activations.csv", newline="", encoding="utf-8") as handle:
        units = [row for row in csv.DictReader(handle) if row["activation_date"]]
    files = [
        ("ICE-sized list, 10% unmatched", build_file(units, 3200, 0.10)),
        ("10,000 rows, 10% unmatched", build_file(units, 10_000, 0.10)),
        ("size limit, every row unmatched", build_file(units, 10**9, 1.0, importer.MAX_BYTES)),
    ]

    class Rollback(Exception):
        pass

    def preview_request(data: bytes) -> tuple[float, int]:
        """Seconds for the admin upload request, and its status; nothing it wrote is kept."""
        try:
            with transaction.atomic():
                user = User.objects.create_superuser("import-bench", password=None)
                client = Client()
                client.force_login(user)
                started = time.perf_counter()
                response = client.post(
                    reverse("admin:jurisdictions_importbatch_upload"),
                    {
                        "file": SimpleUploadedFile("list.csv", data, "text/csv"),
                        "source_title": "Import bench",
                        "source_url": "https://example.org/import-bench.csv",
                    },
                )
                elapsed = time.perf_counter() - started
                raise Rollback((elapsed, response.status_code))
        except Rollback as done:
            return done.args[0]

    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}")
    print(f"database: {connection.vendor}; load average at start {os.getloadavg()[0]:.2f}")
    header = f"{'file':34} {'rows':>6} {'KB':>6} {'errors':>6} {'suggested':>9} {'plan s':>7} {'preview s':>9}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    failed = False
    for label, data in files:
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            plan = importer.plan_import("list.csv", data)
            timings.append(time.perf_counter() - started)
        request_seconds, status = preview_request(data)
        errors = plan.errors
        suggested = sum(1 for row in errors if row.suggestions)
        plan_seconds = statistics.median(timings)
        print(
            f"{label:34} {len(plan.rows):>6} {len(data) / 1024:>6.0f} {len(errors):>6} {suggested:>9} "
            f"{plan_seconds:>7.2f} {request_seconds:>9.2f}"
        )
        worst = max(worst, request_seconds)
        if status != 200:
            print(f"  the upload answered {status}, not the error page (200)")
            failed = True
        if label.startswith("ICE") and request_seconds > BUDGET_SECONDS:
            failed = True
    print(
        f"budget: ICE-sized preview under {BUDGET_SECONDS:.0f} s; any preview under the {TIMEOUT_SECONDS:.0f} s timeout"
    )
    if worst > TIMEOUT_SECONDS:
        failed = True
    print("RESULT: " + ("budget missed" if failed else "within budget"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
