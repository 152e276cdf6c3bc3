# Team Trainer server with its embedded judge (g++, gcc and CPython for submissions; pandoc for LaTeX statements).
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ gcc libc6-dev python3 util-linux pandoc \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY setup.cfg setup.py README.md ./
COPY server ./server
COPY schemas ./schemas
RUN pip install --no-cache-dir .
COPY data/contests ./data/contests
COPY web ./web

ENV APP_HOST=0.0.0.0 \
    APP_PORT=8000 \
    DB_PATH=/var/lib/trainer/trainer.db \
    CONTESTS_DIR=/app/data/contests \
    PYTHONUNBUFFERED=1

VOLUME ["/var/lib/trainer"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health/ping-database', timeout=2)" || exit 1
CMD ["python", "-m", "server"]
