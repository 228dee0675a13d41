"""Generation logic: prompt templates, request rules, prices."""
