"""The versioned HTTP API (``/api/v1``), one module per resource."""
