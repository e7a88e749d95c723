from django.urls import path

from tenants import views_platform

app_name = "platform"
urlpatterns = [path("", views_platform.tenant_list_view, name="tenant_list")]
