from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """A local stand-in for the Vibes Platform API, for development, demos and tests.

    It has no models and no URLs in the product: it serves on its own port
    (``manage.py vibes_simulator``) or inside a test (``simulator.SimulatorServer``).
    """

    name = "simulator"
    verbose_name = "Vibes simulator"
