from django.urls import path

from tenants.platform import views

app_name = "platform"
urlpatterns = [
    path("", views.tenant_list_view, name="tenant_list"),
    path("new/", views.tenant_create_view, name="tenant_create"),
    path("domains/", views.domain_request_list_view, name="domain_requests"),
    path("domains/<int:domain_pk>/decide/", views.domain_decide_view, name="domain_decide"),
    path("<int:pk>/", views.tenant_detail_view, name="tenant_detail"),
    path("<int:pk>/steps/<int:step_pk>/", views.onboarding_step_update_view, name="step_update"),
    path("<int:pk>/activate/", views.tenant_override_view, name="tenant_override"),
    path("<int:pk>/suspension/", views.tenant_suspension_view, name="tenant_suspension"),
    path("<int:pk>/invite/", views.tenant_invite_admin_view, name="tenant_invite_admin"),
    path("<int:pk>/identity/", views.tenant_identity_view, name="tenant_identity"),
    path("<int:pk>/documents/", views.tenant_documents_view, name="tenant_documents"),
    path(
        "<int:pk>/documents/<int:document_pk>/download/",
        views.tenant_document_download_view,
        name="tenant_document_download",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/delete/",
        views.tenant_document_delete_view,
        name="tenant_document_delete",
    ),
    path("<int:pk>/feed/", views.tenant_feed_view, name="tenant_feed"),
    path("<int:pk>/feed/test/", views.tenant_feed_test_view, name="tenant_feed_test"),
]
