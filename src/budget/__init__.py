"""Budget: a self-hosted budget-tracker REST API."""

__version__ = "0.1.0"
