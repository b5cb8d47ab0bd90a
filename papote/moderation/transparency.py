"""The transparency report (DSA articles 15 and 24): what was notified, what was done, how fast.

Figures for a period, read from the moderation tables and the audit log: notices by category and source,
automated detections by category and action, decisions by type (automated or human), the median time from
case to decision, appeals and their outcomes, suspensions. Written as JSON, CSV or an HTML page whose bar
charts are plain SVG (no script, so the console can show it under its strict Content-Security-Policy).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.storage.tables import appeals, audit_log, cases, decisions, reports, safety_events

SUSPENDING_ACTIONS = ("suspend", "ban")


@dataclass
class TransparencyReport:
    period_from: str
    period_to: str
    notices_by_category: dict[str, int] = field(default_factory=dict)
    notices_by_source: dict[str, int] = field(default_factory=dict)
    automated_detections_by_category: dict[str, int] = field(default_factory=dict)
    automated_actions: dict[str, int] = field(default_factory=dict)
    decisions_by_action: dict[str, int] = field(default_factory=dict)
    decisions_automated: int = 0
    decisions_human: int = 0
    median_hours_to_decision: float | None = None
    appeals_by_outcome: dict[str, int] = field(default_factory=dict)
    suspensions: int = 0
    automated_suspensions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def day_bounds(start: dt.date, end: dt.date) -> tuple[int, int]:
    """[start 00:00 UTC, the day after `end` 00:00 UTC) in milliseconds: both days are included."""
    first = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return int(first.timestamp() * 1000), int(last.timestamp() * 1000)


async def build(connection: AsyncConnection, start: dt.date, end: dt.date) -> TransparencyReport:
    low, high = day_bounds(start, end)
    report = TransparencyReport(start.isoformat(), end.isoformat())
    notices = await _all(
        connection, select(reports.c.category, reports.c.source), reports.c.created_ms, low, high
    )
    report.notices_by_category = _count(row["category"] for row in notices)
    report.notices_by_source = _count(row["source"] for row in notices)
    automated = await _all(
        connection,
        select(cases.c.category).where(cases.c.source == "automated"),
        cases.c.created_ms,
        low,
        high,
    )
    report.automated_detections_by_category = _count(row["category"] for row in automated)
    actions = await _all(connection, select(safety_events.c.action), safety_events.c.created_ms, low, high)
    report.automated_actions = _count(row["action"] for row in actions)
    await _decisions(connection, report, low, high)
    decided = await _all(connection, select(appeals.c.status), appeals.c.created_ms, low, high)
    report.appeals_by_outcome = _count(row["status"] for row in decided)
    report.automated_suspensions = await _automated_suspensions(connection, low, high)
    return report


async def _decisions(connection: AsyncConnection, report: TransparencyReport, low: int, high: int) -> None:
    query = select(
        decisions.c.action, decisions.c.automated, decisions.c.created_ms, cases.c.created_ms.label("opened")
    )
    query = query.select_from(decisions.outerjoin(cases, cases.c.id == decisions.c.case_id))
    rows = await _all(connection, query, decisions.c.created_ms, low, high)
    report.decisions_by_action = _count(row["action"] for row in rows)
    report.decisions_automated = sum(1 for row in rows if row["automated"])
    report.decisions_human = len(rows) - report.decisions_automated
    report.suspensions = sum(1 for row in rows if row["action"] in SUSPENDING_ACTIONS)
    waits = [
        (row["created_ms"] - row["opened"]) / 3_600_000
        for row in rows
        if not row["automated"] and row["opened"] is not None
    ]
    report.median_hours_to_decision = round(statistics.median(waits), 2) if waits else None


async def _automated_suspensions(connection: AsyncConnection, low: int, high: int) -> int:
    """Suspensions the safety pipeline applied by itself (pending review), from the audit log."""
    query = select(audit_log.c.details).where(audit_log.c.action.like("safety.%"))
    rows = await _all(connection, query, audit_log.c.at_ms, low, high)
    return sum(1 for row in rows if json.loads(row["details"]).get("sanction") == "suspend")


async def _all(
    connection: AsyncConnection, query: Any, column: Any, low: int, high: int
) -> list[dict[str, Any]]:
    bounded = query.where(column >= low, column < high)
    return [dict(row._mapping) for row in await connection.execute(bounded)]


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda item: (-item[1], item[0])))


# --- formats --------------------------------------------------------------------------------------


def as_json(report: TransparencyReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True)


def as_csv(report: TransparencyReport) -> str:
    """One row per figure: section, key, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "value"])
    for section, value in report.as_dict().items():
        if isinstance(value, dict):
            for key, count in value.items():
                writer.writerow([section, key, count])
        else:
            writer.writerow([section, "", "" if value is None else value])
    return out.getvalue()


