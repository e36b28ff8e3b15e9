# syntax=docker/dockerfile:1
# Build the wheel (with cards/ and fhir_samples/ packaged as data), then install it alone on a slim base.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY cards ./cards
COPY fhir_samples ./fhir_samples
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PRT_CDS_DATABASE_URL=sqlite:////var/lib/palliative-rt-cds/palliative-rt-cds.db
RUN groupadd --system --gid 10001 cds \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/palliative-rt-cds --create-home cds
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 10001:10001
WORKDIR /var/lib/palliative-rt-cds
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=3)"]
CMD ["palliative-rt-cds", "serve", "--host", "0.0.0.0", "--port", "8080"]
