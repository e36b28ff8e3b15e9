"""Operator tools run from the repository: load test, fuzzing, a loopback FHIR server with faults."""
