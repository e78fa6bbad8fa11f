"""``cortico worker``: a Celery worker for the distributed mode."""

import click

__all__ = ["worker"]


@click.command()
@click.option("-c", "--concurrency", type=int, default=None,
              help="Jobs run at once (default: WORKER_CONCURRENCY or the number of cores).")
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--name", default=None, help="Worker node name (default: cortico@<host>).")
@click.option("--instance", type=click.Path(file_okay=False), default=None,
              help="Instance folder (default: $INSTANCE_PATH or ~/.local/share/cortico).")
def worker(concurrency, loglevel, name, instance):
    """Run a job worker.

    Point it at the shared database and storage folder (CORTICO_DATABASE_URL,
    CORTICO_STORAGE_PATH) and at the broker (CORTICO_BROKER_URL=redis://...);
    start as many as you like, on any machine. Without a broker URL it serves the
    embedded filesystem queue of this instance folder.
    """
    import os

    if instance:
        os.environ["INSTANCE_PATH"] = str(instance)
    from cortico.celery_app import celery_app

    argv = ["worker", "--loglevel", loglevel, "-Q", "cortico", "--without-gossip", "--without-mingle"]
    if celery_app.cortico.embedded:
        argv.append("--without-heartbeat")
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    argv += ["--hostname", name or "cortico-%p@%h"]
    celery_app.worker_main(argv)
