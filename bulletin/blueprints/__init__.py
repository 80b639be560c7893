"""HTTP entry points: each module validates input, calls services, renders a template or JSON."""
