"""Scripts that print figures (retrieval quality and speed, ingestion, training); never collected by pytest."""

import tokka  # noqa: F401 - first: switches telemetry off before any library loads
