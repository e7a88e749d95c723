# The ISM image: web (gunicorn), worker and beat run from it with different commands.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=ism.settings
# WeasyPrint needs Pango; operator invoices (.mdb) need mdbtools; psycopg's binary wheel brings its own libpq.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core curl mdbtools \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN python manage.py compile_translations \
 && SECRET_KEY=build python manage.py collectstatic --noinput -v 0 \
 && useradd --system --home /app ism && mkdir -p /var/lib/ism/media && chown -R ism /var/lib/ism
USER ism
ENV ISM_MEDIA_ROOT=/var/lib/ism/media
EXPOSE 8000
# Workers, threads and queueing: gunicorn.conf.py (ISM_WEB_WORKERS, ISM_WEB_THREADS override them).
CMD ["gunicorn", "ism.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
