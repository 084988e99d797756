"""The dashboard: a FastAPI app over the results store (`create_app`), with its page under static/."""
