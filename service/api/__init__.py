"""HTTP routes of the CDS Hooks service."""
