"""One module per `chitieu` command: parse nothing, run one command, return its exit code."""
