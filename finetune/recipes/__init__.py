"""Recipes: ready-made tuning runs with their data built from shared material (see each module)."""
