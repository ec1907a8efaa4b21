"""Benchmarks and the synthetic city generator (manage.py generate_city)."""
