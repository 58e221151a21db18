"""Long work as jobs: created here, run by a queue worker (cluster) or at once in-process (laptop).

Each kind is idempotent, so a job run again after its worker died gives the same result as one
run: the reports' zip is built anew and replaces any earlier file, a rebuild recomputes the
summary from the figures, and the reminder run never sends an item twice (SentReminder).
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chitieu.names import fold
from chitieu.periods import parse_period
from chitieu.reports import FORMATS, render
from web.dashboards.services import reminders_send
from web.jobs import background, broker
from web.jobs.models import Job
from web.orgs.selectors import communes_of
from web.plans.models import Plan
from web.plans.selectors import core_plan, plan_version_active
from web.reports.selectors import report_period, report_periods
from web.reports.services import annual_report
from web.rollups.services import rollup_rebuild, unit_closure_refresh
from web.rollups.verdicts import store_verdicts

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]


def verdicts_stale(*, plan_id: int, areas: list[int] | None, views: list[str], **_: object) -> None:
    """A committed change made stored verdicts stale (web.rollups.verdicts): a queue worker judges
    them again (cluster), or in laptop mode a thread of this process does after the response
    (web.jobs.background; at once with CHITIEU_VERDICTS_IN_THREAD off); meanwhile the dashboards show
    the earlier verdicts as being updated, and everything else asks the engine."""
    if broker.configured():
        broker.enqueue_call("web.rollups.verdicts.store_verdicts", plan_id, areas, views)
    elif settings.CHITIEU_VERDICTS_IN_THREAD:
        background.judge_later(plan_id, areas, views)
    else:
        store_verdicts(plan_id, areas, views)


class JobRefused(Exception):
    """The job cannot be started as asked; the message is for the user."""


def job_start(*, kind: str, actor, plan: Plan, params: dict | None = None) -> Job:
    """Record the job, then queue it after the commit (cluster) or run it now (laptop mode)."""
    params = params or {}
    if kind == Job.Kind.REPORTS:
        _check_report_params(plan, params)
    job = Job.objects.create(kind=kind, plan=plan, params=params, requested_by=actor)
    if broker.configured():
        # After the commit of any transaction around us: a worker must find the row it is given.
        transaction.on_commit(lambda: broker.enqueue(job.pk))
    else:
        job_run(job.pk, raise_errors=False)
        job.refresh_from_db()
    return job


def _check_report_params(plan: Plan, params: dict) -> None:
    if params.get("fmt") not in FORMATS:
        raise JobRefused(_("Unknown report format: use docx, pdf or xlsx."))
    version = plan_version_active(plan)
    if version is None:
        raise JobRefused(_("This plan has no version in force yet."))
    core = core_plan(version)
    if report_period(core, str(params.get("period", ""))) is None:
        raise JobRefused(
            _("“%(period)s” is not a year of this plan: choose one of %(years)s.")
            % {"period": params.get("period", ""), "years": ", ".join(report_periods(core))}
        )


def job_run(job_id: int, raise_errors: bool = True) -> None:
    """Run the job from the start (the queue's entry point). A job already done is left alone."""
    job = Job.objects.select_related("plan__area").filter(pk=job_id).first()
    if job is None or job.status == Job.Status.DONE:
        return
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        attempts=F("attempts") + 1,
        done=0,
        message=_("Started."),
    )

    def progress(done: int, total: int, message: str) -> None:
        # Outside any transaction of the work, so the progress page sees it at once.
        Job.objects.filter(pk=job_id).update(done=done, total=total, message=message[:300])

    try:
        with translation.override("vi"):
            summary = RUNNERS[job.kind](job, progress)
    except Exception as error:
        log.exception("job %s (%s) failed", job_id, job.kind)
        with translation.override("vi"):
            message = _("Stopped by an error: %(error)s") % {"error": str(error)[:200]}
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, finished_at=timezone.now(), message=message
        )
        if raise_errors:
            raise  # RQ records the failure and retries
        return
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, finished_at=timezone.now(), message=summary[:300]
    )


# ------------------------------------------------------------------ the kinds


def _reports(job: Job, progress: Progress) -> str:
    """One report per unit (the plan's area, then each commune) for a year, in one zip: each the
    report its unit would download alone (``annual_report``), its verdicts the dashboard's."""
    plan, fmt, period_text = job.plan, job.params["fmt"], job.params["period"]
    as_of = date.fromisoformat(job.params.get("as_of") or timezone.localdate().isoformat())
    period = parse_period(report_period(core_plan(plan_version_active(plan)), period_text))
    units = [plan.area, *communes_of(plan.area, period.start, period.end)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, unit in enumerate(units, start=1):
            progress(
                number - 1,
                len(units),
                _("Report %(n)s of %(total)s: %(unit)s")
                % {"n": number, "total": len(units), "unit": unit.name},
            )
            report = annual_report(plan, period_text, as_of=as_of, annex=fmt == "xlsx", area=unit)
            archive.writestr(f"{number:02d}-{slugify(fold(unit.name)) or unit.pk}.{fmt}", render(report, fmt))
    name = f"bao-cao-{plan.pk}-{period.key}-{fmt}.zip"
    if job.result:
        job.result.delete(save=False)  # a re-run replaces the file of an interrupted one
    job.result.save(f"{job.pk}/{name}", ContentFile(buffer.getvalue()), save=False)
    Job.objects.filter(pk=job.pk).update(result=job.result.name)
    progress(len(units), len(units), "")
    return _("%(count)s reports ready to download.") % {"count": len(units)}


def _rollup(job: Job, progress: Progress) -> str:
    unit_closure_refresh()

    def show(done: int, total: int, what: str) -> None:
        progress(
            done,
            total,
            _("Period %(done)s of %(total)s (%(what)s)") % {"done": done, "total": total, "what": what},
        )

    rows = rollup_rebuild(plan=job.plan, progress=show)
    return _("Summary rebuilt: %(rows)s rows.") % {"rows": rows}


def _reminders(job: Job, progress: Progress) -> str:
    progress(0, 1, _("Sending reminders…"))
    run = reminders_send(as_of=timezone.localdate(), plans=[job.plan])
    progress(1, 1, "")
    return _("%(sent)s reminders sent, %(before)s sent before.") % {
        "sent": len(run.sent),
        "before": run.already_sent,
    }


RUNNERS: dict[str, Callable[[Job, Progress], str]] = {
    Job.Kind.REPORTS: _reports,
    Job.Kind.ROLLUP: _rollup,
    Job.Kind.REMINDERS: _reminders,
}
