"""Every page renders whatever a stored value holds.

A JSON string may carry half of a surrogate pair (a name cut in the middle of an emoji,
``"\\ud83d"``): Python decodes it to a string that UTF-8 cannot encode, so a page showing
it would fail with a 500 when its text is encoded, the admin page of that very callback
first. The callback endpoint replaces such halves before storing (callbacks/parsing.py),
but older rows, a SQLite JSON column and a body parsed again for display still hold them.
Each template response's text has them replaced by U+FFFD as it is rendered.
"""

from rest_framework.response import Response

from callbacks.parsing import clean_for_storage


class _Replacing:
    """A template whose rendered text holds no lone surrogate."""

    def __init__(self, template):
        self.template = template

    def render(self, context=None, request=None) -> str:
        return clean_for_storage(self.template.render(context, request))


class UnencodableReplacedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if isinstance(response, Response):
            return response  # DRF renders its own data (the API's JSON and reference page)
        response.template_name = _Replacing(response.resolve_template(response.template_name))
        return response
