"""The production URLs plus what the benchmark compares them with (never in production)."""

from types import SimpleNamespace

from django.http import JsonResponse
from django.urls import path
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from callbacks.apply import event_apply
from callbacks.models import CallbackEvent
from callbacks.tasks import callback_apply
from callbacks.views import VibesCallbackView
from config.urls import urlpatterns as production


@csrf_exempt
def baseline(request):
    """A bare Django view that inserts one row: the yardstick."""
    event = CallbackEvent.objects.create(method=request.method, body=request.body.decode())
    return JsonResponse({"id": event.pk})


class InlineCallbackView(VibesCallbackView):
    """The alternative not taken: apply each event in the request."""

    def hand_on(self, event):
        return event_apply(event_id=event.pk) or event


class TaskPerEventView(VibesCallbackView):
    """The alternative not taken: publish one Celery task per event."""

    def hand_on(self, event):
        callback_apply.delay(event.pk)
        return event


class PlainCallbackView(View):
    """The same four steps in a plain Django view, to measure what DRF's dispatch costs."""

    http_method_names = ["post", "put"]
    hand_on = VibesCallbackView.hand_on
    _read = staticmethod(VibesCallbackView._read)

    def post(self, request, token):
        return VibesCallbackView.post(self, SimpleNamespace(_request=request), token)

    put = post


urlpatterns = [
    *production,
    path("bench/baseline/", baseline),
    path("bench/plain/<str:token>/", csrf_exempt(PlainCallbackView.as_view())),
    path("bench/inline/<str:token>/", InlineCallbackView.as_view()),
    path("bench/task-per-event/<str:token>/", TaskPerEventView.as_view()),
]
