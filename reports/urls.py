from django.urls import path

from reports import views, views_finance, views_whatif

app_name = "reports"
urlpatterns = [
    path("cdrs/", views.cdr_report, name="cdr_report"),
    path("cdrs/export.<str:fmt>", views.cdr_report_export, name="cdr_report_export"),
    path("inventory/", views.inventory, name="inventory"),
    path("inventory/lines.<str:fmt>", views.inventory_export, name="inventory_export"),
    path("watch/", views.watch, name="watch"),
    path("lines/<int:pk>/usage/", views.line_usage, name="line_usage"),
    path("usage/months.<str:fmt>", views.usage_export, name="usage_export"),
    path("finance/", views_finance.finance_report, name="finance"),
    path("finance/export.<str:fmt>", views_finance.finance_export, name="finance_export"),
    path("settings/", views.report_settings, name="settings"),
    path("what-if/", views_whatif.whatif_list, name="whatif_list"),
    path("what-if/<int:pk>/", views_whatif.whatif_detail, name="whatif_detail"),
]
