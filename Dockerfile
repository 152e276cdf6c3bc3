# Team Trainer server with its embedded judge: every language's toolchain, full sandbox isolation by default,
# pandoc for LaTeX statements.
FROM python:3.11-slim-bookworm

# g++/gcc/libc6-dev and python3: C, C++, CPython; openjdk-17-jdk-headless: Java 17 (and Kotlin's runtime);
# pypy3: PyPy 3; kotlin: Debian's kotlinc; tini reaps orphans as PID 1.
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ gcc libc6-dev python3 util-linux tini pandoc \
       openjdk-17-jdk-headless pypy3 kotlin \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY setup.cfg setup.py README.md ./
COPY server ./server
COPY schemas ./schemas
RUN pip install --no-cache-dir .
COPY data/contests ./data/contests
COPY web ./web
COPY docker/entrypoint.sh /usr/local/bin/trainer-entrypoint

# JUDGE_ISOLATION=strict: the server refuses to start unless cgroups, namespaces, the allow-list root, the
# uid switch and the seccomp filter all work (docker-compose.yml grants what they need).
ENV APP_HOST=0.0.0.0 \
    APP_PORT=8000 \
    DB_PATH=/var/lib/trainer/trainer.db \
    CONTESTS_DIR=/app/data/contests \
    JUDGE_ISOLATION=strict \
    PYTHONUNBUFFERED=1

VOLUME ["/var/lib/trainer"]
EXPOSE 8000
# Healthy: the database takes writes and the judge judges. Asks the server on APP_HOST:APP_PORT (read as
# the server reads them), so it follows a changed port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["python", "-m", "server", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/trainer-entrypoint"]
CMD ["python", "-m", "server"]
