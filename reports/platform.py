"""The platform admins' dashboard (public site): every tenant with its status, onboarding progress,
lines, last feed fetch and its error, and last billing run — the page and its API.

Each tenant's figures come from its own schema in ONE query (schema-qualified table names, no
`search_path` switching): the lines by status, the feed folders' last poll and last error, the last
billing run. A tenant whose schema is not (yet) migrated is shown without figures. The tenants
themselves (with their onboarding progress) come from the platform's selector, paginated.

Mounted by `ism/urls_public.py` (tenants/ never imports reports).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasCapability, staff_required
from billing.models import BillingRun, RunStatus
from cdr_import.models import FeedFolder, FeedFolderKey, Import
from provisioning.models import LineStatus, MobileLine
from tenants.models import Domain, DomainStatus, Tenant
from tenants.platform.selectors import tenant_list_for_platform
from tenants.platform.views import tenant_site_url

PAGE = 50
TENANT_URLS = "ism.urls_tenant"
_TABLES = (MobileLine._meta.db_table, FeedFolder._meta.db_table, BillingRun._meta.db_table)


@dataclass
class TenantFigures:
    """What the dashboard shows of one tenant's own schema."""

    readable: bool = False
    lines_active: int = 0
    lines_suspended: int = 0
    lines_pending: int = 0
    last_fetch_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    error_folder: str = ""
    error_at: dt.datetime | None = None
    error: str = ""
    error_open: bool = False  # the folder has not succeeded since its error
    last_import_at: dt.datetime | None = None
    run_id: int | None = None
    run_period: str = ""
    run_status: str = ""
    run_created_at: dt.datetime | None = None
    run_finalized_at: dt.datetime | None = None
    links: dict[str, str] = field(default_factory=dict)

    @property
    def error_folder_label(self) -> str:
        return (
            str(FeedFolderKey(self.error_folder).label) if self.error_folder in FeedFolderKey.values else ""
        )

    @property
    def run_status_label(self) -> str:
        return str(RunStatus(self.run_status).label) if self.run_status in RunStatus.values else ""

    @property
    def lines_total(self) -> int:
        return self.lines_active + self.lines_suspended + self.lines_pending


def _migrated_schemas(schemas: list[str]) -> set[str]:
    """The schemas (among `schemas`) that hold every table the dashboard reads."""
    if not schemas:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_schema = ANY(%s) AND table_name = ANY(%s) "
            "GROUP BY table_schema HAVING count(*) = %s",
            [schemas, list(_TABLES), len(_TABLES)],
        )
        return {row[0] for row in cursor.fetchall()}


def _figures_sql(schema: str) -> str:
    q = connection.ops.quote_name
    lines, folders, runs = (f"{q(schema)}.{q(table)}" for table in _TABLES)
    imports = f"{q(schema)}.{q(Import._meta.db_table)}"
    return f"""
        SELECT l.active, l.suspended, l.pending,
               f.last_run, f.last_success,
               e.key, e.last_error_at, e.last_error, e.open,
               (SELECT max(received_at) FROM {imports}),
               r.id, r.period, r.status, r.created_at, r.finalized_at
        FROM (SELECT count(*) FILTER (WHERE status = %s) AS active,
                     count(*) FILTER (WHERE status = %s) AS suspended,
                     count(*) FILTER (WHERE status = %s) AS pending
              FROM {lines}) l
        CROSS JOIN (SELECT max(last_run_at) AS last_run, max(last_success_at) AS last_success
                    FROM {folders}) f
        LEFT JOIN LATERAL (
            SELECT key, last_error_at, last_error,
                   last_error_at > coalesce(last_success_at, '-infinity'::timestamptz) AS open
            FROM {folders} WHERE last_error_at IS NOT NULL
            ORDER BY last_error_at DESC, id DESC LIMIT 1) e ON true
        LEFT JOIN LATERAL (
            SELECT id, period, status, created_at, finalized_at FROM {runs}
            WHERE status <> %s ORDER BY created_at DESC, id DESC LIMIT 1) r ON true
    """  # noqa: S608 (identifiers quoted, values as parameters)


