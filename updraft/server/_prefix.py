"""The URL prefix of every API route, apart so that views can build links without importing
the application."""

API_PREFIX = "/api/v1"
