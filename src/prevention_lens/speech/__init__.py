"""Hate and dangerous speech monitoring, connected to atrocity warning: a term lexicon with
hateful and neutral senses, a local classifier (a replacement for Perspective-style scoring that
runs on the user's own machine), weekly trends and surge alerts per country and targeted group,
and analysts' dangerous-speech assessments. ``docs/speech.md``."""
