"""Organisation units with validity dates: the tree, renames, mergers and splits."""
