"""Job kinds shipped with cortico, one module each (registered in ``_registry``)."""
