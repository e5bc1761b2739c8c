"""Moderation pages, split by area. Every view here is behind ``moderator_required``,
except those in ``public.py``, which authors and readers use."""
