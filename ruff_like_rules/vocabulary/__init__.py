"""What the analysis knows of torch, in one place: how a file spells torch's names, the sets
of constructors, writers, pass-through methods and initializers, and the trigger patterns the
prefilter builds from those same sets (so one edit teaches both)."""
