# syntax=docker/dockerfile:1
# Build stage: the wheel (with cards/ and fhir_samples/ packaged as data), installed with its dependencies
# into a virtualenv. The final stage copies only that virtualenv: no pip cache, wheels or build files.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY cards ./cards
COPY fhir_samples ./fhir_samples
RUN python -m venv /opt/palliative-rt-cds \
    && pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/palliative-rt-cds/bin/pip install /wheels/*.whl \
    && /opt/palliative-rt-cds/bin/pip uninstall --yes pip setuptools

FROM python:3.11-slim
# Every PRT_CDS_* setting is read from the environment at start (README, "Settings"); PRT_CDS_WORKERS sets
# the number of worker processes.
ENV PATH=/opt/palliative-rt-cds/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PRT_CDS_DATABASE_URL=sqlite:////var/lib/palliative-rt-cds/palliative-rt-cds.db
RUN groupadd --system --gid 10001 cds \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/palliative-rt-cds --create-home cds
# Owned by root: the service cannot change its own code.
COPY --from=build /opt/palliative-rt-cds /opt/palliative-rt-cds
USER 10001:10001
WORKDIR /var/lib/palliative-rt-cds
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=3)"]
# The server is PID 1 (exec form): SIGTERM stops accepting connections, lets the requests in flight finish
# and stops the workers.
STOPSIGNAL SIGTERM
CMD ["palliative-rt-cds", "serve", "--host", "0.0.0.0", "--port", "8080"]
