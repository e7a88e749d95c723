from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.permissions import staff_required
from jobs.models import Job


@staff_required()
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress; the page polls itself (htmx) until the job is finished."""
    job = get_object_or_404(Job, pk=job_id)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/job_detail.html"
    return render(request, template, {"job": job})
