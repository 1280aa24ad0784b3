"""quotepipe infra/local."""
