"""Staff pages of the provisioning app, mounted by ism/urls_tenant.py under /lines/."""

from django.urls import path

from provisioning import views, views_operator

app_name = "provisioning"
urlpatterns = [
    path("sims/", views.sim_list, name="sim_list"),
    path("sims/import/", views.sim_import, name="sim_import"),
    path("sims/<int:pk>/", views.sim_detail, name="sim_detail"),
    path("disagreements/", views_operator.disagreement_list, name="disagreement_list"),
    path("rio-check/", views.rio_checker, name="rio_check"),
    path("settings/", views.settings_edit, name="settings"),
]
