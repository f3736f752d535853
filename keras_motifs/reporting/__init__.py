"""Reporting helpers for reproductions: published tables, text tables, plots."""
