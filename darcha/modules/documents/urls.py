from django.urls import path

from darcha.modules.documents import views

app_name = "documents"
urlpatterns = [
    path("files/<str:token>/", views.file, name="file"),
]
