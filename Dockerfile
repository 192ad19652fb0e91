# RL Playground: the public demo image (CPU only).
#   docker build -t rl-playground .
#   docker run --rm -p 8501:8501 rl-playground        # then open http://localhost:8501
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1 \
    RLCORE_PROFILE=hosted \
    RLCORE_MAX_WORKERS=2 \
    RLCORE_RUNS_DIR=/data/runs \
    RLCORE_DATASETS_DIR=/data/datasets \
    STREAMLIT_SERVER_PORT=8501

# The CPU wheel of torch first, from PyTorch's CPU index: requirements.txt then finds
# torch==2.13.0 satisfied and never pulls the CUDA packages.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

# A non-root user (uid 1000, as Hugging Face Spaces expects) owning the data folder.
RUN useradd --create-home --uid 1000 app && mkdir -p /data && chown app:app /data
WORKDIR /home/app/playground
COPY --chown=app:app . .
USER app

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, sys, urllib.request; url = 'http://127.0.0.1:' + os.environ.get('STREAMLIT_SERVER_PORT', '8501') + '/_stcore/health'; sys.exit(urllib.request.urlopen(url, timeout=4).read() != b'ok')"

# deploy/serve.py serves app.py through Streamlit's own ASGI server (st.App) with the
# security headers Streamlit has no setting for (CSP frame-ancestors, X-Frame-Options,
# nosniff): see docs/deploy.md.
CMD ["python", "-m", "streamlit", "run", "deploy/serve.py", "--server.address=0.0.0.0"]
