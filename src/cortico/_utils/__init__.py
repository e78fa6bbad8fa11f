"""Private helpers shared by the core and the adapters."""
