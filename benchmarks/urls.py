"""The production URLs plus what the benchmark compares them with (never in production)."""

import json
from types import SimpleNamespace

from django.http import JsonResponse
from django.urls import path
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from callbacks.apply import event_apply
from callbacks.handoff import APPLY_TASK
from callbacks.models import CallbackEvent
from callbacks.views import VibesCallbackView
from config.urls import urlpatterns as production
from subscribers.outbox.publish import publish_nowait


@csrf_exempt
def baseline(request):
    """A bare Django view that inserts one row: the yardstick."""
    event = CallbackEvent.objects.create(method=request.method, body=request.body.decode())
    return JsonResponse({"id": event.pk})


def _stored_id(response) -> int | None:
    """The id of the event the real endpoint stored, from its answer."""
    return json.loads(response.content).get("id") if response.status_code == 200 else None


class InlineCallbackView(VibesCallbackView):
    """The alternative not taken: apply each event in the request."""

    def post(self, request, token):
        response = super().post(request, token)
        if (event_id := _stored_id(response)) is not None:
            event_apply(event_id=event_id)
        return response

    put = post


class TaskPerEventView(VibesCallbackView):
    """The alternative not taken: publish an apply task for every event, not once a second."""

    def post(self, request, token):
        response = super().post(request, token)
        if _stored_id(response) is not None:
            publish_nowait(APPLY_TASK)
        return response

    put = post


class PlainCallbackView(View):
    """The same four steps in a plain Django view, to measure what DRF's dispatch costs."""

    http_method_names = ["post", "put"]

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
