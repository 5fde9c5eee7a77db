"""The WSGI entry point (gunicorn ``config.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

from config.logsafe import protect_handlers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# The server set up its own log handlers before loading the application (gunicorn's error
# and access logs, which write request paths): they get the credential filter too.
protect_handlers()