SECTIONS = (
    ("notices_by_category", "Signalements par catégorie", "Notices by category"),
    ("notices_by_source", "Signalements par origine", "Notices by source"),
    ("automated_detections_by_category", "Détections automatiques par catégorie", "Automated detections"),
    ("automated_actions", "Actions automatiques sur les messages", "Automated actions on messages"),
    ("decisions_by_action", "Décisions par type", "Decisions by type"),
    ("appeals_by_outcome", "Recours et leur issue", "Appeals and their outcome"),
)


def as_html(report: TransparencyReport) -> str:
    """A self-contained page: figures as tables and bar charts in plain SVG, no script, no style element."""
    parts = [
        "<!doctype html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>Rapport de transparence Papote {_e(report.period_from)} – {_e(report.period_to)}</title>",
        "</head><body>",
        f"<h1>Rapport de transparence — du {_e(report.period_from)} au {_e(report.period_to)}</h1>",
        "<p>Transparency report (DSA art. 15 and 24).</p>",
        "<ul>",
        f"<li>Décisions humaines / human decisions : {report.decisions_human}</li>",
        f"<li>Décisions automatisées / automated decisions : {report.decisions_automated}</li>",
        f"<li>Délai médian avant décision / median time to decision : "
        f"{_hours(report.median_hours_to_decision)}</li>",
        f"<li>Suspensions (décisions) : {report.suspensions} ; "
        f"suspensions automatiques en attente d'examen : {report.automated_suspensions}</li>",
        "</ul>",
    ]
    figures = report.as_dict()
    for key, french, english in SECTIONS:
        parts += _section(french, english, figures[key])
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _section(french: str, english: str, counts: Mapping[str, int]) -> list[str]:
    lines = [f"<h2>{_e(french)} <small>({_e(english)})</small></h2>"]
    if not counts:
        return [*lines, "<p>Aucun / none.</p>"]
    lines.append(_bars(counts))
    lines.append("<table><tr><th>Catégorie</th><th>Nombre</th></tr>")
    lines += [f"<tr><td>{_e(name)}</td><td>{count}</td></tr>" for name, count in counts.items()]
    lines.append("</table>")
    return lines


def _bars(counts: Mapping[str, int]) -> str:
    """A horizontal bar chart in SVG: one row per key, bar lengths proportional to the largest count."""
    row, label_width, bar_width = 22, 220, 360
    largest = max(counts.values()) or 1
    height = row * len(counts) + 4
    width = label_width + bar_width + 60
    items = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for index, (name, count) in enumerate(counts.items()):
        y = index * row + 2
        length = max(1, round(bar_width * count / largest))
        items.append(f'<text x="0" y="{y + 15}" font-size="13">{_e(name)}</text>')
        items.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{row - 6}" fill="#4a6fa5"/>')
        items.append(f'<text x="{label_width + length + 6}" y="{y + 15}" font-size="13">{count}</text>')
    items.append("</svg>")
    return "".join(items)


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value} h"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


FORMATS = {"json": as_json, "csv": as_csv, "html": as_html}
