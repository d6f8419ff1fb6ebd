# Build stage: the wheel, exactly what `pip install .` would install (package data included).
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mock_kanta/ mock_kanta/
COPY fixtures/ fixtures/
COPY certs/ certs/
COPY scenarios/ scenarios/
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# SoftHSM2 (PKCS#11 token store, /usr/lib/softhsm/libsofthsm2.so) and OpenSC (pkcs11-tool).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends softhsm2 opensc \
 && rm -rf /var/lib/apt/lists/*

# Unprivileged user owning the data volume (must precede VOLUME to keep the ownership).
RUN groupadd --system --gid 10001 mockkanta \
 && useradd --system --create-home --uid 10001 --gid mockkanta mockkanta \
 && mkdir -p /data \
 && chown mockkanta:mockkanta /data

# The runtime pins first, so this layer is reused while only the code changes
# (requirements-lock.txt holds no test tools: they are in requirements-test-lock.txt).
COPY requirements-lock.txt /tmp/
RUN pip install -r /tmp/requirements-lock.txt && rm /tmp/requirements-lock.txt

# The package itself: the built wheel, no source tree in the image.
COPY --from=build /wheels/ /tmp/wheels/
RUN pip install --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels

# A runtime image: the build fails if a test tool slipped in (they belong to requirements-test-lock.txt).
RUN if pip list --format=freeze 2>/dev/null | grep -iE '^(pytest|xmlsec|playwright|schemathesis)(==| )'; then \
      echo "test dependencies in the runtime image" >&2; exit 1; fi

WORKDIR /data
ENV MOCK_KANTA_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER mockkanta
# /healthz stays public when tokens are required; the slim image has no curl, so Python asks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]
CMD ["mock-kanta", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
