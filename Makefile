# Convenience aliases; ./run is the source of truth (it also installs what is missing).
.PHONY: demo test bench lint setup
demo: ; ./run demo
test: ; ./run test
bench: ; ./run bench
setup: ; ./run setup
lint: setup
	.venv/bin/ruff check src tests benchmarks && .venv/bin/mypy
