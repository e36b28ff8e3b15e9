"""Command-line tools for integration testers, clinicians and clinical governance: `evaluate`, `bed`,
`feedback-report` (registered on the `palliative-rt-cds` command in service/cli.py)."""
