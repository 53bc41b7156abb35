# tokka app image. Built by docker compose (see docker-compose.yml); GPU=1 adds the GPU training libraries.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HAYSTACK_TELEMETRY_ENABLED=False \
    GRADIO_ANALYTICS_ENABLED=False \
    HF_HUB_OFFLINE=1 \
    TOKKA_DATA_DIR=/data

# A compiler and cmake for llama-cpp-python (it builds llama.cpp from source); curl for the healthcheck; Tesseract
# (OCR for scans, Japanese models) and LibreOffice without GUI (old .doc/.ppt files), as in scripts/install-system-packages.sh.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake curl \
    tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert \
    libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt requirements-gpu.txt ./
ARG GPU=0
# GGML_NATIVE=OFF: a portable build, so the image runs on any x86-64 host, not only the one that built it.
RUN CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install --no-cache-dir -r requirements.txt \
 && if [ "$GPU" = "1" ]; then pip install --no-cache-dir -r requirements-gpu.txt; fi

COPY . .
RUN python -m compileall -q apps corpus pipelines tokka

EXPOSE 7860
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=10 \
  CMD curl -fsS http://127.0.0.1:7860/ >/dev/null || exit 1
CMD ["python", "-m", "apps", "--host", "0.0.0.0", "--port", "7860"]
