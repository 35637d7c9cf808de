# Convenience aliases; ./run is the source of truth (it also installs what is missing).
.PHONY: demo test fast docs bench lint setup
demo: ; ./run demo
test: ; ./run test
fast: ; ./run test --fast
docs: ; ./run docs
bench: ; ./run bench
setup: ; ./run setup
lint: setup
	.venv/bin/ruff check src tests benchmarks && .venv/bin/mypy
