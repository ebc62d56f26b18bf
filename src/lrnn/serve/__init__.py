"""`lrnn serve`: a run's predictions over HTTP (FastAPI + uvicorn, the `serve` extra) and a
page to try the model. server.serve is the entry point; the app is app.create_app."""
