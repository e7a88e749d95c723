"""Staff pages of the offers app, mounted under /catalogue/ by ism/urls_tenant.py."""

from django.urls import path

from offers import views

app_name = "offers"
urlpatterns = [
    path("", views.catalogue_home, name="home"),
    path("rate-tables/", views.table_list, name="table_list"),
    path("rate-tables/new/", views.table_edit, name="table_create"),
    path("rate-tables/<int:pk>/", views.table_detail, name="table_detail"),
    path("rate-tables/<int:pk>/edit/", views.table_edit, name="table_edit"),
    path("rate-tables/<int:pk>/upload/", views.table_upload, name="table_upload"),
    path("rate-tables/<int:pk>/upload-errors/<str:token>.csv", views.upload_errors, name="upload_errors"),
    path("rate-tables/<int:pk>/export.<str:file_format>", views.table_export, name="table_export"),
    path("rate-tables/<int:pk>/uploads/<int:upload_pk>/", views.upload_download, name="upload_download"),
    path("rate-tables/<int:pk>/copy/", views.table_copy, name="table_copy"),
    path("rate-tables/<int:pk>/archive/", views.table_archive, name="table_archive"),
    path("rate-tables/<int:pk>/rates/new/", views.rate_edit, name="rate_create"),
    path("rate-tables/<int:pk>/rates/<int:rate_pk>/", views.rate_edit, name="rate_edit"),
    path("simulator/", views.simulator, name="simulator"),
    path("<slug:kind>/", views.item_list, name="item_list"),
    path("<slug:kind>/new/", views.item_edit, name="item_create"),
    path("<slug:kind>/<int:pk>/", views.item_detail, name="item_detail"),
    path("<slug:kind>/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("<slug:kind>/<int:pk>/archive/", views.item_archive, name="item_archive"),
]
