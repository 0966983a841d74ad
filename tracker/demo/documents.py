"""Demo data: open and internal documents on the demo cases, and one secret budget file with
named readers (S5). Uploaded through the real service, so every file is encrypted and audited."""
from __future__ import annotations

import io
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tracker.cases.policy import can_view_case
from tracker.demo.context import DemoContext
from tracker.documents import services
from tracker.documents.policy import case_access

BUDGET_CSV = (
    "avdelning;budget 2026;förslag 2027;förändring\n"
    "Hemtjänst norr;41 200 000;39 800 000;-1 400 000\n"
    "Hemtjänst söder;38 900 000;37 950 000;-950 000\n"
    "Centralkök;12 100 000;11 000 000;-1 100 000\n"
).encode()

STAFFING_CSV = (
    "enhet;årsarbetare;vakanser;sjukfrånvaro %\n"
    "Hemtjänst norr;54;3;7,9\n"
    "Hemtjänst söder;49;1;6,4\n"
).encode()


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small one-page PDF made with reportlab."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 770, title)
    pdf.setFont("Helvetica", 11)
    for n, line in enumerate(lines):
        pdf.drawString(72, 740 - 16 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def load(context: DemoContext) -> None:
    cases = context.open_cases()
    secret_done = False
    for case in cases:
        hr = case.responsible_hr
        if not case_access(hr, case).can_upload():
            continue
        services.upload(
            hr, case, stream=io.BytesIO(_pdf("Förhandlingsframställan", [
                f"Ärende {case.diary_number}: {case.title}",
                "Arbetsgivaren begär förhandling enligt 11 § MBL / samarbetsförfarande.",
                "Underlag: organisationsskiss, bemanning, tidplan."])),
            filename="Förhandlingsframställan.pdf", title="Förhandlingsframställan",
            classification="open", stage_code="early_information")
        services.upload(hr, case, stream=io.BytesIO(STAFFING_CSV), filename="Bemanning per enhet.csv",
                        title="Bemanning per enhet", classification="internal", stage_code="grounds")
        if not secret_done:
            # The negotiators: the decision maker for the employer, the union's signatory.
            readers = [context.users[e] for e in ("decision@example.org", "union@example.org", "union2@example.org")
                       if e in context.users and can_view_case(context.users[e], case)]
            services.upload(hr, case, stream=io.BytesIO(BUDGET_CSV), filename="Budget 2027.csv",
                            title="Budget 2027 per enhet (utkast)", classification="secret",
                            stage_code="grounds", legal_basis="OSL 19 kap. 1 §",
                            secrecy_ends_on=date(date.today().year + 5, 12, 31), readers=readers)
            secret_done = True
