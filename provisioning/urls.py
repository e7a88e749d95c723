"""Staff pages of the provisioning app, mounted by ism/urls_tenant.py."""

from django.urls import path

from provisioning import views_lines

app_name = "provisioning"
urlpatterns: list = [
    path("", views_lines.line_list, name="line_list"),
    path("<int:pk>/", views_lines.line_detail, name="line_detail"),
    path("<int:pk>/actions/<str:kind>/", views_lines.line_action, name="line_action"),
    path("bulk/", views_lines.line_bulk, name="line_bulk"),
    path("fixed/", views_lines.fixed_list, name="fixed_list"),
    path("fixed/new/", views_lines.fixed_create, name="fixed_create"),
    path("fixed/<int:pk>/", views_lines.fixed_detail, name="fixed_detail"),
    path("fixed/<int:pk>/<str:verb>/", views_lines.fixed_assign, name="fixed_assign"),
]
