from django.urls import path

from darcha.modules.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set-language"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