def tenant_figures(*, schema: str) -> TenantFigures:
    """One tenant's figures, read from its schema in one query (the schema must be migrated)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _figures_sql(schema),
            [LineStatus.ACTIVE, LineStatus.SUSPENDED, LineStatus.PENDING, RunStatus.CANCELLED],
        )
        row = cursor.fetchone()
    return TenantFigures(
        readable=True,
        lines_active=row[0],
        lines_suspended=row[1],
        lines_pending=row[2],
        last_fetch_at=row[3],
        last_success_at=row[4],
        error_folder=row[5] or "",
        error_at=row[6],
        error=row[7] or "",
        error_open=bool(row[8]),
        last_import_at=row[9],
        run_id=row[10],
        run_period=row[11] or "",
        run_status=row[12] or "",
        run_created_at=row[13],
        run_finalized_at=row[14],
    )


def _primary_domain(tenant: Tenant) -> str:
    domains: list[Domain] = [d for d in tenant.domains.all() if d.status == DomainStatus.ACTIVE]
    primary = next((d for d in domains if d.is_primary), domains[0] if domains else None)
    return primary.domain if primary else ""


def _tenant_link(site: str, name: str, *args: Any) -> str:
    try:
        return site + reverse(name, args=args, urlconf=TENANT_URLS)
    except NoReverseMatch:  # pragma: no cover - a renamed page must not break the dashboard
        return ""


def platform_overview(*, tenants: list[Tenant], request: HttpRequest | None = None) -> list[dict[str, Any]]:
    """The dashboard's rows for `tenants` (annotated with their onboarding progress): one query
    per tenant, plus one to know which schemas can be read."""
    migrated = _migrated_schemas([t.schema_name for t in tenants])
    rows = []
    for tenant in tenants:
        figures = (
            tenant_figures(schema=tenant.schema_name) if tenant.schema_name in migrated else TenantFigures()
        )
        domain = _primary_domain(tenant)
        site = (
            (tenant_site_url(request, domain) if request is not None else f"https://{domain}")
            if domain
            else ""
        )
        if site:
            figures.links = {
                "site": site + "/",
                "lines": _tenant_link(site, "provisioning:line_list"),
                "feed": _tenant_link(site, "cdr_import:feed_folders"),
                "imports": _tenant_link(site, "cdr_import:import_list"),
                "run": _tenant_link(site, "billing:run_detail", figures.run_id) if figures.run_id else "",
            }
        rows.append(
            {
                "tenant": tenant,
                "domain": domain,
                "steps_done": getattr(tenant, "steps_done", 0),
                "steps_total": getattr(tenant, "steps_total", 0),
                "steps_late": getattr(tenant, "steps_late", 0),
                "figures": figures,
            }
        )
    return rows


def platform_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "tenants": len(rows),
        "lines_active": sum(r["figures"].lines_active for r in rows),
        "lines_suspended": sum(r["figures"].lines_suspended for r in rows),
        "lines_pending": sum(r["figures"].lines_pending for r in rows),
        "feed_errors": sum(1 for r in rows if r["figures"].error_open),
    }


# --- The page -----------------------------------------------------------------------------------
@staff_required("platform.manage")
def platform_dashboard(request: HttpRequest) -> HttpResponse:
    tenants = tenant_list_for_platform(today=timezone.localdate())
    page = Paginator(tenants, PAGE).get_page(request.GET.get("page"))
    rows = platform_overview(tenants=list(page.object_list), request=request)
    return render(
        request,
        "reports/platform_dashboard.html",
        {"page": page, "rows": rows, "totals": platform_totals(rows), "query": ""},
    )


# --- The API ------------------------------------------------------------------------------------
class TenantOverviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="tenant.pk")
    name = serializers.CharField(source="tenant.name")
    schema_name = serializers.CharField(source="tenant.schema_name")
    status = serializers.CharField(source="tenant.status", help_text="onboarding, active or suspended.")
    domain = serializers.CharField()
    steps_done = serializers.IntegerField()
    steps_total = serializers.IntegerField()
    steps_late = serializers.IntegerField()
    readable = serializers.BooleanField(source="figures.readable", help_text="False: schema not migrated.")
    lines_active = serializers.IntegerField(source="figures.lines_active")
    lines_suspended = serializers.IntegerField(source="figures.lines_suspended")
    lines_pending = serializers.IntegerField(source="figures.lines_pending")
    last_fetch_at = serializers.DateTimeField(source="figures.last_fetch_at", allow_null=True)
    last_fetch_success_at = serializers.DateTimeField(source="figures.last_success_at", allow_null=True)
    last_error_folder = serializers.CharField(source="figures.error_folder")
    last_error_at = serializers.DateTimeField(source="figures.error_at", allow_null=True)
    last_error = serializers.CharField(source="figures.error")
    error_open = serializers.BooleanField(
        source="figures.error_open", help_text="The folder has not been fetched successfully since."
    )
    last_import_at = serializers.DateTimeField(source="figures.last_import_at", allow_null=True)
    last_run_id = serializers.IntegerField(source="figures.run_id", allow_null=True)
    last_run_period = serializers.CharField(source="figures.run_period")
    last_run_status = serializers.CharField(source="figures.run_status")
    last_run_created_at = serializers.DateTimeField(source="figures.run_created_at", allow_null=True)
    last_run_finalized_at = serializers.DateTimeField(source="figures.run_finalized_at", allow_null=True)


class PlatformOverviewViewSet(viewsets.GenericViewSet):
    """The platform dashboard's figures, per tenant (paginated)."""

    permission_classes = [HasCapability("platform.manage")]
    serializer_class = TenantOverviewSerializer

    @extend_schema(responses=TenantOverviewSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every tenant: status, onboarding progress, lines, last feed fetch and error, last billing run."""
        tenants = tenant_list_for_platform(today=timezone.localdate())
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(tenants, request, view=self) or []
        rows = platform_overview(tenants=list(page), request=request)
        return paginator.get_paginated_response(TenantOverviewSerializer(rows, many=True).data)
