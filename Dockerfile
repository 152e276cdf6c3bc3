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
# Asks the server on APP_HOST:APP_PORT (read like the server reads them), so it follows a changed port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["python", "-m", "server", "healthcheck"]
CMD ["python", "-m", "server"]
