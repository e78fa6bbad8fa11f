"""Server-rendered pages for people using a browser."""
