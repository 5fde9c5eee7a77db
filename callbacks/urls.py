from django.urls import path

from .views import VibesCallbackView

app_name = "callbacks"

urlpatterns = [
    path("vibes/<str:token>/", VibesCallbackView.as_view(), name="vibes"),
]
