"""quotepipe infra."""
