"""Tests of sql/: parsing, golden results of every view and dashboard query."""
