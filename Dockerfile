# syntax=docker/dockerfile:1
# One image recipe for every service; compose (and Kubernetes) pass which one:
#   docker build --build-arg SERVICE=scheduling --build-arg PORT=8001 -t clinic-scheduling .
# Built from the repo root: the uv workspace needs every member's pyproject.toml
# (.dockerignore drops tests, venvs and caches).
ARG SERVICE
ARG PORT

FROM python:3.11-slim AS build
ARG SERVICE
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<scheduling|inventory|notifications|dashboard>" >&2; exit 1; }
RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /src
COPY . .
# Non-editable: the venv holds real wheels of the service and clinic-shared, so the final
# stage needs only /opt/venv (migrations ship inside the package).
RUN uv sync --frozen --no-dev --no-editable --package "clinic-${SERVICE}"

FROM python:3.11-slim
ARG SERVICE
ARG PORT
# CLINIC_SERVICE and CLINIC_SERVICE_PORT are the image's own: the service's settings never
# read them. The service listens where <SERVICE>_HOST and <SERVICE>_PORT say (compose sets
# both); its port defaults to the one below.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CLINIC_SERVICE=${SERVICE} \
    CLINIC_SERVICE_PORT=${PORT}
RUN groupadd --system --gid 10001 clinic \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home clinic \
    && mkdir -p /app && chown 10001:10001 /app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['CLINIC_SERVICE_PORT'] + '/healthz', timeout=2)"
# Migrations run on start (<SERVICE>_RUN_MIGRATIONS defaults to true).
CMD exec python -m "$CLINIC_SERVICE"
