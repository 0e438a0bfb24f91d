"""`make bench`: vinyasa's speed as ratios to a raw ASGI hello-world measured in the same run."""
