"""tokka (特化AI工房): shared settings, the one error root and the one message/locale table used by every package.

Importing `tokka` switches off every library's telemetry and hub access before Haystack, Gradio or transformers
are loaded: the promise is that the organisation's data stays at home, so nothing may call out except the Ollama or
Elasticsearch server it configured and the sites a user asks to crawl. Every package (`corpus`, `pipelines`,
`finetune`, `apps`) imports `tokka` first in its `__init__`, so every entry point passes through here.
"""

import os

__version__ = "0.2.0"

PRIVACY_ENVIRONMENT = {
    "HAYSTACK_TELEMETRY_ENABLED": "False",  # Haystack's posthog events
    "GRADIO_ANALYTICS_ENABLED": "False",  # Gradio's usage analytics and version check
    "HF_HUB_OFFLINE": "1",  # no model or data download from the Hugging Face hub
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",  # the cross-tool convention (also read by Unsloth and others)
}
os.environ.update(PRIVACY_ENVIRONMENT)
