"""API routes of the reports, mounted under /api/v1/ by ism/urls_tenant.py (read-only)."""

from django.urls import path

from reports import api

urlpatterns = [
    path("reports/cdr-totals/", api.CdrTotalsViewSet.as_view({"get": "list"}), name="api-report-cdr-totals"),
    path(
        "reports/inventory/lines/",
        api.InventoryLineViewSet.as_view({"get": "list"}),
        name="api-report-inventory-lines",
    ),
    path(
        "reports/inventory/fixed-numbers/",
        api.InventoryFixedNumberViewSet.as_view({"get": "list"}),
        name="api-report-inventory-fixed-numbers",
    ),
    path(
        "reports/inventory/sims/",
        api.SimStockViewSet.as_view({"get": "list"}),
        name="api-report-inventory-sims",
    ),
    path("reports/watch/", api.WatchListsViewSet.as_view({"get": "list"}), name="api-report-watch"),
    path("reports/dashboard/", api.DashboardViewSet.as_view({"get": "list"}), name="api-report-dashboard"),
    path(
        "reports/lines/<int:pk>/usage/",
        api.LineUsageViewSet.as_view({"get": "retrieve"}),
        name="api-report-line-usage",
    ),
    path("reports/finance/", api.FinanceReportViewSet.as_view({"get": "list"}), name="api-report-finance"),
]
