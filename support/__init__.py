"""Supporting modules of app.py: htmx responses, data access and forms."""
