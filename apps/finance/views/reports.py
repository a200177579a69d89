import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import farms_visible_to
from apps.core import exports
from apps.core.access import member_required
from apps.core.storage import file_response

from .. import reports, selectors, services
from ..forms import ReportForm


@member_required("reports.view")
def report_page(request):
    membership = request.membership
    today = timezone.localdate()
    # Building a report is work (and a long one starts a job), so it is asked for with a POST.
    form = ReportForm(request.POST if request.method == "POST" else None, farms=farms_visible_to(membership),
                      initial={"since": today.replace(day=1) - dt.timedelta(days=1), "until": today, "file_format": "xlsx"})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if (data["until"] - data["since"]).days <= reports.BACKGROUND_AFTER_DAYS:
            report = reports.BUILDERS[data["kind"]](membership, data["since"], data["until"], data["farm"])
            return exports.response(report, data["file_format"], f'{data["kind"]}-{data["since"]}-{data["until"]}')
        params = {"since": data["since"].isoformat(), "until": data["until"].isoformat(), "farm": data["farm"].pk if data["farm"] else None}
        try:
            job = services.report_request(membership=membership, kind=data["kind"], file_format=data["file_format"], params=params)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.info(request, _("The report is on its way; this page shows its progress."))
            return redirect("money:report_job", pk=job.pk)
    return render(request, "finance/reports.html", {"form": form}, status=400 if form.errors else 200)


@member_required("reports.view")
def report_job(request, pk: int):
    job = selectors.get_report_job_for(request.membership, pk)
    template = "finance/report_job.html#progress" if request.htmx else "finance/report_job.html"
    return render(request, template, {"job": job})


@member_required("reports.view")
def report_download(request, pk: int):
    job = selectors.get_report_job_for(request.membership, pk)
    if job.status != job.Status.READY:
        raise Http404
    return file_response(job.file.name, storage=job.file.storage, filename=f"{job.kind}.{job.file_format}")
