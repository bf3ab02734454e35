"""The interfaces: the FastAPI app (one router module per registry area) and the `tttt` CLI."""
