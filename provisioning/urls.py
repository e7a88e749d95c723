"""Staff pages of the provisioning app, mounted by ism/urls_tenant.py under /lines/."""

from django.urls import path

from provisioning import views
from provisioning.orders import views as order_views

app_name = "provisioning"
urlpatterns = [
    path("", views.line_list, name="line_list"),
    path("<int:pk>/", views.line_detail, name="line_detail"),
    path("<int:pk>/actions/<str:kind>/", views.line_action, name="line_action"),
    path("bulk/", views.line_bulk, name="line_bulk"),
    path("fixed/", views.fixed_list, name="fixed_list"),
    path("fixed/new/", views.fixed_create, name="fixed_create"),
    path("fixed/<int:pk>/", views.fixed_detail, name="fixed_detail"),
    path("fixed/<int:pk>/<str:verb>/", views.fixed_assign, name="fixed_assign"),
    path("sims/", views.sim_list, name="sim_list"),
    path("sims/import/", views.sim_import, name="sim_import"),
    path("sims/<int:pk>/", views.sim_detail, name="sim_detail"),
    path("disagreements/", views.disagreement_list, name="disagreement_list"),
    path("rio-check/", views.rio_checker, name="rio_check"),
    path("settings/", views.settings_edit, name="settings"),
    path("orders/", order_views.order_list, name="order_list"),
    path("orders/new/<int:customer_pk>/", order_views.order_new, name="order_new"),
    path("orders/<int:pk>/", order_views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", order_views.order_edit, name="order_edit"),
    path("orders/<int:pk>/validate/", order_views.order_validate, name="order_validate"),
    path("orders/<int:pk>/cancel/", order_views.order_cancel, name="order_cancel"),
    path("customers/<int:customer_pk>/services/", order_views.service_order_list, name="service_order_list"),
]
