"""The ``genex-llm`` subcommands that are not the Gene runner or the benchmark."""
