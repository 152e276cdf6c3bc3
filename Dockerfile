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
# Healthy: the application answers and its judge judges.
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import json,urllib.request,sys; r=json.load(urllib.request.urlopen('http://127.0.0.1:8000/health/ping-application', timeout=2)); sys.exit(0 if r['judge']['ready'] else 1)" || exit 1
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/trainer-entrypoint"]
CMD ["python", "-m", "server"]
