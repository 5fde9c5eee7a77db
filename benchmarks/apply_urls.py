"""The production URLs plus the bare insert view bench_apply.py measures the endpoint by."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from callbacks.models import CallbackEvent
from config.urls import urlpatterns as production


@csrf_exempt
def baseline(request):
    """A bare Django view that inserts one row: the yardstick (as in bench_callbacks.py)."""
    event = CallbackEvent.objects.create(method=request.method, body=request.body.decode())
    return JsonResponse({"id": event.pk})


urlpatterns = [*production, path("bench/baseline/", baseline)]
