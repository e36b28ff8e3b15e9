"""Load benchmark of the CDS service against two bare FastAPI baselines (see README.md, "Performance")."""
