"""The installable app: manifests per surface, the service worker, the offline page."""
