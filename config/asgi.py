"""The ASGI entry point (gunicorn ``config.asgi``)."""

import os

from django.core.asgi import get_asgi_application

from config.logsafe import protect_handlers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
# The server set up its own log handlers before loading the application (gunicorn's error
# and access logs, which write request paths): they get the credential filter too.
protect_handlers()
