from django.urls import path

from customers import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("login/", portal_views.PortalLoginView.as_view(), name="login"),
]
