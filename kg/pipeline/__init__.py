"""The project and its pipeline: compile, validate, build, export, the query cache and reasoning."""
